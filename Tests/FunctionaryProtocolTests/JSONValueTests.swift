import Testing

@testable import FunctionaryProtocol

@Suite struct JSONValueTests {
    @Test func keepsKeyOrderAndNumbers() throws {
        let text = #"{"b": 1, "a": [1.0, 1e16, 2.50, -0, 1E-5, 123456789012345678901], "c": {"z": null, "y": true}, "b": 2}"#
        let value = try JSONValue(parsing: text)
        #expect(value.pythonJSON() == #"{"b": 2, "a": [1.0, 1e+16, 2.5, 0, 1e-05, 123456789012345678901], "c": {"z": null, "y": true}}"#)
        #expect(value.compactJSON() == #"{"b":2,"a":[1.0,1e16,2.50,-0,1E-5,123456789012345678901],"c":{"z":null,"y":true}}"#)
    }

    @Test func escapesLikePython() throws {
        let value = try JSONValue(parsing: #"["a\"b\\c\n\t\u0001/é中😀\u2028"]"#)
        #expect(value.pythonJSON() == "[\"a\\\"b\\\\c\\n\\t\\u0001/é中😀\u{2028}\"]")
    }

    @Test func pythonStr() throws {
        let value = try JSONValue(parsing: #"{"a1": "1", "b": [true, null, 1.5, "it's"], "c": "say \"hi\" it's"}"#)
        #expect(value.pythonStr() == #"{'a1': '1', 'b': [True, None, 1.5, "it's"], 'c': 'say "hi" it\'s'}"#)
        #expect(JSONValue.string("x").pythonStr() == "x")
        #expect(JSONValue.number(JSONNumber(literal: "36")).pythonStr() == "36")
        #expect(JSONValue.number(JSONNumber(literal: "0.0001")).pythonStr() == "0.0001")
        #expect(JSONValue.number(JSONNumber(literal: "12345678.9")).pythonStr() == "12345678.9")
    }

    @Test func reportsPosition() {
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: "{\"a\": }") }
        do {
            _ = try JSONValue(parsing: "{\n  \"a\" 1}")
        } catch let error as JSONParseError {
            #expect(error.line == 2)
            #expect(error.reason.contains("':'"))
        } catch {
            Issue.record("unexpected \(error)")
        }
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: String(repeating: "[", count: 10_000)) }
    }

    @Test func decodesWithPaths() throws {
        let json = try JSONValue(parsing: #"{"model": "m", "messages": [{"role": "user", "content": 5}]}"#)
        do {
            _ = try JSONValueDecoder().decode(ChatCompletionRequest.self, from: json)
            Issue.record("expected an error")
        } catch {
            let described = JSONValueDecoder.describe(error)
            #expect(described.path == "messages[0].content")
        }
        let missing = try JSONValue(parsing: #"{"messages": []}"#)
        #expect(throws: DecodingError.self) { try JSONValueDecoder().decode(ChatCompletionRequest.self, from: missing) }
    }
}
