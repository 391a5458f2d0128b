import FunctionaryProtocol

/// Sampling settings the conversation passes to its backend; `nil` leaves the backend's default.
public struct SamplingOptions: Sendable, Hashable {
    /// 0 means greedy.
    public var temperature: Double?
    public var topP: Double?
    /// The most tokens one assistant turn may generate.
    public var maxTokens: Int?
    /// Same seed, same request: same output (where the backend supports it).
    public var seed: Int?

    public init(temperature: Double? = nil, topP: Double? = nil, maxTokens: Int? = nil, seed: Int? = nil) {
        self.temperature = temperature
        self.topP = topP
        self.maxTokens = maxTokens
        self.seed = seed
    }
}

/// What a backend is asked for: one assistant turn continuing `messages`.
public struct TurnRequest: Sendable, Hashable {
    /// The conversation so far (system, user, assistant and tool messages).
    public var messages: [ChatMessage]
    /// The tools offered to the model (empty: none).
    public var tools: [Tool]
    /// How the model must use the tools; `nil` when there are no tools.
    public var toolChoice: ToolChoice?
    /// Whether the model may make more than one call in this turn.
    public var parallelToolCalls: Bool
    public var sampling: SamplingOptions
    /// A JSON Schema the answer must satisfy (`response_format` of type `json_schema`); the answer is then
    /// JSON text, constrained by the schema's grammar. Only with no tools or tool_choice `none`.
    public var responseFormat: JSONValue?

    public init(
        messages: [ChatMessage], tools: [Tool] = [], toolChoice: ToolChoice? = nil, parallelToolCalls: Bool = true,
        sampling: SamplingOptions = SamplingOptions(), responseFormat: JSONValue? = nil
    ) {
        self.messages = messages
        self.tools = tools
        self.toolChoice = toolChoice
        self.parallelToolCalls = parallelToolCalls
        self.sampling = sampling
        self.responseFormat = responseFormat
    }
}

/// A piece of an assistant turn, as the backend streams it.
public enum TurnEvent: Sendable, Hashable {
    /// More text of the answer.
    case text(String)
    /// A tool call starts: its position in the turn, its id and the function's name.
    case toolCallStart(index: Int, id: String, name: String)
    /// More of the arguments of the call at `index`.
    case toolCallArguments(index: Int, String)
}

/// One finished assistant turn.
public struct AssistantTurn: Sendable, Hashable {
    /// The assembled assistant message (content and/or tool calls, each call with an id).
    public var message: ChatMessage
    /// `stop`, `length` or `tool_calls`, as OpenAI reports it.
    public var finishReason: String
    /// Token counts, when the backend reports them.
    public var usage: GenerationUsage?

    public init(message: ChatMessage, finishReason: String, usage: GenerationUsage? = nil) {
        self.message = message
        self.finishReason = finishReason
        self.usage = usage
    }

    /// The tool calls of the turn (empty for a text answer).
    public var toolCalls: [ToolCall] { message.toolCalls ?? [] }
}

/// Something that produces assistant turns: the embedded engine (`EngineBackend`), an
/// OpenAI-compatible server (`HTTPBackend`), or a scripted backend in tests.
public protocol ChatBackend: Sendable {
    /// Generates one assistant turn.
    ///
    /// - Parameters:
    ///   - request: the conversation, tools and tool_choice.
    ///   - onEvent: called with each piece as it is generated, in order, before this function returns.
    /// - Returns: the whole turn.
    /// - Throws: `AgentError` or the engine's `GenerationError`; `CancellationError` (or the backend's own
    ///   cancellation error) when the calling task is cancelled.
    func respond(to request: TurnRequest, onEvent: @escaping @Sendable (TurnEvent) -> Void) async throws -> AssistantTurn
}

extension ToolChoice {
    /// The OpenAI request value: `"auto"`, `"none"`, `"required"` or `{"type":"function","function":{"name":…}}`.
    var requestJSON: JSONValue {
        switch self {
        case .auto, .none, .required: return .string(flag)
        case .function(let name): return ["type": "function", "function": ["name": .string(name)]]
        }
    }
}
