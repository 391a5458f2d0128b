import FunctionaryProtocol

/// The non-streaming `chat.completion` object.
enum ChatResponses {
    /// One choice: the template parses the output (what it cannot read stays content, never an error); legacy
    /// `functions` answer with `function_call`; the finish reason follows `CompletionFinishReason.resolve`, as the
    /// streamed chunks do.
    static func choice(
        index: Int, output: String, engineReason: FinishReason, plan: ChatPlan, logprobs: [TokenLogprobs] = []
    ) -> ChatCompletion.Choice {
        var parsed = plan.template.parse(output, toolChoice: plan.resolved.choice)
        if !plan.parallelToolCalls { parsed.toolCalls = Array(parsed.toolCalls.prefix(1)) }
        var message = parsed.responseMessage(legacyFunctions: plan.resolved.legacyFunctions)
        if parsed.content == nil, parsed.toolCalls.isEmpty { message.content = .text("") }
        let reason = parsed.finishReason(
            engine: engineReason, toolChoice: plan.resolved.choice, legacyFunctions: plan.resolved.legacyFunctions)
        return ChatCompletion.Choice(
            index: index, message: message, logprobs: plan.generation.sampling.logprobs == nil ? nil : ChatLogprobs(logprobs),
            finishReason: reason.rawValue)
    }

    /// The `chat.completion` object.
    static func completion(id: String, created: Int, plan: ChatPlan, collected: GenerationRunner.Collected) -> ChatCompletion {
        let choices = collected.texts.indices.map { index in
            choice(
                index: index, output: collected.texts[index], engineReason: collected.reason(index), plan: plan,
                logprobs: collected.logprobs(index))
        }
        return ChatCompletion(
            id: id, created: created, model: plan.model, choices: choices, usage: CompletionUsage(collected.usageOrZero))
    }
}
