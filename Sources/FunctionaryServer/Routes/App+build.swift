import FunctionaryProtocol
import Hummingbird
import Logging
import NIOCore

/// Builds the OpenAI-compatible server over an engine (the embedded llama.cpp engine in `functionary serve`,
/// a scripted one in tests).
///
/// The application serves at once; until `model` has its model, `/health` answers 503 and the generation
/// routes answer 503 with `Retry-After`.
/// - Parameters:
///   - configuration: address, model names, limits.
///   - model: where the routes find the engine and template.
///   - logger: the server's logger (one line per request, errors).
///   - onServerRunning: called with the bound port once the server listens.
/// - Returns: an application to run under a `ServiceGroup` (or with `runService()`).
public func buildApplication<Engine: TextGenerator>(
    configuration: ServerConfiguration, model: ModelHolder<Engine>, logger: Logger,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let listeningPort = ListeningPort(configuration.port == 0 ? nil : configuration.port)
    let router = makeRouter(configuration: configuration, model: model, logger: logger, listeningPort: listeningPort)
    let timeouts = configuration.timeouts
    return Application(
        router: router,
        server: .http1(
            configuration: .init(
                additionalChannelHandlers: [ConnectionGuard(timeouts: timeouts)], idleTimeout: TimeAmount(timeouts.idle))),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "functionary"),
        onServerRunning: { channel in
            let port = channel.localAddress?.port ?? configuration.port
            listeningPort.set(port)
            await onServerRunning(port)
        },
        logger: logger)
}

/// The router with every route and middleware (exposed for tests that drive it without a socket).
public func buildRouter<Engine: TextGenerator>(
    configuration: ServerConfiguration, model: ModelHolder<Engine>, logger: Logger
) -> Router<ServerRequestContext> {
    makeRouter(
        configuration: configuration, model: model, logger: logger,
        listeningPort: ListeningPort(configuration.port == 0 ? nil : configuration.port))
}

func makeRouter<Engine: TextGenerator>(
    configuration: ServerConfiguration, model: ModelHolder<Engine>, logger: Logger, listeningPort: ListeningPort
) -> Router<ServerRequestContext> {
    let metrics = ServerMetrics()
    let admission = Admission(slots: configuration.parallel, capacity: configuration.admissionCapacity)
    let runner = GenerationRunner(
        configuration: configuration, metrics: metrics, admission: admission, stop: StopSignal(gracePeriod: configuration.shutdownGracePeriod))
    let router = Router(context: ServerRequestContext.self)
    router.add(middleware: ObservabilityMiddleware(logger: logger, metrics: metrics))
    router.add(
        middleware: BrowserGuardMiddleware(
            policy: HostPolicy(
                bindHost: configuration.host, allowedHosts: configuration.allowedHosts, allowedOrigins: configuration.allowedOrigins,
                listeningPort: listeningPort)))
    let keys = configuration.acceptedAPIKeys
    if !keys.isEmpty {
        router.add(middleware: APIKeyMiddleware(keys: keys, protectMetrics: configuration.protectMetrics))
    }
    InfoController(configuration: configuration, model: model, metrics: metrics, admission: admission).addRoutes(to: router)
    let pipeline = GenerationPipeline(configuration: configuration, model: model, runner: runner)
    ChatCompletionsController(pipeline: pipeline).addRoutes(to: router)
    CompletionsController(pipeline: pipeline).addRoutes(to: router)
    let store = ResponseStore(
        maxEntries: configuration.responsesStoreEntries, maxBytes: configuration.responsesStoreBytes,
        maxAge: configuration.responsesTTL)
    ResponsesController(pipeline: pipeline, store: store).addRoutes(to: router)
    MessagesController(pipeline: pipeline).addRoutes(to: router)
    return router
}
