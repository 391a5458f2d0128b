/// The OpenAI response objects every module shares: the server writes them, the agent reads a server's answers
/// with them, the remote engines read an upstream's. Encoding (through `JSONValueEncoder`) writes OpenAI's
/// shape exactly, explicit `null`s included; decoding is lenient where servers differ (missing ids, indices,
/// `created`, `object`), so that one type reads vLLM, SGLang, llama.cpp and this server alike.

/// `usage` of a chat or text completion.
///
/// Decoding keeps only counts that are counts: a negative, fractional or absurdly large number (over 2^40) from
/// another server reads as absent, so that it reaches neither the metrics (whose counters trap on negative
/// increments) nor arithmetic that could overflow.
public struct CompletionUsage: Codable, Sendable, Hashable {
    public var promptTokens: Int?
    public var completionTokens: Int?
    public var totalTokens: Int?
    /// `prompt_tokens_details.cached_tokens`.
    public var cachedTokens: Int?

    /// The largest token count believed from another server.
    public static let maxTokenCount = 1 << 40

    public init(promptTokens: Int?, completionTokens: Int?, totalTokens: Int? = nil, cachedTokens: Int? = nil) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.totalTokens = totalTokens
        self.cachedTokens = cachedTokens
    }

    /// An engine's counts (the total saturates rather than overflow).
    public init(_ usage: GenerationUsage) {
        let (total, overflow) = usage.promptTokens.addingReportingOverflow(usage.completionTokens)
        self.init(
            promptTokens: usage.promptTokens, completionTokens: usage.completionTokens, totalTokens: overflow ? Int.max : total,
            cachedTokens: usage.cachedPromptTokens)
    }

    /// The counts as an engine reports them (absent counts are 0).
    public var generationUsage: GenerationUsage {
        GenerationUsage(promptTokens: promptTokens ?? 0, completionTokens: completionTokens ?? 0, cachedPromptTokens: cachedTokens ?? 0)
    }

    enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens", completionTokens = "completion_tokens", totalTokens = "total_tokens"
        case promptTokensDetails = "prompt_tokens_details"
    }

    enum DetailKeys: String, CodingKey { case cachedTokens = "cached_tokens" }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        promptTokens = Self.count(c, .promptTokens)
        completionTokens = Self.count(c, .completionTokens)
        totalTokens = Self.count(c, .totalTokens)
        if let details = try? c.nestedContainer(keyedBy: DetailKeys.self, forKey: .promptTokensDetails) {
            cachedTokens = Self.count(details, .cachedTokens)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(promptTokens ?? 0, forKey: .promptTokens)
        try c.encode(completionTokens ?? 0, forKey: .completionTokens)
        try c.encode(totalTokens ?? Self.saturatingSum(promptTokens ?? 0, completionTokens ?? 0), forKey: .totalTokens)
        var details = c.nestedContainer(keyedBy: DetailKeys.self, forKey: .promptTokensDetails)
        try details.encode(cachedTokens ?? 0, forKey: .cachedTokens)
    }

    private static func count<K: CodingKey>(_ c: KeyedDecodingContainer<K>, _ key: K) -> Int? {
        tokenCount((try? c.decodeIfPresent(JSONValue.self, forKey: key)) ?? nil)
    }

    /// A token count another server reported, or nil when it is not one: negative, fractional or over 2^40.
    public static func tokenCount(_ value: JSONValue?) -> Int? {
        guard let count = value?.numberValue?.intValue, count >= 0, count <= maxTokenCount else { return nil }
        return count
    }

    private static func saturatingSum(_ a: Int, _ b: Int) -> Int {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? Int.max : sum
    }
}

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

/// A `chat.completion` object.
public struct ChatCompletion: Codable, Sendable, Hashable {
    public struct Choice: Codable, Sendable, Hashable {
        public var index: Int
        public var message: ChatMessage
        /// The log probabilities the request asked for; written as `null` when it asked for none.
        public var logprobs: ChatLogprobs?
        public var finishReason: String?

