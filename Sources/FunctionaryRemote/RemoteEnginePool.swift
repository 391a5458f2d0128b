import FunctionaryProtocol
import Logging

/// A `TextGenerator` that sends rendered Functionary prompts to one or more remote engines (vLLM,
/// SGLang, llama.cpp's server or another OpenAI-compatible completions server).
///
/// Each request goes to the healthy upstream with the fewest requests in flight, unless an upstream
/// already holds the request's prompt prefix in its cache and is not overloaded (prefix affinity, so
/// that the turns of a conversation hit the same prefix cache). A request whose upstream fails before
/// producing output is retried on another upstream; one that fails mid-stream ends with
/// `GenerationError.engineFailure`. Failing upstreams leave the rotation and come back when their
/// `/health` answers again (`run()` checks periodically; with no healthy upstream left, a request
/// checks at once).
///
/// Create one with `connect(urls:options:logger:)`; run `run()` for the health checks, and call
/// `shutdown()` at the end.
public final class RemoteEnginePool: TextGenerator, EngineStatsProviding {
    /// The context size in tokens: the smallest of the upstreams', or the configured one.
    public let contextSize: Int
    /// The upstreams, in the order given.
    public let endpoints: [UpstreamEndpoint]
    /// The model name the upstreams serve (the first one's), for logs.
    public let upstreamModel: String?

    let options: RemoteEngineOptions
    let transport: any UpstreamTransport
    let router: UpstreamRouter
    let logger: Logger
    let tokenCache = TokenIDCache()

    init(
        upstreams: [(UpstreamEndpoint, UpstreamProfile, healthy: Bool)], contextSize: Int, options: RemoteEngineOptions,
        transport: any UpstreamTransport, logger: Logger
    ) {
        self.contextSize = contextSize
        endpoints = upstreams.map(\.0)
        upstreamModel = upstreams.lazy.compactMap { $0.1.model }.first
        self.options = options
        self.transport = transport
        router = UpstreamRouter(upstreams: upstreams, options: options)
        self.logger = logger
    }

    /// Starts a generation on an upstream; see the type's description for routing and failover.
    /// Cancelling the consumer (or dropping the stream) cancels the upstream request.
    public func generate(_ request: GenerationRequest) -> AsyncThrowingStream<GenerationEvent, any Error> {
        AsyncThrowingStream { continuation in
            // The task's life is bound to the stream: onTermination cancels it when the consumer goes away.
            let task = Task { await self.drive(request, continuation: continuation) }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Requests in flight (`activeSlots`) and the capacity of the healthy upstreams (`totalSlots`).
    public func stats() async -> EngineStats {
        await router.stats()
    }

    /// Every upstream's health and load.
    public func statuses() async -> [RemoteUpstreamStatus] {
        await router.statuses()
    }

    /// Checks every upstream's health every `healthCheckInterval` until the calling task is cancelled.
    public func run() async throws {
        while !Task.isCancelled {
            await checkHealth()
            do {
                try await Task.sleep(for: options.healthCheckInterval)
            } catch {
                return
            }
        }
    }

    /// Closes the HTTP connections. Call once, after the last request.
    public func shutdown() async throws {
        try await transport.shutdown()
    }

    /// `Authorization` for the upstreams, if an API key is configured.
    var authorizationHeaders: [(String, String)] {
        options.apiKey.map { [("Authorization", "Bearer " + $0)] } ?? []
    }
}
