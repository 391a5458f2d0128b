import FunctionaryProtocol

/// The non-streaming `chat.completion` object.
enum ChatResponses {
    static func usage(_ usage: GenerationUsage) -> JSONValue {
        let (total, overflow) = usage.promptTokens.addingReportingOverflow(usage.completionTokens)
        return [
            "prompt_tokens": .number(JSONNumber(usage.promptTokens)),
            "completion_tokens": .number(JSONNumber(usage.completionTokens)),
            "total_tokens": .number(JSONNumber(overflow ? Int.max : total)),
            "prompt_tokens_details": ["cached_tokens": .number(JSONNumber(usage.cachedPromptTokens))],
        ]
    }

    /// One choice: the template parses the output (what it cannot read stays content, never an error); legacy
    /// `functions` answer with `function_call`; the finish reason follows `CompletionFinishReason.resolve`, as the
    /// streamed chunks do.
    static func choice(
        index: Int, output: String, engineReason: FinishReason, plan: ChatPlan, logprobs: [TokenLogprobs] = []
    ) -> JSONValue {
        var parsed = plan.template.parse(output, toolChoice: plan.resolved.choice)
        if !plan.parallelToolCalls { parsed.toolCalls = Array(parsed.toolCalls.prefix(1)) }
        var message = parsed.responseMessage(legacyFunctions: plan.resolved.legacyFunctions).json
        if parsed.content == nil, parsed.toolCalls.isEmpty, case .object(var object) = message {
            object["content"] = ""
            message = .object(object)
        }
        let reason = parsed.finishReason(
            engine: engineReason, toolChoice: plan.resolved.choice, legacyFunctions: plan.resolved.legacyFunctions)
        return [
            "index": .number(JSONNumber(index)), "message": message,
            "logprobs": plan.generation.sampling.logprobs == nil ? .null : LogprobsJSON.chat(logprobs),
            "finish_reason": .string(reason.rawValue),
        ]
    }

    /// The `chat.completion` object.
    static func completion(id: String, created: Int, plan: ChatPlan, collected: GenerationRunner.Collected) -> JSONValue {
        let choices: [JSONValue] = collected.texts.indices.map { index in
            choice(
                index: index, output: collected.texts[index],
                engineReason: collected.reasons[index] ?? (collected.stoppedByShutdown ? .length : .stop), plan: plan,
                logprobs: collected.logprobs.indices.contains(index) ? collected.logprobs[index] : [])
        }
        return [
            "id": .string(id), "object": "chat.completion", "created": .number(JSONNumber(created)), "model": .string(plan.model),
            "choices": .array(choices),
            "usage": usage(collected.usage ?? GenerationUsage(promptTokens: 0, completionTokens: 0)),
        ]
    }
}
