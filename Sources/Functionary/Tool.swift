import Foundation
import FunctionaryAgent
import FunctionaryProtocol

/// A tool the model may call: a name, a description, typed arguments (whose schema the model sees) and
/// the Swift code that runs the call.
///
/// ```swift
/// struct WeatherTool: Tool {
///     let name = "get_current_weather"
///     let description = "Get the current weather in a given location"
///     @Generable struct Arguments {
///         @Guide(description: "The city and state, e.g. San Francisco, CA") var location: String
///     }
///     func call(arguments: Arguments) async throws -> WeatherReport { … }   // any Encodable or Generable value, or text
/// }
/// ```
///
/// The output goes back to the model as text: a `String` as it is, a `Generable` value or an `Encodable` value as JSON.
/// An error thrown by `call(arguments:)` becomes a tool result that tells the model what went wrong (or ends the
/// response with `LanguageModelSession.Error.toolFailed`, see `GenerationOptions.toolFailure`).
public protocol Tool<Arguments, Output>: Sendable {
    /// The arguments, decoded from the model's JSON.
    associatedtype Arguments: ConvertibleFromGeneratedContent
    /// What a call returns.
    associatedtype Output: Sendable = String
    /// The name the model calls (letters, digits, `_` and `-`).
    var name: String { get }
    /// What the tool does, for the model.
    var description: String { get }
    /// The JSON Schema of `Arguments` (by default `Arguments.generationSchema`).
    var parameters: GeneratedContent { get }
    /// Runs a call.
    func call(arguments: Arguments) async throws -> Output
}

extension Tool where Arguments: Generable {
    public var parameters: GeneratedContent { Arguments.generationSchema }
}

extension Tool {
    /// The tool as the agent library runs it (`Conversation`, `AgentTool`).
    public var agentTool: AgentTool {
        if let tool = self as? AgentTool { return tool }
        let name = name
        return AgentTool(name: name, description: description, parameters: parameters) { json in
            let arguments: Arguments
            do {
                arguments = try Arguments(json)
            } catch {
                throw ToolError("invalid arguments for \(name): \(error). Call \(name) again with arguments that match its parameters.")
            }
            return ToolOutputText.text(of: try await call(arguments: arguments))
        }
    }
}

/// How a tool's output becomes the text of its result.
enum ToolOutputText {
    static func text(of output: Any) -> String {
        if let text = output as? String { return text }
        if let content = output as? any ConvertibleToGeneratedContent { return content.generatedContent.pythonJSON() }
        if let value = output as? any Encodable {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            if let data = try? encoder.encode(value), let text = String(data: data, encoding: .utf8) { return text }
        }
        return String(describing: output)
    }
}

/// Any tool of the agent library (a hand-written schema, MCP tools, the code interpreter) is a `Tool`: its
/// arguments are the model's JSON as it is.
extension AgentTool: Tool {
    public var description: String { definition.function?.description ?? "" }
    public var parameters: GeneratedContent { definition.function?.parameters ?? ToolGrammar.anyObjectSchema }
    public func call(arguments: GeneratedContent) async throws -> String {
        try await run(arguments: arguments.compactJSON())
    }
}

/// A tool made from a closure: `FunctionTool(name: "flip_coin", description: "Flip a coin") { (_: NoArguments) in "heads" }`.
public struct FunctionTool<Arguments: Generable, Output: Sendable>: Tool {
    public let name: String
    public let description: String
    let body: @Sendable (Arguments) async throws -> Output

    /// - Parameters:
    ///   - name: the name the model calls.
    ///   - description: what the tool does.
    ///   - arguments: the arguments type (usually inferred from `call`).
    ///   - call: runs a call.
    public init(
        name: String, description: String, arguments: Arguments.Type = Arguments.self,
        call: @escaping @Sendable (Arguments) async throws -> Output
    ) {
        self.name = name
        self.description = description
        self.body = call
    }

    public func call(arguments: Arguments) async throws -> Output { try await body(arguments) }
}

/// The arguments of a tool that takes none: `{}`.
@Generable
public struct EmptyArguments: Sendable {
    public init() {}
}