        public init(index: Int, message: ChatMessage, logprobs: ChatLogprobs? = nil, finishReason: String?) {
            self.index = index
            self.message = message
            self.logprobs = logprobs
            self.finishReason = finishReason
        }

        enum CodingKeys: String, CodingKey {
            case index, message, logprobs
            case finishReason = "finish_reason"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            index = try c.decodeIfPresent(Int.self, forKey: .index) ?? 0
            message = try c.decode(ChatMessage.self, forKey: .message)
            logprobs = try? c.decodeIfPresent(ChatLogprobs.self, forKey: .logprobs)
            finishReason = try c.decodeIfPresent(String.self, forKey: .finishReason)
        }

        /// The message in OpenAI's response shape (`content` always present).
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(index, forKey: .index)
            try c.encode(message.json, forKey: .message)
            try c.encode(logprobs, forKey: .logprobs)
            try c.encode(finishReason, forKey: .finishReason)
        }
    }

    public var id: String
    public var object: String
    public var created: Int
    public var model: String
    public var choices: [Choice]
    public var usage: CompletionUsage?

    public init(id: String, created: Int, model: String, choices: [Choice], usage: CompletionUsage?) {
        self.id = id
        self.object = "chat.completion"
        self.created = created
        self.model = model
        self.choices = choices
        self.usage = usage
    }

    enum CodingKeys: String, CodingKey { case id, object, created, model, choices, usage }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decodeIfPresent(String.self, forKey: .id) ?? ""
        object = try c.decodeIfPresent(String.self, forKey: .object) ?? "chat.completion"
        created = (try? c.decodeIfPresent(Int.self, forKey: .created)) ?? 0
        model = try c.decodeIfPresent(String.self, forKey: .model) ?? ""
        choices = try c.decode([Choice].self, forKey: .choices)
        usage = try? c.decodeIfPresent(CompletionUsage.self, forKey: .usage)
    }
}

/// A `chat.completion.chunk` object: one step of a streamed chat completion, or (with `choices: []`) its usage.
public struct ChatCompletionChunk: Codable, Sendable, Hashable {
    /// A tool call's piece: the header (`index`, `id`, `type`, `function.name`, empty `arguments`), then pieces
    /// of `function.arguments` under the same `index`.
    public struct ToolCallDelta: Codable, Sendable, Hashable {
        public struct Function: Codable, Sendable, Hashable {
            public var name: String?
            public var arguments: String?

            public init(name: String? = nil, arguments: String? = nil) {
                self.name = name
                self.arguments = arguments
            }
        }

        public var index: Int?
        public var id: String?
        public var type: String?
        public var function: Function?

        public init(index: Int?, id: String? = nil, type: String? = nil, function: Function?) {
            self.index = index
            self.id = id
            self.type = type
            self.function = function
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encodeIfPresent(index, forKey: .index)
            try c.encodeIfPresent(id, forKey: .id)
            try c.encodeIfPresent(type, forKey: .type)
            try c.encodeIfPresent(function, forKey: .function)
        }
    }

    /// What a chunk adds to the message. Absent fields are left out; `content` is written as `null` only next to
    /// the role when the turn starts with a call (`contentIsNull`).
    public struct Delta: Codable, Sendable, Hashable {
        public var role: String?
        public var content: String?
        public var contentIsNull = false
        public var toolCalls: [ToolCallDelta]?
        /// Legacy `functions`: the first call's name and arguments.
        public var functionCall: ToolCallDelta.Function?

        public init(
            role: String? = nil, content: String? = nil, contentIsNull: Bool = false, toolCalls: [ToolCallDelta]? = nil,
            functionCall: ToolCallDelta.Function? = nil
        ) {
            self.role = role
            self.content = content
            self.contentIsNull = contentIsNull
            self.toolCalls = toolCalls
            self.functionCall = functionCall
        }

