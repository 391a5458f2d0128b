import FunctionaryProtocol

/// Maps an upstream's failure to the `GenerationError` the server turns into an OpenAI error: a
/// context overflow is the client's 400 with the numbers, a rejected grammar an invalid constraint,
/// other rejections an invalid parameter, everything else an engine failure.
enum UpstreamErrorMapper {
    static func generationError(_ failure: UpstreamFailure, upstream: String, requestedMaxTokens: Int?) -> GenerationError {
        if let overflow = contextOverflow(failure, requestedMaxTokens: requestedMaxTokens) { return overflow }
        if failure.clientErrorStatus != nil {
            let lower = failure.message.lowercased()
            if ["grammar", "ebnf", "structured output", "guided", "xgrammar"].contains(where: { lower.contains($0) }) {
                return .invalidConstraint("the engine at \(upstream) rejected the grammar: \(failure.message)")
            }
            if isContextMessage(lower) {
                return .invalidParameter(name: "messages", message: failure.message)
            }
            // vLLM and SGLang check logit_bias ids and logprobs counts themselves.
            if failure.param == nil, let field = ["logit_bias", "logprobs"].first(where: { lower.contains($0) }) {
                return .invalidParameter(name: field, message: "the engine at \(upstream) refused '\(field)': \(failure.message)")
            }
            return .invalidParameter(name: failure.param ?? "request", message: failure.message)
        }
        return .engineFailure("the engine at \(upstream) failed: \(failure)")
    }

    /// The numbers of a context-length error in the wording of llama.cpp, vLLM (all versions) or SGLang.
    static func contextOverflow(_ failure: UpstreamFailure, requestedMaxTokens: Int?) -> GenerationError? {
        guard failure.clientErrorStatus != nil else { return nil }
        let requested = requestedMaxTokens ?? 0
        if failure.errorType == "exceed_context_size_error", let prompt = failure.promptTokens, let context = failure.contextSize {
            return .contextOverflow(promptTokens: prompt, maxTokens: requested, contextSize: context)
        }
        let message = failure.message
        let lower = message.lowercased()
        guard isContextMessage(lower) else { return nil }
        let n = numbers(in: message)
        // vLLM ≥ 0.6: "'max_tokens' … is too large: M. This model's maximum context length is C tokens and your
        // request has P input tokens (M > C - P)."
        if lower.contains("is too large"), n.count >= 3 {
            return .contextOverflow(promptTokens: n[2], maxTokens: n[0], contextSize: n[1])
        }
        // SGLang: "… maximum context length of C tokens. You requested a total of T tokens: P tokens from the input
        // messages and M tokens for the completion."
        if lower.contains("maximum context length of"), lower.contains("tokens from the input"), n.count >= 4 {
            return .contextOverflow(promptTokens: n[2], maxTokens: n[3], contextSize: n[0])
        }
        if lower.contains("maximum context length is") {
            // "… is C tokens. However, you requested T tokens (P in the messages, M in the completion)."
            if lower.contains("in the messages"), n.count >= 4 {
                return .contextOverflow(promptTokens: n[2], maxTokens: n[3], contextSize: n[0])
            }
            // "… is C tokens. However, you requested M output tokens and your prompt contains [at least] P input tokens…"
            if lower.contains("output tokens"), n.count >= 3 {
                return .contextOverflow(promptTokens: n[2], maxTokens: n[1], contextSize: n[0])
            }
            // "… is C tokens. However, your request has P input tokens." / "… your messages resulted in P tokens."
            if n.count >= 2 {
                return .contextOverflow(promptTokens: n[1], maxTokens: requested, contextSize: n[0])
            }
        }
        // vLLM engine: "The decoder prompt (length P) is longer than the maximum model length of C."
        // SGLang: "The input (P tokens) is longer than the model's context length (C tokens)."
        // llama.cpp: "request (P tokens) exceeds the available context size (C tokens)".
        if lower.contains("is longer than") || lower.contains("exceeds the available context") || lower.contains("larger than the max"),
            n.count >= 2
        {
            return .contextOverflow(promptTokens: n[0], maxTokens: requested, contextSize: n[1])
        }
        return nil
    }

    static func isContextMessage(_ lower: String) -> Bool {
        lower.contains("context length") || lower.contains("context size") || lower.contains("maximum model length")
            || lower.contains("context window")
    }

    /// The decimal integers in a text, in order.
    static func numbers(in text: String) -> [Int] {
        var result: [Int] = []
        var current = ""
        for character in text {
            if character.isASCII, character.isNumber {
                current.append(character)
            } else if !current.isEmpty {
                if let value = Int(current) { result.append(value) }
                current = ""
            }
        }
        if let value = Int(current) { result.append(value) }
        return result
    }
}
