import ArgumentParser
import Foundation
import FunctionaryEngine
import FunctionaryProtocol
import FunctionaryRemote
import FunctionaryServer
import Logging
import ServiceLifecycle
import Synchronization

/// `functionary serve`: the OpenAI-compatible HTTP server over the embedded engine.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve a Functionary model over an OpenAI-compatible HTTP API (/v1/chat/completions with tools).",
        discussion: """
            The server listens at once; /health answers 503 until the model is loaded, then 200. \
            SIGINT/SIGTERM stop accepting requests, end in-flight streams cleanly and exit 0.
            """)

    @OptionGroup var engine: EngineOptions

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on.")
    var port = 8000

    @Option(
        name: .customLong("served-model-name"), parsing: .upToNextOption,
        help: "Names clients may use as `model` (default: the model file's name).")
    var servedModelNames: [String] = []

    @Option(
        help: "Require 'Authorization: Bearer <key>' on every route but /health (and /metrics); also $FUNCTIONARY_API_KEY, --api-key-file.")
    var apiKey: String?

    @Option(help: "Requests that may wait for a slot; more get 429.")
    var maxQueue = 64

    @Option(help: "Largest request body in bytes; larger ones get 413.")
    var maxBodySize = 8 * 1024 * 1024

    @Option(help: "Responses kept for previous_response_id and GET /v1/responses/{id} (0: none).")
    var responsesStoreEntries = 1000

    @Option(help: "Bytes the kept responses may take together; the oldest are evicted first.")
    var responsesStoreBytes = 64 * 1024 * 1024

    @Option(help: "Seconds a kept response lives (for previous_response_id and GET /v1/responses/{id}).")
    var responsesTtl = 86_400.0

    @Option(
        help: ArgumentHelp(
            "A Host name (or name:port) to accept besides the listening address, e.g. a reverse proxy's public name; repeatable; '*' accepts any.",
            valueName: "name"))
    var allowedHost: [String] = []

    @Option(
        help: ArgumentHelp(
            "A web origin whose pages may call the server (e.g. http://localhost:3000); repeatable; '*' allows any.",
            valueName: "origin"))
    var allowedOrigin: [String] = []

    @OptionGroup var remote: RemoteEngineFlags

    @OptionGroup(title: "Limits, timeouts and API keys") var limits: ServeLimitFlags

    func validate() throws {
        guard (1...65535).contains(port) || port == 0 else { throw ValidationError("--port must be between 0 and 65535.") }
        guard maxQueue >= 0 else { throw ValidationError("--max-queue must be 0 or more.") }
        guard maxBodySize >= 1024 else { throw ValidationError("--max-body-size must be at least 1024.") }
        guard responsesStoreEntries >= 0, responsesStoreBytes >= 0 else {
            throw ValidationError("--responses-store-entries and --responses-store-bytes must be 0 or more.")
        }
        guard responsesTtl > 0, responsesTtl <= 365 * 86_400 else {
            throw ValidationError("--responses-ttl must be more than 0 and at most 31536000 seconds (a year).")
        }
        for origin in allowedOrigin where origin != "*" && !(origin.hasPrefix("http://") || origin.hasPrefix("https://")) {
            throw ValidationError("--allowed-origin \(origin): expected an origin such as http://localhost:3000, or '*'.")
        }
        if allowedHost.contains(where: \.isEmpty) { throw ValidationError("--allowed-host must not be empty.") }
        if let apiKey, apiKey.isEmpty { throw ValidationError("--api-key must not be empty.") }
        if remote.isEnabled, engine.template.namedVersion == nil {
            throw ValidationError(
                "--template is required with --engine-url (there is no model file to detect it from); one of: "
                    + TemplateArgument.versionNames)
        }
    }

    func run() async throws {
        var logger = Logger(label: "functionary")
        logger.logLevel = .info
        if remote.isEnabled {
            try await serveRemote(logger: logger)
        } else {
            try await serveLocal(logger: logger)
        }
    }

    /// The embedded llama.cpp engine on a GGUF file.
    private func serveLocal(logger: Logger) async throws {
        let modelPath = engine.configuration.modelPath
        let fileName = URL(fileURLWithPath: modelPath).lastPathComponent
        let stem = fileName.hasSuffix(".gguf") ? String(fileName.dropLast(5)) : fileName
        let names = servedModelNames.isEmpty ? [stem, fileName] : servedModelNames
        let engineOptions = engine
        let maxQueue = self.maxQueue
        let limits = self.limits
        try await serve(
            names: names, loading: modelPath, logger: logger,
            load: {
                // Loading blocks for a while: run it on its own thread, not on the concurrency pool.
                let (llama, template) = try await Self.offPool { try engineOptions.loadEngine(maxQueue: maxQueue) { limits.apply(to: &$0) } }
                if let failure = llama.adapterMergeFailure {
                    logger.warning("LoRA adapters are applied at every token, not merged: \(failure)")
                }
                return LoadedModel(
                    engine: llama, template: template.template, displayName: fileName, adapters: llama.adapters.map(\.description))
            },
            shutdown: { llama in
                _ = try? await Self.offPool { llama.shutdown() }
            })
    }

    /// vLLM / SGLang / llama.cpp servers behind this one (docs/remote-engines.md).
    private func serveRemote(logger: Logger) async throws {
        guard let version = engine.template.namedVersion else { throw ValidationError("--template is required") }
        var remoteOptions = try remote.options(contextSize: engine.contextSize > 0 ? engine.contextSize : nil)
        remoteOptions.maxGrammarBytes = limits.maxGrammarBytes
        let options = remoteOptions
        let urls = remote.urls
        // Logs and the ready line show engine URLs without their credentials.
        let shown = urls.map { (try? UpstreamEndpoint(url: $0))?.display ?? $0 }.joined(separator: ", ")
        try await serve(
            names: servedModelNames, loading: shown, logger: logger,
            load: {
                let pool = try await RemoteEnginePool.connect(urls: urls, options: options, logger: logger)
                return LoadedModel(
                    engine: pool, template: version.template, displayName: shown,
                    servedNames: [pool.upstreamModel ?? "functionary"])
            },
            shutdown: { pool in
                try? await pool.shutdown()
            },
            whileServing: { pool in
                try await pool.run()
            })
    }

    /// Runs the HTTP server at once and the engine loader beside it until SIGTERM/SIGINT.
    private func serve<Engine: TextGenerator>(
        names: [String], loading: String, logger: Logger, load: @escaping @Sendable () async throws -> LoadedModel<Engine>,
        shutdown: @escaping @Sendable (Engine) async -> Void, whileServing: (@Sendable (Engine) async throws -> Void)? = nil
    ) async throws {
        let parallel = engine.parallel
        var serverConfiguration = ServerConfiguration(
            host: host, port: port, servedModelNames: names, apiKey: apiKey, parallel: parallel, maxQueue: maxQueue,
            maxBodySize: maxBodySize)
        try limits.apply(to: &serverConfiguration)
        serverConfiguration.responsesStoreEntries = responsesStoreEntries
        serverConfiguration.responsesStoreBytes = responsesStoreBytes
        serverConfiguration.responsesTTL = .milliseconds(Int64(responsesTtl * 1000))
        serverConfiguration.allowedHosts = allowedHost
        serverConfiguration.allowedOrigins = allowedOrigin
        let configuration = serverConfiguration
        let holder = ModelHolder<Engine>()
        let address = AddressBox(host: host, port: port)
        let host = self.host
        let app = buildApplication(configuration: configuration, model: holder, logger: logger) { boundPort in
            address.port.withLock { $0 = boundPort }
            logger.info("listening on http://\(host):\(boundPort); loading \(loading)")
            if ["0.0.0.0", "::", "[::]"].contains(host), !configuration.allowedHosts.contains("*") {
                logger.notice(
                    "listening on every address: requests must name the server by an IP address or localhost in their Host header; add --allowed-host NAME for DNS names (e.g. a proxy's)"
                )
            }
        }
        let loader = ModelLoaderService(
            holder: holder, logger: logger, load: load,
            ready: { model in
                let port = address.port.withLock { $0 }
                let name = configuration.servedModelNames.first ?? model.servedNames.first ?? model.displayName
                let adapters = model.adapters.isEmpty ? "none" : model.adapters.joined(separator: ",")
                logger.info(
                    "ready: http://\(host):\(port) model=\(name) (\(model.displayName)) template=\(model.template.version.rawValue) slots=\(parallel) ctx=\(model.engine.contextSize) adapter=\(adapters)"
                )
            },
            shutdown: shutdown, whileServing: whileServing)
        let group = ServiceGroup(
            configuration: .init(services: [loader, app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        logger.info("stopped")
    }
}

extension Serve {
    /// Runs blocking work on a dispatch queue and awaits its result.
    static func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try work() })
            }
        }
    }
}

/// The port actually bound (differs from --port 0), for the ready line.
private final class AddressBox: Sendable {
    let host: String
    let port: Mutex<Int>

    init(host: String, port: Int) {
        self.host = host
        self.port = Mutex(port)
    }
}
