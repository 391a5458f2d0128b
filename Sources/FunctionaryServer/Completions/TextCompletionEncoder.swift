import FunctionaryProtocol

/// `text_completion` objects and chunks.
struct TextCompletionEncoder: Sendable {
    let id: String
    let created: Int
    let model: String
    let includeUsage: Bool
    /// The request asked for `logprobs` (else every choice has `"logprobs": null`).
    var logprobsRequested = false

    func completion(_ collected: GenerationRunner.Collected) -> JSONValue {
        let choices = collected.texts.indices.map { index in
            var logprobs: TextLogprobs?
            if logprobsRequested {
                var builder = LegacyLogprobsBuilder()
                logprobs = builder.logprobs(for: collected.logprobs(index))
            }
            return TextCompletion.Choice(
                index: index, text: collected.texts[index], logprobs: logprobs, finishReason: collected.reason(index).rawValue)
        }
        let usage = CompletionUsage(collected.usageOrZero)
        return TextCompletion(id: id, created: created, model: model, choices: choices, usage: usage).encodedJSON
    }

    func chunk(_ index: Int, text: String, finishReason: FinishReason? = nil, logprobs: TextLogprobs? = nil) -> JSONValue {
        let choice = TextCompletion.Choice(index: index, text: text, logprobs: logprobs, finishReason: finishReason?.rawValue)
        return TextCompletion(id: id, created: created, model: model, choices: [choice], writesNullUsage: includeUsage).encodedJSON
    }

    func usageChunk(_ usage: GenerationUsage) -> JSONValue {
        TextCompletion(id: id, created: created, model: model, choices: [], usage: CompletionUsage(usage)).encodedJSON
    }
}

/// Streamed `/v1/completions`: text pieces as they come, then each choice's finish reason.
struct TextCompletionChunker: StreamChunker {
    let encoder: TextCompletionEncoder
    private var finished: [Bool]
    /// Per choice: log probabilities waiting for their chunk, and the builder that continues `text_offset`.
    private var waiting: [[TokenLogprobs]]
    private var builders: [LegacyLogprobsBuilder]

    init(encoder: TextCompletionEncoder, choices: Int) {
        self.encoder = encoder
        self.finished = Array(repeating: false, count: choices)
        self.waiting = Array(repeating: [], count: choices)
        self.builders = Array(repeating: LegacyLogprobsBuilder(), count: choices)
    }

    /// The `logprobs` of choice `index`'s next chunk: the waiting entries (null when none were asked for).
    private mutating func logprobs(_ index: Int) -> TextLogprobs? {
        guard encoder.logprobsRequested else { return nil }
        defer { waiting[index].removeAll() }
        return builders[index].logprobs(for: waiting[index])
    }

    mutating func start() -> [JSONValue] { [] }

    mutating func handle(_ event: GenerationEvent) -> [JSONValue] {
        switch event {
        case .text(let index, let text) where finished.indices.contains(index) && !finished[index] && !text.isEmpty:
            return [encoder.chunk(index, text: text, logprobs: logprobs(index))]
        case .logprobs(let index, let entries) where finished.indices.contains(index) && !finished[index]:
            waiting[index] += entries
            return []
        case .finished(let index, let reason) where finished.indices.contains(index) && !finished[index]:
            finished[index] = true
            return [encoder.chunk(index, text: "", finishReason: reason, logprobs: waiting[index].isEmpty ? nil : logprobs(index))]
        default:
            return []
        }
    }

    mutating func end(unfinishedReason: FinishReason) -> [JSONValue] {
        var out: [JSONValue] = []
        for index in finished.indices where !finished[index] {
            finished[index] = true
            out.append(encoder.chunk(index, text: "", finishReason: unfinishedReason))
        }
        return out
    }

    func usageChunk(_ usage: GenerationUsage) -> JSONValue? {
        guard encoder.includeUsage else { return Optional.none }
        return encoder.usageChunk(usage)
    }
}
