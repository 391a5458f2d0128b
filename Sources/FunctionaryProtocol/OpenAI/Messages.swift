/// A function call as it appears in an assistant message: a name and its arguments as text
/// (a JSON object for functions, raw code for `python`).
public struct FunctionCall: Codable, Sendable, Hashable {
    public var name: String
    public var arguments: String

    public init(name: String, arguments: String) {
        self.name = name
        self.arguments = arguments
    }

    enum CodingKeys: String, CodingKey { case name, arguments }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        arguments = try c.decodeIfPresent(String.self, forKey: .arguments) ?? ""
    }

    public var json: JSONValue { ["name": .string(name), "arguments": .string(arguments)] }
}

/// One tool call of an assistant message (`{"id","type":"function","function":{...}}`).
public struct ToolCall: Codable, Sendable, Hashable {
    public var id: String?
    public var type: String?
    public var function: FunctionCall

    public init(id: String? = ToolCallID.make(), function: FunctionCall) {
        self.id = id
        self.type = "function"
        self.function = function
    }

    public init(id: String? = ToolCallID.make(), name: String, arguments: String) {
        self.init(id: id, function: FunctionCall(name: name, arguments: arguments))
    }

    enum CodingKeys: String, CodingKey { case id, type, function }

    public var json: JSONValue {
        ["id": id.map(JSONValue.string) ?? .null, "type": "function", "function": function.json]
    }
}

/// Tool call ids in OpenAI's style: `call_` and 24 letters or digits.
public enum ToolCallID {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")

    /// A fresh random id.
    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        return make(using: &generator)
    }

    public static func make<G: RandomNumberGenerator>(using generator: inout G) -> String {
        var id = "call_"
        for _ in 0..<24 { id.append(alphabet.randomElement(using: &generator)!) }
        return id
    }
}

/// Message content: a string, or OpenAI's list of parts (`{"type":"text","text":…}`, images…).
public enum MessageContent: Codable, Sendable, Hashable {
    case text(String)
    case parts([JSONValue])

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let s = try? c.decode(String.self) {
            self = .text(s)
        } else if let parts = try? c.decode([JSONValue].self) {
            self = .parts(parts)
        } else {
            throw DecodingError.typeMismatch(
                String.self, .init(codingPath: decoder.codingPath, debugDescription: "content must be a string, an array of parts or null"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .text(let s): try c.encode(s)
        case .parts(let p): try c.encode(p)
        }
    }

    /// The text: a string as is, a list of parts as the concatenation of its text parts.
    public var text: String {
        switch self {
        case .text(let s): return s
        case .parts(let parts):
            return parts.compactMap { part in part["type"]?.stringValue == "text" ? part["text"]?.stringValue : nil }.joined()
        }
    }

    public var json: JSONValue {
        switch self {
        case .text(let s): return .string(s)
        case .parts(let p): return .array(p)
        }
    }
}

/// A chat message with any of the roles `system`, `user`, `assistant`, `tool` (and legacy `function`).
public struct ChatMessage: Codable, Sendable, Hashable {
    public var role: String
    public var content: MessageContent?
    public var name: String?
    public var toolCallID: String?
    public var toolCalls: [ToolCall]?
    public var functionCall: FunctionCall?
    /// Training-data metadata (`{"masked": true}`); ignored by rendering.
    public var metadata: JSONValue?

    public init(
        role: String, content: String?, name: String? = nil, toolCallID: String? = nil, toolCalls: [ToolCall]? = nil,
        functionCall: FunctionCall? = nil, metadata: JSONValue? = nil
    ) {
        self.role = role
        self.content = content.map(MessageContent.text)
        self.name = name
        self.toolCallID = toolCallID
        self.toolCalls = toolCalls
        self.functionCall = functionCall
        self.metadata = metadata
    }

    enum CodingKeys: String, CodingKey {
        case role, content, name, metadata
        case toolCallID = "tool_call_id"
        case toolCalls = "tool_calls"
        case functionCall = "function_call"
    }

    /// The content as text (`nil` when absent).
    public var text: String? { content?.text }

    /// The message as OpenAI JSON (absent fields omitted, `content` always present).
    public var json: JSONValue {
        var o: JSONObject = ["role": .string(role), "content": content?.json ?? .null]
        if let name { o["name"] = .string(name) }
        if let toolCallID { o["tool_call_id"] = .string(toolCallID) }
        if let toolCalls { o["tool_calls"] = .array(toolCalls.map(\.json)) }
        if let functionCall { o["function_call"] = functionCall.json }
        return .object(o)
    }
}
