/// A `chat.completion` object.
public struct ChatCompletion: CompletionObject {
    public struct Choice: Codable, Sendable, Hashable, CompletionChoice {
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

        init(decoding c: KeyedDecodingContainer<ChoiceKey>) throws {
            index = try c.decodeIfPresent(Int.self, forKey: .index) ?? 0
            message = try c.decode(ChatMessage.self, forKey: .message)
            logprobs = try? c.decodeIfPresent(ChatLogprobs.self, forKey: .logprobs)
            finishReason = try c.decodeIfPresent(String.self, forKey: .finishReason)
        }

        static var payloadKey: ChoiceKey { .message }
        /// The message in OpenAI's response shape (`content` always present).
        var encodedPayload: JSONValue { message.json }
    }

    public static let objectName = "chat.completion"
    /// A whole chat completion must have `choices`, and the fields it has must have their types.
    public static let decodesStrictly = true
    public var envelope: CompletionEnvelope<Choice>

    public init(envelope: CompletionEnvelope<Choice>) { self.envelope = envelope }
}

/// A `chat.completion.chunk` object: one step of a streamed chat completion, or (with `choices: []`) its usage.
public struct ChatCompletionChunk: CompletionObject {
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

        /// A delta's fields are a message's: their names are declared once, with the message's.
        typealias CodingKeys = ChatMessage.CodingKeys

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

    public struct Choice: Codable, Sendable, Hashable, CompletionChoice {
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

        /// Reads `delta`, or `message` from servers that put the whole message in their last chunk.
        init(decoding c: KeyedDecodingContainer<ChoiceKey>) throws {
            index = (try? c.decodeIfPresent(Int.self, forKey: .index)) ?? 0
            delta = try c.decodeIfPresent(Delta.self, forKey: .delta) ?? c.decodeIfPresent(Delta.self, forKey: .message) ?? Delta()
            logprobs = try? c.decodeIfPresent(ChatLogprobs.self, forKey: .logprobs)
            finishReason = try c.decodeIfPresent(String.self, forKey: .finishReason)
        }

        static var payloadKey: ChoiceKey { .delta }
        var encodedPayload: Delta { delta }
    }

    public static let objectName = "chat.completion.chunk"
    public var envelope: CompletionEnvelope<Choice>

    public init(envelope: CompletionEnvelope<Choice>) { self.envelope = envelope }
}
