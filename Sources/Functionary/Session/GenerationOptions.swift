import FunctionaryAgent
import FunctionaryProtocol

/// How one response is generated: sampling, tool_choice and the tool loop's limits.
public struct GenerationOptions: Sendable, Hashable {
    /// What to do when a tool throws.
    public enum ToolFailure: Sendable, Hashable {
        /// The error becomes the tool's result and the model goes on (it may retry or explain).
        case reportToModel
        /// The response ends with `LanguageModelSession.Error.toolFailed`.
        case throwError
    }

    /// 0 is greedy (the default model is reliable at 0 only); nil: the backend's default.
    public var temperature: Double?
    /// The most tokens one model turn may generate; nil: the backend's default.
    public var maximumResponseTokens: Int?
    /// Same seed, same request: same output (where the backend supports it).
    public var seed: Int?
    /// tool_choice of the first turn: `.auto` lets the model decide, `.required` or `.function(name)` forces a call.
    public var toolChoice: ToolChoice
    /// tool_choice of the turns after tool results.
    public var followUpToolChoice: ToolChoice
    /// The most model turns one response may take.
    public var maximumSteps: Int
    /// The longest one tool call may run; nil: no limit.
    public var toolTimeout: Duration?
    /// What a failing tool does: `.reportToModel` (its error becomes the tool's output) or `.throwError`.
    public var toolFailure: ToolFailure

    /// Options; every one has the default of a plain `GenerationOptions()`.
    public init(
        temperature: Double? = nil, maximumResponseTokens: Int? = nil, seed: Int? = nil, toolChoice: ToolChoice = .auto,
        followUpToolChoice: ToolChoice = .auto, maximumSteps: Int = 8, toolTimeout: Duration? = .seconds(60),
        toolFailure: ToolFailure = .reportToModel
    ) {
        self.temperature = temperature
        self.maximumResponseTokens = maximumResponseTokens
        self.seed = seed
        self.toolChoice = toolChoice
        self.followUpToolChoice = followUpToolChoice
        self.maximumSteps = maximumSteps
        self.toolTimeout = toolTimeout
        self.toolFailure = toolFailure
    }

    /// The conversation options of a run; `schema` is the typed answer's JSON Schema.
    func conversationOptions(schema: GeneratedContent?) -> Conversation.Options {
        Conversation.Options(
            maxSteps: maximumSteps, toolChoice: toolChoice, followUpToolChoice: schema == nil ? followUpToolChoice : .none,
            toolTimeout: toolTimeout,
            sampling: SamplingOptions(temperature: temperature, maxTokens: maximumResponseTokens, seed: seed), responseFormat: schema)
    }
}