        enum CodingKeys: String, CodingKey {
            case role, content
            case toolCalls = "tool_calls"
            case functionCall = "function_call"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            role = try? c.decodeIfPresent(String.self, forKey: .role)
            // Content that is not text (some servers send a list of parts) is no text delta.
            content = (try? c.decodeIfPresent(String.self, forKey: .content)) ?? nil
            contentIsNull = content == nil && c.contains(.content)
            toolCalls = try c.decodeIfPresent([ToolCallDelta].self, forKey: .toolCalls)
            functionCall = try c.decodeIfPresent(ToolCallDelta.Function.self, forKey: .functionCall)
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encodeIfPresent(role, forKey: .role)
            if let content {
                try c.encode(content, forKey: .content)
            } else if contentIsNull {
                try c.encodeNil(forKey: .content)
            }
            try c.encodeIfPresent(toolCalls, forKey: .toolCalls)
            try c.encodeIfPresent(functionCall, forKey: .functionCall)
        }
    }

    public struct Choice: Codable, Sendable, Hashable {
        public var index: Int
        public var delta: Delta
        public var logprobs: ChatLogprobs?
        public var finishReason: String?

        public init(index: Int, delta: Delta, logprobs: ChatLogprobs? = nil, finishReason: String? = nil) {
            self.index = index
            self.delta = delta
            self.logprobs = logprobs
            self.finishReason = finishReason
        }

        enum CodingKeys: String, CodingKey {
            case index, delta, message, logprobs
            case finishReason = "finish_reason"
        }

        /// Reads `delta`, or `message` from servers that put the whole message in their last chunk.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            index = (try? c.decodeIfPresent(Int.self, forKey: .index)) ?? 0
            delta = try c.decodeIfPresent(Delta.self, forKey: .delta) ?? c.decodeIfPresent(Delta.self, forKey: .message) ?? Delta()
            logprobs = try? c.decodeIfPresent(ChatLogprobs.self, forKey: .logprobs)
            finishReason = try c.decodeIfPresent(String.self, forKey: .finishReason)
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(index, forKey: .index)
            try c.encode(delta, forKey: .delta)
            try c.encode(logprobs, forKey: .logprobs)
            try c.encode(finishReason, forKey: .finishReason)
        }
    }

    public var id: String
    public var object: String
    public var created: Int
    public var model: String
    public var choices: [Choice]
    public var usage: CompletionUsage?
    /// Write `"usage": null` when there is no usage (`stream_options.include_usage`).
    public var writesNullUsage: Bool

    public init(id: String, created: Int, model: String, choices: [Choice], usage: CompletionUsage? = nil, writesNullUsage: Bool = false) {
        self.id = id
        self.object = "chat.completion.chunk"
        self.created = created
        self.model = model
        self.choices = choices
        self.usage = usage
        self.writesNullUsage = writesNullUsage
    }

    public init(from decoder: any Decoder) throws {
        let envelope = try CompletionEnvelope<Choice>(from: decoder, object: "chat.completion.chunk")
        (id, object, created, model) = (envelope.id, envelope.object, envelope.created, envelope.model)
        (choices, usage, writesNullUsage) = (envelope.choices, envelope.usage, envelope.writesNullUsage)
    }

    public func encode(to encoder: any Encoder) throws {
        try CompletionEnvelope(
            id: id, object: object, created: created, model: model, choices: choices, usage: usage, writesNullUsage: writesNullUsage
        ).encode(to: encoder)
    }
}

/// A `text_completion` object (`/v1/completions`), whole or as one chunk of a stream.
public struct TextCompletion: Codable, Sendable, Hashable {
    public struct Choice: Codable, Sendable, Hashable {
        public var index: Int
        public var text: String
        public var logprobs: TextLogprobs?
        public var finishReason: String?
        /// The stop string that ended the choice, where a server says (read only: vLLM's `stop_reason` when it is
        /// a string, SGLang's `matched_stop`).
        public var matchedStop: String?

        public init(index: Int, text: String, logprobs: TextLogprobs? = nil, finishReason: String? = nil) {
            self.index = index
            self.text = text
            self.logprobs = logprobs
            self.finishReason = finishReason
        }

