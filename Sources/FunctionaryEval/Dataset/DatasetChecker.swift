import FunctionaryProtocol

/// Validates Functionary training files (protocol §8.1) before training: structure and field types,
/// roles, tool calls against the declared tools and their JSON Schemas, tool results against the
/// calls they answer, and `metadata.masked`.
///
/// Problems are reported per line with a JSON path into the line's object, e.g.
/// `7: $.messages[4].tool_calls[0].function.arguments.location: expected string, got integer 5 (parameters of get_weather)`.
public struct DatasetChecker: Sendable {
    /// The roles a training conversation may use.
    public static let allowedRoles = ["system", "user", "assistant", "tool"]

    public init() {}

    /// Checks every line of a JSONL text.
    /// - Returns: the problems in line order; empty when the file is valid.
    public func check(jsonl text: String) -> [DatasetProblem] {
        var problems: [DatasetProblem] = []
        for line in DatasetReader.lines(of: text) {
            switch DatasetReader.parse(line) {
            case .success(let value): problems += check(value, line: line.number)
            case .failure(let problem): problems.append(problem)
            }
        }
        return problems
    }

    /// Checks one conversation object.
    /// - Parameters:
    ///   - conversation: the parsed line.
    ///   - line: its line number, for the problems.
    public func check(_ conversation: JSONValue, line: Int) -> [DatasetProblem] {
        var run = ConversationCheck(line: line)
        run.check(conversation)
        return run.problems
    }
}

/// The checks of one line, collecting problems.
struct ConversationCheck {
    let line: Int
    var problems: [DatasetProblem] = []
    /// Declared function names → their parameter schemas (`nil`: none given).
    var schemas: [String: JSONValue?] = [:]
    var hasCodeInterpreter = false

    init(line: Int) {
        self.line = line
    }

    mutating func report(_ path: String, _ message: String) {
        problems.append(DatasetProblem(line: line, path: path, message: message))
    }

    mutating func check(_ conversation: JSONValue) {
        guard case .object(let object) = conversation else {
            report("$", "expected a JSON object with 'messages' (and 'tools'), got \(conversation.typeName)")
            return
        }
        if let tools = object["tools"] {
            checkTools(tools, at: "$.tools", legacy: false)
            if object["functions"] != nil {
                report("$.functions", "both 'tools' and 'functions' are given; training uses 'tools' and ignores 'functions'")
            }
        } else if let functions = object["functions"] {
            checkTools(functions, at: "$.functions", legacy: true)
        }
        guard let messages = object["messages"] else {
            report("$", "missing 'messages'")
            return
        }
        guard case .array(let list) = messages else {
            report("$.messages", "expected an array of messages, got \(messages.typeName)")
            return
        }
        if list.isEmpty {
            report("$.messages", "no messages")
            return
        }
        checkMessages(list)
    }

    mutating func checkTools(_ value: JSONValue, at path: String, legacy: Bool) {
        guard case .array(let tools) = value else {
            report(path, "expected an array of \(legacy ? "functions" : "tools"), got \(value.typeName)")
            return
        }
        var firstDeclaration: [String: String] = [:]
        for (i, tool) in tools.enumerated() {
            let toolPath = "\(path)[\(i)]"
            guard case .object(let object) = tool else {
                report(toolPath, "expected an object, got \(tool.typeName)")
                continue
            }
            var function = tool
            var functionPath = toolPath
            if !legacy {
                let type = object["type"] ?? .string("function")
                switch type.stringValue {
                case "code_interpreter":
                    hasCodeInterpreter = true
                    continue
                case "function":
                    guard let inner = object["function"] else {
                        report(toolPath, "a tool of type 'function' needs a 'function' object")
                        continue
                    }
                    function = inner
                    functionPath = toolPath + ".function"
                default:
                    report(toolPath + ".type", "unsupported tool type \(Self.show(type)); supported: 'function', 'code_interpreter'")
                    continue
                }
            }
            guard let name = checkFunction(function, at: functionPath) else { continue }
            if let earlier = firstDeclaration[name] {
                report(functionPath + ".name", "function '\(name)' is declared twice (also at \(earlier))")
                continue
            }
            firstDeclaration[name] = functionPath
            schemas[name] = .some(function["parameters"].flatMap { $0 == .null ? nil : $0 })
        }
    }

    /// Checks a function definition; returns its name when it has one.
    mutating func checkFunction(_ value: JSONValue, at path: String) -> String? {
        guard case .object(let function) = value else {
            report(path, "expected a function object, got \(value.typeName)")
            return nil
        }
        if let description = function["description"], description.stringValue == nil, description != .null {
            report(path + ".description", "expected a string, got \(description.typeName)")
        }
        if let parameters = function["parameters"] {
            switch parameters {
            case .object, .null, .bool: break
            default: report(path + ".parameters", "expected a JSON Schema object, got \(parameters.typeName)")
            }
        }
        guard let nameValue = function["name"] else {
            report(path, "missing 'name'")
            return nil
        }
        guard let name = nameValue.stringValue, !name.isEmpty else {
            report(path + ".name", "expected a non-empty string, got \(Self.show(nameValue))")
            return nil
        }
        return name
    }

    /// `integer 5`, `string "x"`, `null`, for messages.
    static func show(_ value: JSONValue) -> String { JSONSchemaValidator.show(value) }
}
