/// The `finish_reason` of a chat completion choice.
public enum CompletionFinishReason: String, Sendable, Hashable, Codable {
    case stop
    case length
    case toolCalls = "tool_calls"
    case functionCall = "function_call"

    /// The reason reported for a choice, the same for streaming and non-streaming responses (protocol §6.5):
    /// - a named tool_choice keeps the engine's reason (`stop`), as OpenAI does for a forced function;
    /// - otherwise, when the output holds a call: `tool_calls`, or `function_call` for a legacy `functions` request
    ///   (this wins over `length`, as in the reference);
    /// - otherwise the engine's reason.
    ///
    /// This fixes the reference's streaming bugs where finished calls ended with `stop` (v3-llama3.1), legacy
    /// functions with `tool_calls`, and a named tool_choice with `tool_calls` (§9 items 3, 7, 8).
    /// - Parameters:
    ///   - engine: why generation stopped.
    ///   - madeCalls: whether the parsed output has at least one call.
    ///   - toolChoice: the request's (resolved) tool_choice.
    ///   - legacyFunctions: whether the request used `functions`/`function_call`.
    public static func resolve(engine: FinishReason, madeCalls: Bool, toolChoice: ToolChoice, legacyFunctions: Bool) -> Self {
        let engineReason: Self = engine == .length ? .length : .stop
        if case .function = toolChoice { return engineReason }
        if madeCalls { return legacyFunctions ? .functionCall : .toolCalls }
        return engineReason
    }
}

extension AssistantOutput {
    /// The assistant message as the API returns it. For a legacy `functions` request the first call becomes
    /// `function_call` and `tool_calls` is dropped, further calls too, as the reference does (§6.4).
    /// - Parameter legacyFunctions: whether the request used `functions`/`function_call`.
    public func responseMessage(legacyFunctions: Bool) -> ChatMessage {
        guard legacyFunctions else { return message }
        return ChatMessage(role: "assistant", content: content, functionCall: toolCalls.first?.function)
    }

    /// The `finish_reason` for this output (see `CompletionFinishReason.resolve`).
    public func finishReason(engine: FinishReason, toolChoice: ToolChoice, legacyFunctions: Bool) -> CompletionFinishReason {
        .resolve(engine: engine, madeCalls: !toolCalls.isEmpty, toolChoice: toolChoice, legacyFunctions: legacyFunctions)
    }
}
