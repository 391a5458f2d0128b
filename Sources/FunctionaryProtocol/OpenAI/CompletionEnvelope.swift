/// The OpenAI response objects every module shares: the server writes them, the agent reads a server's answers
/// with them, the remote engines read an upstream's. Encoding (through `JSONValueEncoder`) writes OpenAI's
/// shape exactly, explicit `null`s included; decoding is lenient where servers differ (missing ids, indices,
/// `created`, `object`), so that one type reads vLLM, SGLang, llama.cpp and this server alike.

/// The fields around the choices of every completion object (`ChatCompletion`, `ChatCompletionChunk`,
/// `TextCompletion`), declared once: read leniently (servers leave out ids, `object` or `created`) and written in
/// OpenAI's order, `usage` as `null` where a stream with `include_usage` wants it.
public struct CompletionEnvelope<Choice: Codable & Sendable & Hashable>: Sendable, Hashable {
    public var id: String
    public var object: String
    public var created: Int
    public var model: String
    public var choices: [Choice]
    public var usage: CompletionUsage?
    /// Write `"usage": null` when there is no usage (a chunk of a stream with `stream_options.include_usage`).
    public var writesNullUsage: Bool

    public init(
        id: String, object: String, created: Int, model: String, choices: [Choice], usage: CompletionUsage?, writesNullUsage: Bool
    ) {
        (self.id, self.object, self.created, self.model) = (id, object, created, model)
        (self.choices, self.usage, self.writesNullUsage) = (choices, usage, writesNullUsage)
    }

    enum CodingKeys: String, CodingKey { case id, object, created, model, choices, usage }

    /// - Parameters:
    ///   - object: the `object` to assume when the server sent none.
    ///   - strict: `choices` is required and `id`, `object` and `model`, where present, must be strings.
    init(from decoder: any Decoder, object defaultObject: String, strict: Bool) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if strict {
            id = try c.decodeIfPresent(String.self, forKey: .id) ?? ""
            object = try c.decodeIfPresent(String.self, forKey: .object) ?? defaultObject
            model = try c.decodeIfPresent(String.self, forKey: .model) ?? ""
            choices = try c.decode([Choice].self, forKey: .choices)
        } else {
            id = (try? c.decodeIfPresent(String.self, forKey: .id)) ?? ""
            object = (try? c.decodeIfPresent(String.self, forKey: .object)) ?? defaultObject
            model = (try? c.decodeIfPresent(String.self, forKey: .model)) ?? ""
            choices = try c.decodeIfPresent([Choice].self, forKey: .choices) ?? []
        }
        created = (try? c.decodeIfPresent(Int.self, forKey: .created)) ?? 0
        usage = try? c.decodeIfPresent(CompletionUsage.self, forKey: .usage)
        writesNullUsage = !strict && usage == nil && c.contains(.usage)
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

/// A completion object: its choices in a `CompletionEnvelope`, whose fields it offers as its own (`chunk.usage`).
@dynamicMemberLookup
public protocol CompletionObject: Codable, Sendable, Hashable {
    associatedtype Choice: Codable & Sendable & Hashable
    /// The `object` it is (and is assumed to be when a server sent none).
    static var objectName: String { get }
    /// Whether decoding requires `choices` and typed fields (`CompletionEnvelope.init(from:object:strict:)`).
    static var decodesStrictly: Bool { get }
    var envelope: CompletionEnvelope<Choice> { get set }
    init(envelope: CompletionEnvelope<Choice>)
}

extension CompletionObject {
    public static var decodesStrictly: Bool { false }

    public subscript<Value>(dynamicMember field: WritableKeyPath<CompletionEnvelope<Choice>, Value>) -> Value {
        get { envelope[keyPath: field] }
        set { envelope[keyPath: field] = newValue }
    }

    public init(
        id: String, created: Int, model: String, choices: [Choice], usage: CompletionUsage? = nil, writesNullUsage: Bool = false
    ) {
        self.init(
            envelope: CompletionEnvelope(
                id: id, object: Self.objectName, created: created, model: model, choices: choices, usage: usage,
                writesNullUsage: writesNullUsage))
    }

    public init(from decoder: any Decoder) throws {
        self.init(envelope: try CompletionEnvelope(from: decoder, object: Self.objectName, strict: Self.decodesStrictly))
    }

    public func encode(to encoder: any Encoder) throws {
        try envelope.encode(to: encoder)
    }
}

/// The keys of the three choice types, declared once.
enum ChoiceKey: String, CodingKey {
    case index, message, delta, text, logprobs
    case finishReason = "finish_reason"
    /// Read by `TextCompletion.Choice` only (vLLM's and SGLang's matched stop string).
    case stopReason = "stop_reason", matchedStop = "matched_stop"
}

/// A choice of a completion object (`ChatCompletion.Choice`, `ChatCompletionChunk.Choice`, `TextCompletion.Choice`):
/// read from `ChoiceKey`s by each type, written by all alike in OpenAI's order: `index`, the payload (`message`,
/// `delta` or `text`), `logprobs` and `finish_reason`, the last two as `null` when absent.
protocol CompletionChoice: Codable {
    associatedtype Payload: Encodable
    associatedtype Logprobs: Encodable
    /// Reads the choice from its keyed container (each type is lenient where servers differ).
    init(decoding c: KeyedDecodingContainer<ChoiceKey>) throws
    /// Where the payload is written.
    static var payloadKey: ChoiceKey { get }
    /// What is written there.
    var encodedPayload: Payload { get }
    var index: Int { get }
    var logprobs: Logprobs? { get }
    var finishReason: String? { get }
}

extension CompletionChoice {
    public init(from decoder: any Decoder) throws {
        try self.init(decoding: decoder.container(keyedBy: ChoiceKey.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: ChoiceKey.self)
        try c.encode(index, forKey: .index)
        try c.encode(encodedPayload, forKey: Self.payloadKey)
        try c.encode(logprobs, forKey: .logprobs)
        try c.encode(finishReason, forKey: .finishReason)
    }
}
