import FunctionaryProtocol

/// Builds the JSON body of one completion request in the dialect of an upstream.
///
/// The bodies are `JSONValue`s with a fixed key order, so that the tests can compare them with the
/// recorded fixtures byte for byte.
struct CompletionRequestBuilder: Sendable {
    let profile: UpstreamProfile

    /// Special tokens of the Functionary formats that llama.cpp's server must write out as text
    /// (it drops special tokens from the output otherwise); strings that are not one token in the
    /// model's vocabulary are ignored by the server.
    static let functionaryMarkers = [
        "<|from|>", "<|recipient|>", "<|content|>", "<|stop|>", "<|reserved_special_token_249|>",
        "<|python_tag|>", "<|eom_id|>", "<|eot_id|>", "<tool_call>", "</tool_call>",
    ]

    /// The body for `request`.
    /// - Parameters:
    ///   - grammar: the complete GBNF (constraint grammar plus schema rules), if the request is constrained.
    ///   - maxTokens: the completion budget; `nil` lets the upstream fill the context (not allowed for SGLang).
    ///   - literalTokens: for llama.cpp, the token ids of the prompt's literal segments (`PromptText`), tokenized by the
    ///     upstream without special-token parsing; the prompt then goes as llama.cpp's mixed array (template text as
    ///     strings, literals as ids). Without them a prompt with literals goes as `PromptText.inert` text.
    func body(for request: GenerationRequest, grammar: String?, maxTokens: Int?, literalTokens: [[Int]]? = nil) -> JSONValue {
        switch profile.kind {
        case .llamaCpp: return llamaCppBody(request, grammar: grammar, maxTokens: maxTokens, literalTokens: literalTokens)
        case .vllm, .sglang, .openai: return openAIBody(request, grammar: grammar, maxTokens: maxTokens)
        }
    }

    /// Template stops first, then the user's, without repeats.
    static func stops(for request: GenerationRequest) -> [String] {
        var seen = Set<String>()
        var result: [String] = []
        for stop in request.templateStops + request.sampling.stop where !stop.isEmpty && seen.insert(stop).inserted {
            result.append(stop)
        }
        return result
    }

    private func openAIBody(_ request: GenerationRequest, grammar: String?, maxTokens: Int?) -> JSONValue {
        let sampling = request.sampling
        var body = JSONObject()
        if let model = profile.model { body["model"] = .string(model) }
        body["prompt"] = .string(PromptText.inert(request.prompt))
        body["max_tokens"] = maxTokens.map { .number(JSONNumber($0)) } ?? .null
        body["temperature"] = Self.number(sampling.temperature)
        body["top_p"] = Self.number(sampling.topP)
        body["n"] = .number(JSONNumber(request.n))
        body["stream"] = true
        body["stream_options"] = ["include_usage": true]
        body["stop"] = .array(Self.stops(for: request).map { .string($0) })
        if let seed = sampling.seed { body["seed"] = .number(JSONNumber(Int(seed))) }
        body["presence_penalty"] = Self.number(sampling.presencePenalty)
        body["frequency_penalty"] = Self.number(sampling.frequencyPenalty)
        // The completions API's `logprobs` (the chosen token's and N alternatives) and `logit_bias` (string keys).
        if let logprobs = sampling.logprobs { body["logprobs"] = .number(JSONNumber(logprobs)) }
        if !sampling.logitBias.isEmpty {
            body["logit_bias"] = .object(
                JSONObject(sampling.logitBias.sorted { $0.key < $1.key }.map { (String($0.key), Self.number($0.value)) }))
        }
        guard profile.kind != .openai else { return .object(body) }
        // vLLM and SGLang: -1 disables top-k in every version of both.
        body["top_k"] = .number(JSONNumber(sampling.topK > 0 ? sampling.topK : -1))
        body["min_p"] = Self.number(sampling.minP)
        body["repetition_penalty"] = Self.number(sampling.repetitionPenalty)
        body["skip_special_tokens"] = false
        if profile.kind == .vllm {
            body["spaces_between_special_tokens"] = false
            if let grammar {
                switch profile.grammarField {
                case .structuredOutputs: body["structured_outputs"] = ["grammar": .string(grammar)]
                case .guidedGrammar: body["guided_grammar"] = .string(grammar)
                }
            }
        } else if let grammar {
            body["ebnf"] = .string(grammar)
        }
        return .object(body)
    }

    private func llamaCppBody(_ request: GenerationRequest, grammar: String?, maxTokens: Int?, literalTokens: [[Int]]?) -> JSONValue {
        let sampling = request.sampling
        var body = JSONObject()
        body["prompt"] = Self.llamaCppPrompt(request.prompt, literalTokens: literalTokens)
        if let maxTokens { body["n_predict"] = .number(JSONNumber(maxTokens)) }
        if request.n > 1 { body["n_cmpl"] = .number(JSONNumber(request.n)) }
        body["temperature"] = Self.number(sampling.temperature)
        body["top_p"] = Self.number(sampling.topP)
        body["top_k"] = .number(JSONNumber(max(sampling.topK, 0)))
        body["min_p"] = Self.number(sampling.minP)
        if let seed = sampling.seed { body["seed"] = .number(JSONNumber(Int(seed))) }
        body["presence_penalty"] = Self.number(sampling.presencePenalty)
        body["frequency_penalty"] = Self.number(sampling.frequencyPenalty)
        body["repeat_penalty"] = Self.number(sampling.repetitionPenalty)
        // `n_probs` 0 would send no probabilities at all: ask for one alternative to get the chosen token's.
        if let logprobs = sampling.logprobs { body["n_probs"] = .number(JSONNumber(max(1, logprobs))) }
        if !sampling.logitBias.isEmpty {
            body["logit_bias"] = .array(
                sampling.logitBias.sorted { $0.key < $1.key }.map { [.number(JSONNumber($0.key)), Self.number($0.value)] })
        }
        body["stop"] = .array(Self.stops(for: request).map { .string($0) })
        var preserved = Self.functionaryMarkers
        for stop in request.templateStops where !preserved.contains(stop) { preserved.append(stop) }
        body["preserved_tokens"] = .array(preserved.map { .string($0) })
        if let grammar { body["grammar"] = .string(grammar) }
        body["stream"] = true
        body["cache_prompt"] = true
        return .object(body)
    }

    /// The prompt as a string, or, when it has literals and their tokens are known, as llama.cpp's mixed array.
    static func llamaCppPrompt(_ prompt: String, literalTokens: [[Int]]?) -> JSONValue {
        guard PromptText.hasLiterals(prompt) else { return .string(prompt) }
        let segments = PromptText.segments(prompt)
        guard let literalTokens, literalTokens.count == segments.filter(\.isLiteral).count else {
            return .string(PromptText.inert(prompt))
        }
        var items: [JSONValue] = []
        var next = 0
        for segment in segments {
            if segment.isLiteral {
                items += literalTokens[next].map { .number(JSONNumber($0)) }
                next += 1
            } else {
                items.append(.string(segment.text))
            }
        }
        return .array(items)
    }

    /// A JSON number that keeps integers integral (`1` not `1.0`) so fixtures stay readable.
    static func number(_ value: Double) -> JSONValue {
        if value.isFinite, value == value.rounded(), abs(value) < 1e15 {
            return .number(JSONNumber(Int(value)))
        }
        return .number(JSONNumber(value))
    }
}
