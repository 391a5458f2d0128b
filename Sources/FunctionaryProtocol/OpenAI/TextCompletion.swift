/// A `text_completion` object (`/v1/completions`), whole or as one chunk of a stream.
public struct TextCompletion: CompletionObject {
    public struct Choice: Codable, Sendable, Hashable, CompletionChoice {
        public var index: Int
        public var text: String
        public var logprobs: TextLogprobs?
        public var finishReason: String?
        /// The stop string that ended the choice, where a server says (read only: vLLM's `stop_reason` when it is
        /// a string, SGLang's `matched_stop`).
        public var matchedStop: String?

        public init(
            index: Int, text: String, logprobs: TextLogprobs? = nil, finishReason: String? = nil, matchedStop: String? = nil
        ) {
            self.index = index
            self.text = text
            self.logprobs = logprobs
            self.finishReason = finishReason
            self.matchedStop = matchedStop
        }

        init(decoding c: KeyedDecodingContainer<ChoiceKey>) throws {
            index = try c.decodeIfPresent(Int.self, forKey: .index) ?? 0
            text = try c.decodeIfPresent(String.self, forKey: .text) ?? ""
            logprobs = try c.decodeIfPresent(TextLogprobs.self, forKey: .logprobs)
            finishReason = try c.decodeIfPresent(String.self, forKey: .finishReason)
            // A token id there (an integer) is a stop token, no stop string.
            matchedStop =
                ((try? c.decodeIfPresent(String.self, forKey: .stopReason)) ?? nil)
                ?? ((try? c.decodeIfPresent(String.self, forKey: .matchedStop)) ?? nil)
        }

        static var payloadKey: ChoiceKey { .text }
        var encodedPayload: String { text }
    }

    public static let objectName = "text_completion"
    public var envelope: CompletionEnvelope<Choice>

    public init(envelope: CompletionEnvelope<Choice>) { self.envelope = envelope }
}

/// The legacy completions `logprobs` object: `{"tokens", "token_logprobs", "top_logprobs": [{text: logprob}],
/// "text_offset"}`. Each `top_logprobs` object keeps its order (most likely first).
public struct TextLogprobs: Codable, Sendable, Hashable {
    public var tokens: [String]
    /// `null` entries (a server's first echoed token) read as nil.
    public var tokenLogprobs: [Double?]
    public var topLogprobs: [[(text: String, logprob: Double)]]
    public var textOffset: [Int]

    public init(tokens: [String], tokenLogprobs: [Double?], topLogprobs: [[(text: String, logprob: Double)]], textOffset: [Int]) {
        self.tokens = tokens
        self.tokenLogprobs = tokenLogprobs
        self.topLogprobs = topLogprobs
        self.textOffset = textOffset
    }

    enum CodingKeys: String, CodingKey {
        case tokens
        case tokenLogprobs = "token_logprobs"
        case topLogprobs = "top_logprobs"
        case textOffset = "text_offset"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        tokens = try c.decode([String].self, forKey: .tokens)
        tokenLogprobs = try c.decode([Double?].self, forKey: .tokenLogprobs)
        let tops = try c.decodeIfPresent([JSONValue?].self, forKey: .topLogprobs) ?? []
        topLogprobs = tops.map { top in
            (top?.objectValue ?? [:]).map { (text: $0.key, logprob: $0.value.numberValue?.doubleValue ?? -.infinity) }
        }
        textOffset = try c.decodeIfPresent([Int].self, forKey: .textOffset) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(tokens, forKey: .tokens)
        try c.encode(tokenLogprobs, forKey: .tokenLogprobs)
        let tops: [JSONValue] = topLogprobs.map { top in
            .object(JSONObject(top.map { ($0.text, LogprobsJSON.number($0.logprob)) }))
        }
        try c.encode(tops, forKey: .topLogprobs)
        try c.encode(textOffset, forKey: .textOffset)
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.tokens == rhs.tokens && lhs.tokenLogprobs == rhs.tokenLogprobs && lhs.textOffset == rhs.textOffset
            && lhs.topLogprobs.map { $0.map(\.text) } == rhs.topLogprobs.map { $0.map(\.text) }
            && lhs.topLogprobs.map { $0.map(\.logprob) } == rhs.topLogprobs.map { $0.map(\.logprob) }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(tokens)
        hasher.combine(textOffset)
    }
}
