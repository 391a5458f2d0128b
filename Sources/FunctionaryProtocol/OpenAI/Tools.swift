/// A function the model may call: name, description and a JSON Schema for its arguments.
public struct FunctionDefinition: Codable, Sendable, Hashable {
    public var name: String
    public var description: String?
    /// The JSON Schema of the arguments, key order as the user wrote it.
    public var parameters: JSONValue?

    public init(name: String, description: String? = nil, parameters: JSONValue? = nil) {
        self.name = name
        self.description = description
        self.parameters = parameters
    }

    /// As the reference server normalises it: `{"name", "description" (default ""), "parameters" (default null)}`.
    public var json: JSONValue {
        ["name": .string(name), "description": .string(description ?? ""), "parameters": parameters ?? .null]
    }
}

/// A tool offered to the model: a function, or the code interpreter (a `python` tool taking raw code).
public struct Tool: Codable, Sendable, Hashable {
    public enum Kind: String, Codable, Sendable, Hashable {
        case function
        case codeInterpreter = "code_interpreter"
    }

    public var type: Kind
    public var function: FunctionDefinition?

    public init(function: FunctionDefinition) {
        self.type = .function
        self.function = function
    }

    public static let codeInterpreter = Tool(type: .codeInterpreter, function: nil)

    init(type: Kind, function: FunctionDefinition?) {
        self.type = type
        self.function = function
    }

    enum CodingKeys: String, CodingKey { case type, function }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let typeName = try c.decodeIfPresent(String.self, forKey: .type) ?? "function"
        guard let kind = Kind(rawValue: typeName) else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath + [CodingKeys.type],
                    debugDescription: "unsupported tool type '\(typeName)'; supported types are 'function' and 'code_interpreter'"))
        }
        type = kind
        function = try c.decodeIfPresent(FunctionDefinition.self, forKey: .function)
        if kind == .function, function == nil {
            throw DecodingError.keyNotFound(CodingKeys.function, .init(codingPath: decoder.codingPath, debugDescription: "missing"))
        }
    }

    /// As the reference server normalises it: `{"type": …, "function": {…} | null}`.
    public var json: JSONValue { ["type": .string(type.rawValue), "function": function?.json ?? .null] }

    /// The name the model uses to call this tool (`python` for the code interpreter).
    public var callName: String { type == .codeInterpreter ? "python" : (function?.name ?? "") }
}

/// Which tools the model may or must call.
public enum ToolChoice: Sendable, Hashable {
    /// The model decides between text and calls.
    case auto
    /// Text only; tools are removed from the prompt.
    case none
    /// At least one call.
    case required
    /// Exactly this function (only it is rendered in the prompt).
    case function(String)

    /// The choice as the `--tool-choice` flag spells it: `auto`, `none`, `required` or a function name.
    public init(flag: String) {
        switch flag {
        case "auto": self = .auto
        case "none": self = .none
        case "required": self = .required
        default: self = .function(flag)
        }
    }

    public var flag: String {
        switch self {
        case .auto: return "auto"
        case .none: return "none"
        case .required: return "required"
        case .function(let name): return name
        }
    }
}
