import FunctionaryProtocol

/// Turns the server-sent events of one upstream completion into `GenerationEvent`s: OpenAI
/// completion chunks (vLLM, SGLang, other OpenAI servers) or llama.cpp's native `/completion` chunks.
struct UpstreamStreamDecoder: Sendable {
    let kind: RemoteEngineKind
    let choices: Int
    /// The alternatives asked for with each token's log probability; nil: none asked for.
    let topLogprobs: Int?
    /// The request's stop strings (not the template's markers): a match the upstream names is reported.
    let stops: [String]

    private(set) var finished: Set<Int> = []
    /// The upstream's `[DONE]`, or every llama.cpp choice's final chunk, arrived.
    private(set) var isDone = false
    /// Text events produced so far.
    private(set) var textEvents = 0
    private var promptTokens: Int?
    private var completionTokens: Int?
    private var cachedTokens: Int?
    private var predictedPerChoice: [Int: Int] = [:]

    init(kind: RemoteEngineKind, choices: Int, topLogprobs: Int? = nil, stops: [String] = []) {
        self.kind = kind
        self.choices = max(choices, 1)
        self.topLogprobs = topLogprobs
        self.stops = stops
    }

    /// The events of one SSE event.
    /// - Throws: `UpstreamFailure` for an error event or a chunk that is not the upstream's protocol.
    mutating func decode(_ event: ServerSentEvent) throws -> [GenerationEvent] {
        let payload = try event.jsonPayload(done: &isDone) { _, data in
            UpstreamFailure(kind: .protocolViolation, message: "the upstream sent an event that is not JSON: \(data)")
        }
        guard let json = payload else { return [] }
        if json["error"] != nil || json["object"]?.stringValue == "error" || event.event == "error" {
            throw UpstreamFailure.fromJSON(.streamError(UpstreamFailure.streamCode(json)), json: json)
        }
        guard json.objectValue != nil else {
            throw UpstreamFailure(kind: .protocolViolation, message: "the upstream sent an event that is not a JSON object")
        }
        return kind == .llamaCpp ? try decodeLlamaCpp(json) : try decodeOpenAI(json)
    }

    /// The usage to report: what the upstream said, or what could be counted.
    var usage: GenerationUsage {
        let completion =
            completionTokens ?? (predictedPerChoice.isEmpty ? textEvents : predictedPerChoice.values.reduce(0) { Self.saturatingAdd($0, $1) })
        return GenerationUsage(promptTokens: promptTokens ?? 0, completionTokens: completion, cachedPromptTokens: cachedTokens ?? 0)
    }

    /// `.finished` events for the choices an upstream ended with `[DONE]` but no finish reason.
    mutating func finishRemaining() -> [GenerationEvent] {
        var events: [GenerationEvent] = []
        for choice in 0..<choices where !finished.contains(choice) {
            finished.insert(choice)
            events.append(.finished(choice: choice, .stop))
        }
        return events
    }

    var allChoicesFinished: Bool { finished.count >= choices }

    // MARK: - OpenAI completion chunks

    private mutating func decodeOpenAI(_ json: JSONValue) throws -> [GenerationEvent] {
        let chunk: TextCompletion
        do {
            chunk = try JSONValueDecoder().decode(TextCompletion.self, from: json)
        } catch {
            let (_, reason) = JSONValueDecoder.describe(error)
            throw UpstreamFailure(kind: .protocolViolation, message: "the upstream sent a chunk that is not a text completion: \(reason)")
        }
        var events: [GenerationEvent] = []
        for choice in chunk.choices {
            let index = choice.index
            guard index >= 0 && index < choices else {
                throw UpstreamFailure(kind: .protocolViolation, message: "the upstream sent choice \(index) of \(choices)")
            }
            if let topLogprobs, let logprobs = choice.logprobs {
                let entries = try Self.legacyLogprobs(logprobs, top: topLogprobs)
                if !entries.isEmpty { events.append(.logprobs(choice: index, entries)) }
            }
            if !choice.text.isEmpty {
                textEvents += 1
                events.append(.text(choice: index, choice.text))
            }
            if let reason = choice.finishReason, !finished.contains(index) {
                if reason == "abort" {
                    throw UpstreamFailure(kind: .streamError(nil), message: "the upstream aborted the request")
                }
                finished.insert(index)
                if reason == "stop", let matched = choice.matchedStop, stops.contains(matched) {
                    events.append(.stopSequence(choice: index, matched))
                }
                events.append(.finished(choice: index, reason == "length" ? .length : .stop))
            }
        }
        if let usage = chunk.usage {
            promptTokens = usage.promptTokens ?? promptTokens
            completionTokens = usage.completionTokens ?? completionTokens
            cachedTokens = usage.cachedTokens ?? cachedTokens
        }
        return events
    }

    // MARK: - llama.cpp native chunks

    private mutating func decodeLlamaCpp(_ json: JSONValue) throws -> [GenerationEvent] {
        let index = json["index"]?.numberValue?.intValue ?? 0
        guard index >= 0 && index < choices else {
            throw UpstreamFailure(kind: .protocolViolation, message: "the upstream sent choice \(index) of \(choices)")
        }
        var events: [GenerationEvent] = []
        if topLogprobs != nil, let probabilities = json["completion_probabilities"]?.arrayValue, !probabilities.isEmpty {
            let entries = try probabilities.map { entry throws(UpstreamFailure) in try Self.llamaCppLogprobs(entry, top: topLogprobs ?? 0) }
            events.append(.logprobs(choice: index, entries))
        }
        if let text = json["content"]?.stringValue, !text.isEmpty {
            textEvents += 1
            events.append(.text(choice: index, text))
        }
        guard json["stop"]?.boolValue == true, !finished.contains(index) else { return events }
        finished.insert(index)
        let reason: FinishReason
        switch json["stop_type"]?.stringValue {
        case "eos", "word": reason = .stop
        default: reason = .length
        }
        if json["stop_type"]?.stringValue == "word", let matched = json["stopping_word"]?.stringValue, stops.contains(matched) {
            events.append(.stopSequence(choice: index, matched))
        }
        events.append(.finished(choice: index, reason))
        if let evaluated = Self.tokenCount(json["tokens_evaluated"]) { promptTokens = evaluated }
        if let predicted = Self.tokenCount(json["tokens_predicted"]) { predictedPerChoice[index] = predicted }
        if let cached = Self.tokenCount(json["timings"]?["cache_n"]) {
            cachedTokens = max(cachedTokens ?? 0, cached)
        }
        if allChoicesFinished { isDone = true }
        return events
    }

    // MARK: - Token counts from an upstream

    /// The largest token count believed from an upstream (far beyond any context; larger is a broken upstream).
    static let maxTokenCount = CompletionUsage.maxTokenCount

    /// A token count an upstream reported, or nil when it is not a count: negative, fractional or absurdly large
    /// numbers are ignored, so that they reach neither the metrics (whose counters trap on negative increments)
    /// nor arithmetic that could overflow.
    static func tokenCount(_ value: JSONValue?) -> Int? { CompletionUsage.tokenCount(value) }

    static func saturatingAdd(_ a: Int, _ b: Int) -> Int {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? (b > 0 ? Int.max : Int.min) : sum
    }
}
