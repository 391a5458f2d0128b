import Foundation
import FunctionaryProtocol

/// The non-streaming `chat.completion` object and the pieces both response kinds share.
enum ChatResponses {
    /// `finish_reason` of a choice (protocol §6.4–6.5): `length` when the engine ran out of tokens; with calls
    /// and tool_choice auto/required `tool_calls` (`function_call` for legacy functions); a named choice keeps
    /// the engine's reason, as OpenAI does.
    static func finishReason(engine: FinishReason, calls: Int, plan: ChatPlan) -> String {
        if engine == .length || calls == 0 { return engine.rawValue }
        if case .function = plan.resolved.choice { return engine.rawValue }
        return plan.resolved.legacyFunctions ? "function_call" : "tool_calls"
    }

    static func usage(_ usage: GenerationUsage) -> JSONValue {
        [
            "prompt_tokens": .number(JSONNumber(usage.promptTokens)),
            "completion_tokens": .number(JSONNumber(usage.completionTokens)),
            "total_tokens": .number(JSONNumber(usage.promptTokens + usage.completionTokens)),
            "prompt_tokens_details": ["cached_tokens": .number(JSONNumber(usage.cachedPromptTokens))],
        ]
    }

    /// The assistant message of one choice: the template parses the output (stripped, as the reference does);
    /// what it cannot read stays content.
    static func message(for output: String, plan: ChatPlan) -> (message: JSONValue, calls: Int) {
        let text = output.trimmingCharacters(in: .whitespacesAndNewlines)
        let parsed = plan.template.parse(text, toolChoice: plan.resolved.choice)
        var calls = parsed.toolCalls
        if !plan.parallelToolCalls { calls = Array(calls.prefix(1)) }
        var content: JSONValue = .null
        if let text = parsed.content, !text.isEmpty {
            content = .string(text)
        } else if calls.isEmpty {
            content = ""
        }
        var message: JSONObject = ["role": "assistant", "content": content]
        if plan.resolved.legacyFunctions, let first = calls.first {
            message["function_call"] = ["name": .string(first.function.name), "arguments": .string(first.function.arguments)]
        } else if !calls.isEmpty {
            message["tool_calls"] = .array(
                calls.map { call in
                    [
                        "id": .string(call.id ?? ToolCallID.make()), "type": "function",
                        "function": ["name": .string(call.function.name), "arguments": .string(call.function.arguments)],
                    ]
                })
        }
        return (.object(message), calls.count)
    }

    /// The `chat.completion` object.
    static func completion(
        id: String, created: Int, plan: ChatPlan, collected: GenerationRunner.Collected
    ) -> JSONValue {
        let choices: [JSONValue] = collected.texts.indices.map { index in
            let (message, calls) = message(for: collected.texts[index], plan: plan)
            let engineReason = collected.reasons[index] ?? (collected.stoppedByShutdown ? .length : .stop)
            return [
                "index": .number(JSONNumber(index)), "message": message, "logprobs": .null,
                "finish_reason": .string(finishReason(engine: engineReason, calls: calls, plan: plan)),
            ]
        }
        return [
            "id": .string(id), "object": "chat.completion", "created": .number(JSONNumber(created)), "model": .string(plan.model),
            "choices": .array(choices),
            "usage": usage(collected.usage ?? GenerationUsage(promptTokens: 0, completionTokens: 0)),
        ]
    }
}
