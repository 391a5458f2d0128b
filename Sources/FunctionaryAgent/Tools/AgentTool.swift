import FunctionaryProtocol

/// A tool a conversation can run: what the model sees (name, description, JSON Schema) and a Swift
/// handler that receives the call's arguments and returns the text sent back as the tool result.
///
/// ```swift
/// struct PriceArguments: ToolArguments {
///     var carName: String
///     enum CodingKeys: String, CodingKey { case carName = "car_name" }
///     static let fieldDescriptions = ["car_name": "The name of the car"]
/// }
/// let tool = try AgentTool(name: "get_car_price", description: "Get the price of a car", arguments: PriceArguments.self) {
///     args in try await prices.lookup(args.carName)
/// }
/// ```
public struct AgentTool: Sendable {
    /// Runs a call: the raw `arguments` text the model produced, returns the result text.
    public typealias Handler = @Sendable (_ arguments: String) async throws -> String

    /// The tool as it is offered to the model.
    public let definition: Tool
    /// The longest a call may run; `nil`: the conversation's default.
    public var timeout: Duration?
    let handler: Handler

    /// Runs a call with the raw arguments text the model produced (failures are thrown, not turned into results).
    public func run(arguments: String) async throws -> String { try await handler(arguments) }

    /// The name the model calls (`python` for the code interpreter).
    public var name: String { definition.callName }

    /// A tool with a hand-written JSON Schema; the handler gets the arguments as a parsed JSON value
    /// (`{}` when the model sent none).
    public init(
        name: String, description: String, parameters: JSONValue, timeout: Duration? = nil,
        handler: @escaping @Sendable (JSONValue) async throws -> String
    ) {
        self.definition = Tool(function: FunctionDefinition(name: name, description: description, parameters: parameters))
        self.timeout = timeout
        self.handler = { text in try await handler(try ToolArgumentError.parse(text, tool: name)) }
    }

    /// A tool whose JSON Schema is derived from `Arguments`; the handler gets the decoded arguments.
    /// - Throws: `AgentError(.schema)` when no schema can be derived from `Arguments`.
    public init<Arguments: ToolArguments>(
        name: String, description: String, arguments: Arguments.Type, timeout: Duration? = nil,
        handler: @escaping @Sendable (Arguments) async throws -> String
    ) throws {
        let schema = try Arguments.jsonSchema()
        self.definition = Tool(function: FunctionDefinition(name: name, description: description, parameters: schema))
        self.timeout = timeout
        self.handler = { text in
            let value = try ToolArgumentError.parse(text, tool: name)
            let arguments: Arguments
            do {
                arguments = try JSONValueDecoder().decode(Arguments.self, from: value)
            } catch {
                throw ToolArgumentError(message: "invalid arguments for \(name): \(JSONValueDecoder.describe(error).message)")
            }
            return try await handler(arguments)
        }
    }

    /// Any tool definition (a function or `Tool.codeInterpreter`) with a handler of the raw arguments text.
    public init(definition: Tool, timeout: Duration? = nil, handler: @escaping Handler) {
        self.definition = definition
        self.timeout = timeout
        self.handler = handler
    }

    /// The code interpreter: calls to `python` run in `interpreter` (which enforces its own time limit).
    /// Arguments are the raw code, or `{"code": …}` as some templates and servers send it.
    public static func codeInterpreter(_ interpreter: CodeInterpreter) -> AgentTool {
        AgentTool(definition: .codeInterpreter) { arguments in
            let result = try await interpreter.run(CodeInterpreter.code(fromArguments: arguments))
            return result.formatted
        }
    }
}

/// An error a tool throws to report a problem to the model: its message becomes the tool result.
public struct ToolError: Error, Sendable, Hashable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The model's arguments were not valid JSON, or did not match the arguments type.
struct ToolArgumentError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }

    /// Parses the arguments text (empty: `{}`).
    static func parse(_ text: String, tool: String) throws -> JSONValue {
        let trimmed = text.trimmingWhitespace()
        if trimmed.isEmpty { return [:] }
        do {
            return try JSONValue(parsing: trimmed)
        } catch {
            throw ToolArgumentError(message: "the arguments of \(tool) are not valid JSON (\(error))")
        }
    }
}