        enum CodingKeys: String, CodingKey {
            case index, text, logprobs
            case finishReason = "finish_reason"
            case stopReason = "stop_reason", matchedStop = "matched_stop"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            index = try c.decodeIfPresent(Int.self, forKey: .index) ?? 0
            text = try c.decodeIfPresent(String.self, forKey: .text) ?? ""
            logprobs = try c.decodeIfPresent(TextLogprobs.self, forKey: .logprobs)
            finishReason = try c.decodeIfPresent(String.self, forKey: .finishReason)
            // A token id there (an integer) is a stop token, no stop string.
            matchedStop =
                ((try? c.decodeIfPresent(String.self, forKey: .stopReason)) ?? nil)
                ?? ((try? c.decodeIfPresent(String.self, forKey: .matchedStop)) ?? nil)
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(index, forKey: .index)
            try c.encode(text, forKey: .text)
            try c.encode(logprobs, forKey: .logprobs)
            try c.encode(finishReason, forKey: .finishReason)
        }
    }

    public var id: String
    public var object: String
    public var created: Int
    public var model: String
    public var choices: [Choice]
    public var usage: CompletionUsage?
    /// Write `"usage": null` when there is no usage (a chunk of a stream with `stream_options.include_usage`).
    public var writesNullUsage: Bool

    public init(id: String, created: Int, model: String, choices: [Choice], usage: CompletionUsage? = nil, writesNullUsage: Bool = false) {
        self.id = id
        self.object = "text_completion"
        self.created = created
        self.model = model
        self.choices = choices
        self.usage = usage
        self.writesNullUsage = writesNullUsage
    }

    public init(from decoder: any Decoder) throws {
        let envelope = try CompletionEnvelope<Choice>(from: decoder, object: "text_completion")
        (id, object, created, model) = (envelope.id, envelope.object, envelope.created, envelope.model)
        (choices, usage, writesNullUsage) = (envelope.choices, envelope.usage, envelope.writesNullUsage)
    }

    public func encode(to encoder: any Encoder) throws {
        try CompletionEnvelope(
            id: id, object: object, created: created, model: model, choices: choices, usage: usage, writesNullUsage: writesNullUsage
        ).encode(to: encoder)
    }
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

/// The fields around the choices of a chunk or a text completion, read leniently (servers leave out ids, `object`
/// or `created`) and written in OpenAI's order, `usage` as `null` where a stream with `include_usage` wants it.
struct CompletionEnvelope<Choice: Codable>: Codable {
    var id: String
    var object: String
    var created: Int
    var model: String
    var choices: [Choice]
    var usage: CompletionUsage?
    var writesNullUsage: Bool

    enum CodingKeys: String, CodingKey { case id, object, created, model, choices, usage }

    init(
        id: String, object: String, created: Int, model: String, choices: [Choice], usage: CompletionUsage?, writesNullUsage: Bool
    ) {
        (self.id, self.object, self.created, self.model) = (id, object, created, model)
        (self.choices, self.usage, self.writesNullUsage) = (choices, usage, writesNullUsage)
    }

    init(from decoder: any Decoder) throws { try self.init(from: decoder, object: "") }

    /// - Parameter object: the `object` to assume when the server sent none.
    init(from decoder: any Decoder, object defaultObject: String) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = (try? c.decodeIfPresent(String.self, forKey: .id)) ?? ""
        object = (try? c.decodeIfPresent(String.self, forKey: .object)) ?? defaultObject
        created = (try? c.decodeIfPresent(Int.self, forKey: .created)) ?? 0
        model = (try? c.decodeIfPresent(String.self, forKey: .model)) ?? ""
        choices = try c.decodeIfPresent([Choice].self, forKey: .choices) ?? []
        usage = try? c.decodeIfPresent(CompletionUsage.self, forKey: .usage)
        writesNullUsage = usage == nil && c.contains(.usage)
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(object, forKey: .object)
        try c.encode(created, forKey: .created)
        try c.encode(model, forKey: .model)
        try c.encode(choices, forKey: .choices)
        if let usage {
            try c.encode(usage, forKey: .usage)
        } else if writesNullUsage {
            try c.encodeNil(forKey: .usage)
        }
    }
}
