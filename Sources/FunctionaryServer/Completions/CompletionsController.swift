import Foundation
import FunctionaryProtocol
import Hummingbird

/// `POST /v1/completions`: raw text completion of a prompt the client rendered itself, streamed or not.
struct CompletionsController<Engine: TextGenerator>: Sendable {
    let pipeline: GenerationPipeline<Engine>

    func addRoutes(to router: Router<ServerRequestContext>) {
        router.post("/v1/completions") { request, context in
            try await pipeline.generate(request, context: context) { admitted in
                try CompletionJob(admitted, configuration: pipeline.configuration, id: "cmpl-\(context.record.id)")
            }
        }
    }
}

/// A checked `/v1/completions` request, answered with `text_completion` objects.
struct CompletionJob: GenerationJob {
    let generation: GenerationRequest
    let stream: Bool
    let encoder: TextCompletionEncoder

    init<Engine>(_ admitted: AdmittedRequest<Engine>, configuration: ServerConfiguration, id: String) throws(OpenAIError) {
        let (completion, _) = try RequestJSON.decode(CompletionRequest.self, from: admitted.body, limits: configuration.limits)
        guard admitted.modelNames(configuration).contains(completion.model) else {
            throw OpenAIError.modelNotFound(completion.model)
        }
        if completion.prompt.text.isEmpty {
            throw OpenAIError.badRequest("'prompt' must not be empty.", param: "prompt", code: "invalid_value")
        }
        try RequestLimits.checkMaxTokens(completion.maxTokens, field: "max_tokens", contextSize: admitted.loaded.engine.contextSize)
        try configuration.limits.checkStop(completion.stop?.values)
        let (sampling, n) = try completion.samplingFields.parameters(configuration)
        generation = GenerationRequest(prompt: completion.prompt.text, sampling: sampling, n: n)
        stream = completion.stream ?? false
        encoder = TextCompletionEncoder(
            id: id, created: Int(Date.now.timeIntervalSince1970), model: completion.model,
            includeUsage: completion.streamOptions?.includeUsage ?? false, logprobsRequested: sampling.logprobs != nil)
    }

    func makeChunker() -> TextCompletionChunker { TextCompletionChunker(encoder: encoder, choices: generation.n) }

    func answer(_ collected: GenerationRunner.Collected) -> JSONValue { encoder.completion(collected) }
}
