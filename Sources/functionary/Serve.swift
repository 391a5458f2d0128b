import ArgumentParser
import Foundation
import FunctionaryEngine
import FunctionaryProtocol
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

    @Option(help: "Require 'Authorization: Bearer <key>' on /v1/* requests.")
    var apiKey: String?

    @Option(help: "Requests that may wait for a slot; more get 429.")
    var maxQueue = 64

    @Option(help: "Largest request body in bytes; larger ones get 413.")
    var maxBodySize = 8 * 1024 * 1024

    func validate() throws {
        guard (1...65535).contains(port) || port == 0 else { throw ValidationError("--port must be between 0 and 65535.") }
        guard maxQueue >= 0 else { throw ValidationError("--max-queue must be 0 or more.") }
        guard maxBodySize >= 1024 else { throw ValidationError("--max-body-size must be at least 1024.") }
        if let apiKey, apiKey.isEmpty { throw ValidationError("--api-key must not be empty.") }
    }

    func run() async throws {
        var logger = Logger(label: "functionary")
        logger.logLevel = .info
        let modelPath = engine.configuration.modelPath
        let parallel = engine.parallel
        let fileName = URL(fileURLWithPath: modelPath).lastPathComponent
        let stem = fileName.hasSuffix(".gguf") ? String(fileName.dropLast(5)) : fileName
        let names = servedModelNames.isEmpty ? [stem, fileName] : servedModelNames
        let configuration = ServerConfiguration(
            host: host, port: port, servedModelNames: names, apiKey: apiKey, parallel: parallel, maxQueue: maxQueue,
            maxBodySize: maxBodySize)
        let holder = ModelHolder<LlamaEngine>()
        let address = AddressBox(host: host, port: port)
        let app = buildApplication(configuration: configuration, model: holder, logger: logger) { [logger] boundPort in
            address.port.withLock { $0 = boundPort }
            logger.info("listening on http://\(host):\(boundPort); loading \(modelPath)")
        }
        let engineOptions = engine
        let loader = ModelLoaderService(
            holder: holder, logger: logger,
            load: {
                // Loading blocks for a while: run it on its own thread, not on the concurrency pool.
                let (llama, template) = try await Self.offPool { try engineOptions.loadEngine() }
                return LoadedModel(engine: llama, template: template.template, displayName: fileName)
            },
            ready: { [logger] model in
                let port = address.port.withLock { $0 }
                logger.info(
                    "ready: http://\(host):\(port) model=\(names[0]) (\(model.displayName)) template=\(model.template.version.rawValue) slots=\(parallel) ctx=\(model.engine.contextSize)"
                )
            },
            shutdown: { llama in
                _ = try? await Self.offPool { llama.shutdown() }
            })
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
