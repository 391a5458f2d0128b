import FunctionaryProtocol

extension RemoteEnginePool {
    /// The `max_tokens` to send. vLLM (`null`) and llama.cpp (no `n_predict`) fill the context by
    /// themselves when the request sets no limit; SGLang and other OpenAI servers default to 16 tokens,
    /// so for them the rest of the context is computed from the upstream's token count of the prompt.
    func completionBudget(_ request: GenerationRequest, lease: UpstreamRouter.Lease) async throws -> Int? {
        if let maxTokens = request.sampling.maxTokens { return maxTokens }
        switch lease.profile.kind {
        case .vllm, .llamaCpp: return nil
        case .sglang, .openai: break
        }
        let context = lease.profile.contextSize ?? contextSize
        let promptTokens = await countTokens(PromptText.inert(request.prompt), lease: lease) ?? (request.prompt.utf8.count + 8)
        guard promptTokens < context else {
            throw GenerationError.contextOverflow(promptTokens: promptTokens, maxTokens: 0, contextSize: context)
        }
        return context - promptTokens
    }

    /// The upstream's token count for `text` (`/v1/tokenize` or `/tokenize`), or `nil` if it has none.
    func countTokens(_ text: String, lease: UpstreamRouter.Lease) async -> Int? {
        var body = JSONObject()
        if let model = lease.profile.model { body["model"] = .string(model) }
        body["prompt"] = .string(text)
        let bytes = Array(JSONValue.object(body).compactJSON().utf8)
        for path in ["/v1/tokenize", "/tokenize"] {
            let request = UpstreamHTTPRequest(
                method: .post, url: lease.endpoint.url(path), body: bytes, headers: authorizationHeaders,
                timeout: options.healthCheckTimeout)
            guard let response = try? await transport.send(request), response.status == 200,
                let answer = try? await response.text(limit: 64 << 20), let json = try? JSONValue(parsing: answer)
            else { continue }
            if let count = json["count"]?.numberValue?.intValue { return count }
            if let tokens = json["tokens"]?.arrayValue { return tokens.count }
        }
        return nil
    }
}
