import FunctionaryProtocol
import Hummingbird

/// The Messages API's shapes: content blocks, stop reasons and usage (its errors: `AnthropicError`).
enum AnthropicShapes {
    /// A call's arguments as a `tool_use` block's `input` object (text that is not an object is kept under `"input"`).
    static func input(_ arguments: String) -> JSONValue {
        if let value = try? JSONValue(parsing: arguments), case .object = value { return value }
        return ["input": .string(arguments)]
    }

    static func toolUse(id: String, name: String, input: JSONValue) -> JSONValue {
        ["type": "tool_use", "id": .string(id), "name": .string(name), "input": input]
    }

    /// `stop_reason`: `max_tokens` when cut, `tool_use` with calls, `stop_sequence` when one of the request's
    /// `stop_sequences` ended the turn (`stopSequence`, as the engine reported it), else `end_turn`.
    static func stopReason(engine: FinishReason, madeCalls: Bool, stopSequence: String? = nil) -> String {
        if engine == .length { return "max_tokens" }
        if madeCalls { return "tool_use" }
        return stopSequence != nil ? "stop_sequence" : "end_turn"
    }

    /// `input_tokens` are the prompt tokens that were not read from the prompt cache, as Anthropic counts them.
    static func usage(_ usage: GenerationUsage?, inputTokens: Int? = nil) -> JSONValue {
        let prompt = usage?.promptTokens ?? inputTokens ?? 0
        let cached = min(max(0, usage?.cachedPromptTokens ?? 0), prompt)
        return [
            "input_tokens": .int(prompt - cached), "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": .int(cached), "output_tokens": .int(usage?.completionTokens ?? 0),
        ]
    }

    /// The `message` object of a finished turn.
    static func message(
        id: String, model: String, content: [JSONValue], stopReason: String?, stopSequence: String? = nil, usage: JSONValue
    ) -> JSONValue {
        [
            "id": .string(id), "type": "message", "role": "assistant", "model": .string(model), "content": .array(content),
            "stop_reason": stopReason.map(JSONValue.string) ?? .null,
            "stop_sequence": stopReason == "stop_sequence" ? stopSequence.map(JSONValue.string) ?? .null : .null, "usage": usage,
        ]
    }

    /// The content blocks of a parsed turn: a text block when there is text, then one `tool_use` per call.
    static func content(_ output: AssistantOutput, parallelToolCalls: Bool) -> [JSONValue] {
        var blocks: [JSONValue] = []
        if let text = output.content, !text.isEmpty { blocks.append(["type": "text", "text": .string(text)]) }
        let calls = parallelToolCalls ? output.toolCalls : Array(output.toolCalls.prefix(1))
        for call in calls {
            blocks.append(toolUse(id: APIIdentifier.make("toolu_"), name: call.function.name, input: input(call.function.arguments)))
        }
        return blocks
    }
}
