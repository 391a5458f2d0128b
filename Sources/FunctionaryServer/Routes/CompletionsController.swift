import Foundation
import FunctionaryProtocol
import Hummingbird

/// `POST /v1/completions`: raw text completion of a prompt the client rendered itself, streamed or not.
struct CompletionsController<Engine: TextGenerator>: Sendable {
    let configuration: ServerConfiguration
    let model: ModelHolder<Engine>
    let runner: GenerationRunner

    func addRoutes(to router: Router<ServerRequestContext>) {
        router.post("/v1/completions") { request, context in
            try await self.complete(request, context: context)
        }
    }

    func complete(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let started = ContinuousClock.now
        var request = request
        let body = try await RequestJSON.collect(&request, limit: configuration.maxBodySize)
        let loaded = try model.requireModel(retryAfter: configuration.retryAfterSeconds)
        let ticket = try runner.admit()
        let (completion, _) = try RequestJSON.decode(CompletionRequest.self, from: body, limits: configuration.limits)
        guard configuration.modelNames(loaded).contains(completion.model) else {
            throw OpenAIError.modelNotFound(completion.model)
        }
        if completion.prompt.text.isEmpty {
            throw OpenAIError.badRequest("'prompt' must not be empty.", param: "prompt", code: "invalid_value")
        }
        try RequestLimits.checkMaxTokens(completion.maxTokens, field: "max_tokens", contextSize: loaded.engine.contextSize)
        try configuration.limits.checkStop(completion.stop?.values)
        let (sampling, n) = try completion.samplingFields.parameters(configuration)
        let generation = GenerationRequest(prompt: completion.prompt.text, sampling: sampling, n: n)
        let cursor = try runner.start(generation, on: loaded.engine, ticket: ticket, context: context, started: started)
        let encoder = TextCompletionEncoder(
            id: "cmpl-\(context.record.id)", created: Int(Date.now.timeIntervalSince1970), model: completion.model,
            includeUsage: completion.streamOptions?.includeUsage ?? false, logprobsRequested: sampling.logprobs != nil)
        if completion.stream ?? false {
            switch try await runner.firstEvent(cursor, context: context) {
            case .clientGone:
                return GenerationRunner.clientClosedResponse
            case .event(let first):
                let chunker = TextCompletionChunker(encoder: encoder, choices: n)
                return runner.streamResponse(cursor: cursor, first: first, chunker: chunker, context: context)
            }
        }
        guard let collected = try await runner.collect(cursor, choices: n, context: context) else {
            return GenerationRunner.clientClosedResponse
        }
        return Response.json(encoder.completion(collected))
    }
}

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
            let reason = collected.reasons[index] ?? (collected.stoppedByShutdown ? .length : .stop)
            var logprobs: TextLogprobs?
            if logprobsRequested {
                var builder = LegacyLogprobsBuilder()
                logprobs = builder.logprobs(for: collected.logprobs.indices.contains(index) ? collected.logprobs[index] : [])
            }
            return TextCompletion.Choice(index: index, text: collected.texts[index], logprobs: logprobs, finishReason: reason.rawValue)
        }
        let usage = CompletionUsage(collected.usage ?? GenerationUsage(promptTokens: 0, completionTokens: 0))
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

    mutating func end(stoppedByShutdown: Bool) -> [JSONValue] {
        var out: [JSONValue] = []
        for index in finished.indices where !finished[index] {
            finished[index] = true
            out.append(encoder.chunk(index, text: "", finishReason: stoppedByShutdown ? .length : .stop))
        }
        return out
    }

    func usageChunk(_ usage: GenerationUsage) -> JSONValue? {
        guard encoder.includeUsage else { return Optional.none }
        return encoder.usageChunk(usage)
    }
}
