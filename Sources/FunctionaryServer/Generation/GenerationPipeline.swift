import FunctionaryProtocol
import Hummingbird

/// One generating request of some API, checked: what the engine generates and how the answer is shaped, streamed
/// or not. Each API (chat completions, completions, responses, messages) decodes and shapes its own;
/// `GenerationPipeline` does the rest.
protocol GenerationJob: Sendable {
    associatedtype Chunker: StreamChunker
    /// What the engine generates.
    var generation: GenerationRequest { get }
    /// Whether the answer is streamed (server-sent events).
    var stream: Bool { get }
    /// The chunks of the streamed answer.
    func makeChunker() -> Chunker
    /// The answer that is not streamed, from the whole generation.
    func answer(_ collected: GenerationRunner.Collected) -> JSONValue
}

/// A generating request that has its body, its model and its place in admission.
struct AdmittedRequest<Engine: TextGenerator>: Sendable {
    /// The request body (at most `--max-body-size` bytes).
    let body: [UInt8]
    let loaded: LoadedModel<Engine>
    let ticket: Admission.Ticket
    /// When the request came (the time to its first token is measured from here).
    let started: ContinuousClock.Instant

    /// The names clients may use for `model`.
    func modelNames(_ configuration: ServerConfiguration) -> [String] { loaded.modelNames(configuration) }
}

/// The one way through the server for every generating route: collect the body, require the model, take a place in
/// admission, let the API check the request, then generate and answer (streamed, whole, or 499 when the client left).
struct GenerationPipeline<Engine: TextGenerator>: Sendable {
    let configuration: ServerConfiguration
    let model: ModelHolder<Engine>
    let runner: GenerationRunner

    /// Collects the body (413 over `--max-body-size`), requires the model (503 while it loads) and takes a place in
    /// admission (503 while shutting down, 429 when full), before the API parses the body, renders the prompt or
    /// builds a grammar: that work counts against the same `--parallel` + `--max-queue` budget as generation.
    func admit<Value>(
        _ request: Request, _ body: (AdmittedRequest<Engine>) async throws -> Value
    ) async throws -> Value {
        let started = ContinuousClock.now
        var request = request
        let bytes = try await RequestJSON.collect(&request, limit: configuration.maxBodySize)
        let loaded = try model.requireModel(retryAfter: configuration.retryAfterSeconds)
        let ticket = try runner.admit()
        return try await body(AdmittedRequest(body: bytes, loaded: loaded, ticket: ticket, started: started))
    }

    /// Starts an admitted request's generation and reads all of it (nil when the client went away).
    func collect(
        _ generation: GenerationRequest, for admitted: AdmittedRequest<Engine>, context: ServerRequestContext
    ) async throws -> GenerationRunner.Collected? {
        let cursor = try runner.start(
            generation, on: admitted.loaded.engine, ticket: admitted.ticket, context: context, started: admitted.started)
        return try await runner.collect(cursor, choices: generation.n, context: context)
    }

    /// Runs a generating request: `makeJob` decodes and checks the admitted request for its API; the answer is
    /// the job's stream, or its whole answer as JSON.
    func generate<Job: GenerationJob>(
        _ request: Request, context: ServerRequestContext, makeJob: (AdmittedRequest<Engine>) async throws -> Job
    ) async throws -> Response {
        try await admit(request) { admitted in
            let job = try await makeJob(admitted)
            let cursor = try runner.start(
                job.generation, on: admitted.loaded.engine, ticket: admitted.ticket, context: context, started: admitted.started)
            if job.stream {
                switch try await runner.firstEvent(cursor, context: context) {
                case .clientGone:
                    return GenerationRunner.clientClosedResponse
                case .event(let first):
                    return runner.streamResponse(cursor: cursor, first: first, chunker: job.makeChunker(), context: context)
                }
            }
            guard let collected = try await runner.collect(cursor, choices: job.generation.n, context: context) else {
                return GenerationRunner.clientClosedResponse
            }
            return JSONResponse(job.answer(collected)).response()
        }
    }
}
