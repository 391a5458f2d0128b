/// One token's log probability as chat completions (and the Responses API) report it:
/// `{"token", "logprob", "bytes", "top_logprobs": [{"token", "logprob", "bytes"}]}`.
public struct ChatTokenLogprob: Codable, Sendable, Hashable {
    public struct Alternative: Codable, Sendable, Hashable {
        public var token: String
        public var logprob: Double
        public var bytes: [UInt8]?
    }

    public var token: String
    public var logprob: Double
    public var bytes: [UInt8]?
    public var topLogprobs: [Alternative]

    /// An engine's entry (a log probability below `LogprobsJSON.floor`, `-infinity` included, is the floor).
    public init(_ entry: TokenLogprobs) {
        token = entry.token.text
        logprob = LogprobsJSON.clamped(entry.token.logprob)
        bytes = entry.token.bytes
        topLogprobs = entry.top.map { Alternative(token: $0.text, logprob: LogprobsJSON.clamped($0.logprob), bytes: $0.bytes) }
    }

    enum CodingKeys: String, CodingKey {
        case token, logprob, bytes
        case topLogprobs = "top_logprobs"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        token = try c.decode(String.self, forKey: .token)
        logprob = try c.decode(Double.self, forKey: .logprob)
        bytes = try c.decodeIfPresent([UInt8].self, forKey: .bytes)
        topLogprobs = try c.decodeIfPresent([Alternative].self, forKey: .topLogprobs) ?? []
    }

    /// The engine's entry (bytes from `bytes`, else the token's UTF-8).
    public var entry: TokenLogprobs {
        TokenLogprobs(
            token: TokenLogprob(bytes: bytes ?? Array(token.utf8), logprob: logprob),
            top: topLogprobs.map { TokenLogprob(bytes: $0.bytes ?? Array($0.token.utf8), logprob: $0.logprob) })
    }
}

/// A chat choice's `logprobs`: `{"content": [entries], "refusal": null}`.
public struct ChatLogprobs: Codable, Sendable, Hashable {
    public var content: [ChatTokenLogprob]?
    public var refusal: [ChatTokenLogprob]?

    public init(_ entries: [TokenLogprobs]) {
        content = entries.map(ChatTokenLogprob.init)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(content, forKey: .content)
        try c.encode(refusal, forKey: .refusal)
    }
}
