import Foundation
import FunctionaryAgent
import FunctionaryProtocol
import Testing

enum TemperatureUnit: String, Decodable, CaseIterable, Sendable {
    case celsius, fahrenheit
}

enum Priority: Int, Decodable, CaseIterable, Sendable {
    case low = 1, high = 2
}

struct Address: ToolArguments {
    var street: String
    var zip: Int?
    static let fieldDescriptions = ["street": "Street and number"]
}

struct FullArguments: ToolArguments {
    var location: String
    var days: Int
    var ratio: Double
    var verbose: Bool
    var unit: TemperatureUnit?
    var priority: Priority
    var tags: [String]
    var address: Address
    var stops: [Address]?
    var counts: [String: Int]?
    var note: String?
    var link: URL?

    static let fieldDescriptions = ["location": "The city and state, e.g. San Francisco, CA", "unit": "Temperature unit"]
}

struct RenamedArguments: ToolArguments {
    var carName: String
    enum CodingKeys: String, CodingKey { case carName = "car_name" }
}

struct TypoArguments: ToolArguments {
    var location: String
    static let fieldDescriptions = ["locaton": "misspelt"]
}

enum Color: String, Decodable, Sendable { case red, green }

struct NotIterableArguments: ToolArguments {
    var color: Color
}

struct ScalarArguments: ToolArguments {
    var value: String
    init(from decoder: any Decoder) throws { value = try decoder.singleValueContainer().decode(String.self) }
}

@Suite("JSON Schema from Swift types")
struct SchemaDerivationTests {
    @Test("every supported field kind")
    func fullSchema() throws {
        let schema = try FullArguments.jsonSchema()
        let expected =
            #"{"type": "object", "properties": {"#
            + #""location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"}, "#
            + #""days": {"type": "integer"}, "ratio": {"type": "number"}, "verbose": {"type": "boolean"}, "#
            + #""unit": {"type": "string", "description": "Temperature unit", "enum": ["celsius", "fahrenheit"]}, "#
            + #""priority": {"type": "integer", "enum": [1, 2]}, "#
            + #""tags": {"type": "array", "items": {"type": "string"}}, "#
            + #""address": {"type": "object", "properties": {"street": {"type": "string", "description": "Street and number"}, "#
            + #""zip": {"type": "integer"}}, "required": ["street"]}, "#
            + #""stops": {"type": "array", "items": {"type": "object", "properties": {"street": {"type": "string", "#
            + #""description": "Street and number"}, "zip": {"type": "integer"}}, "required": ["street"]}}, "#
            + #""counts": {"type": "object", "additionalProperties": {"type": "integer"}}, "#
            + #""note": {"type": "string"}, "link": {"type": "string", "format": "uri"}}, "#
            + #""required": ["location", "days", "ratio", "verbose", "priority", "tags", "address"]}"#
        #expect(schema.pythonJSON() == expected)
    }

    @Test("coding keys give the JSON names")
    func codingKeys() throws {
        let schema = try RenamedArguments.jsonSchema()
        #expect(schema.compactJSON() == #"{"type":"object","properties":{"car_name":{"type":"string"}},"required":["car_name"]}"#)
    }

    @Test("no arguments: an empty object")
    func noArguments() throws {
        #expect(try NoArguments.jsonSchema().compactJSON() == #"{"type":"object","properties":{}}"#)
    }

    @Test("a description for a field that does not exist is an error")
    func typo() {
        #expect {
            try TypoArguments.jsonSchema()
        } throws: { error in
            (error as? AgentError)?.message
                == "TypoArguments.fieldDescriptions names 'locaton', which is not a field of TypoArguments (fields: location)."
        }
    }

    @Test("a raw-value enum that is not CaseIterable is an error that says what to do")
    func notIterable() {
        #expect {
            try NotIterableArguments.jsonSchema()
        } throws: { error in
            (error as? AgentError)?.message.contains("must also be CaseIterable") == true
        }
    }

    @Test("arguments that do not decode from an object are an error")
    func scalar() {
        #expect {
            try ScalarArguments.jsonSchema()
        } throws: { error in
            (error as? AgentError)?.message.contains("must decode from a JSON object") == true
        }
    }

    @Test("the tool decodes the model's arguments into the type")
    func decoding() async throws {
        let tool = try AgentTool(name: "t", description: "d", arguments: FullArguments.self) { args in
            "\(args.location)|\(args.days)|\(args.unit?.rawValue ?? "-")|\(args.priority)|\(args.tags)|\(args.address.street)|\(args.counts ?? [:])"
        }
        #expect(tool.definition.function?.parameters == (try FullArguments.jsonSchema()))
        let backend = ScriptedBackend { step, _ in
            step == 0
                ? ScriptedBackend.calls([
                    (
                        "c1", "t",
                        #"{"location": "Oslo", "days": 2, "ratio": 0.5, "verbose": true, "unit": "celsius", "priority": 2, "tags": ["a"], "address": {"street": "Main 1"}, "counts": {"x": 1}}"#
                    ),
                    ("c2", "t", #"{"location": "Oslo", "days": 2.5}"#),
                    (
                        "c3", "t",
                        #"{"location": "Oslo", "days": 2, "ratio": 1, "verbose": false, "unit": "kelvin", "priority": 1, "tags": [], "address": {"street": "x"}}"#
                    ),
                ])
                : ScriptedBackend.text("ok")
        }
        let conversation = Conversation(backend: backend, tools: [tool])
        try await conversation.send("go")
        let results = await conversation.messages.filter { $0.role == "tool" }.compactMap(\.text)
        #expect(results[0] == #"Oslo|2|celsius|high|["a"]|Main 1|["x": 1]"#)
        #expect(results[1].contains("'days': expected an integer"))
        #expect(results[2].hasPrefix("Error: invalid arguments for t: 'unit'"))
    }
}
