import FunctionaryProtocol

extension UpstreamStreamDecoder {
    /// One entry of llama.cpp's `completion_probabilities`: `{"id", "token", "bytes", "logprob", "top_logprobs": […]}`.
    /// The bytes are the raw bytes llama.cpp reports (its `token` is cut to valid UTF-8).
    static func llamaCppLogprobs(_ entry: JSONValue, top: Int) throws(UpstreamFailure) -> TokenLogprobs {
        let token = try llamaCppToken(entry)
        let alternatives = try (entry["top_logprobs"]?.arrayValue ?? []).prefix(top).map { value throws(UpstreamFailure) in
            try llamaCppToken(value)
        }
        return TokenLogprobs(token: token, top: alternatives)
    }

    private static func llamaCppToken(_ value: JSONValue) throws(UpstreamFailure) -> TokenLogprob {
        guard let logprob = value["logprob"]?.numberValue?.doubleValue else {
            throw UpstreamFailure(kind: .protocolViolation, message: "the upstream sent a token probability without 'logprob'")
        }
        let bytes: [UInt8]
        if let list = value["bytes"]?.arrayValue {
            bytes = list.compactMap { $0.numberValue?.intValue }.map { UInt8(truncatingIfNeeded: $0) }
        } else {
            bytes = Array((value["token"]?.stringValue ?? "").utf8)
        }
        return TokenLogprob(bytes: bytes, logprob: logprob)
    }

    /// The entries of an OpenAI completions `logprobs` object (vLLM, SGLang):
    /// `{"tokens", "token_logprobs", "top_logprobs": [{token: logprob}], "text_offset"}`. The alternatives are
    /// sorted by log probability and cut to `top`; a token's bytes are its text's UTF-8.
    static func legacyLogprobs(_ value: TextLogprobs, top: Int) throws(UpstreamFailure) -> [TokenLogprobs] {
        guard value.tokens.count == value.tokenLogprobs.count else {
            throw UpstreamFailure(kind: .protocolViolation, message: "the upstream sent 'logprobs' without matching 'tokens' and 'token_logprobs'")
        }
        return value.tokens.indices.map { i in
            var alternatives: [TokenLogprob] = []
            if i < value.topLogprobs.count {
                alternatives = value.topLogprobs[i].map { TokenLogprob(bytes: Array($0.text.utf8), logprob: $0.logprob) }
                alternatives.sort { $0.logprob > $1.logprob }
            }
            return TokenLogprobs(
                token: TokenLogprob(bytes: Array(value.tokens[i].utf8), logprob: value.tokenLogprobs[i] ?? -.infinity),
                top: Array(alternatives.prefix(top)))
        }
    }
}
