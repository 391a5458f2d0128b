import FunctionaryProtocol
import Logging
import ServiceLifecycle

/// Loads the model in the background while the HTTP server already answers (`/health` 503), publishes it,
/// and shuts the engine down after the server has drained on SIGTERM/SIGINT. Put it before the application
/// in the `ServiceGroup`, so that it is shut down after it.
public struct ModelLoaderService<Engine: TextGenerator>: Service {
    let holder: ModelHolder<Engine>
    let logger: Logger
    let load: @Sendable () async throws -> LoadedModel<Engine>
    let ready: @Sendable (LoadedModel<Engine>) -> Void
    let shutdown: @Sendable (Engine) async -> Void
    let whileServing: (@Sendable (Engine) async throws -> Void)?

    /// - Parameters:
    ///   - holder: where the routes find the model.
    ///   - logger: logs a load failure.
    ///   - load: loads the model (may take long; runs once).
    ///   - ready: called once the model serves (the "ready" log line).
    ///   - shutdown: frees the engine at the end.
    ///   - whileServing: work that runs as long as the model serves (a remote pool's health checks); cancelled
    ///     at shutdown.
    public init(
        holder: ModelHolder<Engine>, logger: Logger, load: @escaping @Sendable () async throws -> LoadedModel<Engine>,
        ready: @escaping @Sendable (LoadedModel<Engine>) -> Void, shutdown: @escaping @Sendable (Engine) async -> Void,
        whileServing: (@Sendable (Engine) async throws -> Void)? = nil
    ) {
        self.holder = holder
        self.logger = logger
        self.load = load
        self.ready = ready
        self.shutdown = shutdown
        self.whileServing = whileServing
    }

    public func run() async throws {
        let model: LoadedModel<Engine>
        do {
            model = try await load()
        } catch {
            holder.failed("\(error)")
            logger.error("could not load the model: \(error)")
            throw error
        }
        holder.ready(model)
        ready(model)
        if let whileServing {
            let engine = model.engine
            try? await cancelWhenGracefulShutdown { try await whileServing(engine) }
        }
        try? await gracefulShutdown()
        await shutdown(model.engine)
    }
}
