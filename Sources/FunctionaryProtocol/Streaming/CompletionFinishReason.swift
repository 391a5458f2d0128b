/// The `finish_reason` of a chat completion choice.
public enum CompletionFinishReason: String, Sendable, Hashable, Codable {
    case stop
    case length
    case toolCalls = "tool_calls"
    case functionCall = "function_call"

    /// The reason reported for a choice, the same for streaming and non-streaming responses (protocol §6.5):
    /// - `length` when generation was cut off, even if calls were read (OpenAI's meaning: the output, maybe a call's
    ///   arguments, is truncated; the reference reports `tool_calls` there);
    /// - a named tool_choice keeps the engine's reason (`stop`), as OpenAI does for a forced function;
    /// - otherwise, when the output holds a call: `tool_calls`, or `function_call` for a legacy `functions` request;
    /// - otherwise `stop`.
    ///
    /// This fixes the reference's streaming bugs where finished calls ended with `stop` (v3-llama3.1), legacy
    /// functions with `tool_calls`, and a named tool_choice with `tool_calls` (§9 items 3, 7, 8).
    /// - Parameters:
    ///   - engine: why generation stopped.
    ///   - madeCalls: whether the parsed output has at least one call.
    ///   - toolChoice: the request's (resolved) tool_choice.
    ///   - legacyFunctions: whether the request used `functions`/`function_call`.
    public static func resolve(engine: FinishReason, madeCalls: Bool, toolChoice: ToolChoice, legacyFunctions: Bool) -> Self {
        if engine == .length { return .length }
        if case .function = toolChoice { return .stop }
        if madeCalls { return legacyFunctions ? .functionCall : .toolCalls }
        return .stop
    }
}

extension AssistantOutput {
    /// The assistant message as the API returns it. For a legacy `functions` request the first call becomes
    /// `function_call` and `tool_calls` is dropped, further calls too, as the reference does (§6.4).
    /// - Parameters:
    ///   - legacyFunctions: whether the request used `functions`/`function_call`.
    ///   - parallelToolCalls: `false` keeps only the first call (`parallel_tool_calls: false`).
    public func responseMessage(legacyFunctions: Bool, parallelToolCalls: Bool = true) -> ChatMessage {
        if legacyFunctions {
            return ChatMessage(role: "assistant", content: content, functionCall: toolCalls.first?.function)
        }
        let calls = parallelToolCalls ? toolCalls : Array(toolCalls.prefix(1))
        return ChatMessage(role: "assistant", content: content, toolCalls: calls.isEmpty ? nil : calls)
    }

    /// The `finish_reason` for this output (see `CompletionFinishReason.resolve`).
    public func finishReason(engine: FinishReason, toolChoice: ToolChoice, legacyFunctions: Bool) -> CompletionFinishReason {
        .resolve(engine: engine, madeCalls: !toolCalls.isEmpty, toolChoice: toolChoice, legacyFunctions: legacyFunctions)
    }
}
