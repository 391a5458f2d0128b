import FunctionaryProtocol
import FunctionaryServer
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing

/// Builds the real application around a scripted engine, and helpers to talk to it.
enum TestServer {
    static let modelName = "test-model"

    static func configuration(_ configure: (inout ServerConfiguration) -> Void = { _ in }) -> ServerConfiguration {
        var configuration = ServerConfiguration(host: "127.0.0.1", port: 0, servedModelNames: [modelName], parallel: 4, maxQueue: 4)
        configure(&configuration)
        return configuration
    }

    static func app(
        engine: ScriptedEngine, template: any PromptTemplate = TestTemplate(), logger: Logger? = nil,
        _ configure: (inout ServerConfiguration) -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let holder = ModelHolder(LoadedModel(engine: engine, template: template, displayName: "scripted"))
        return buildApplication(configuration: configuration(configure), model: holder, logger: logger ?? quiet(Logger(label: "test")))
    }

    static func quiet(_ logger: Logger) -> Logger {
        var logger = logger
        logger.logLevel = .warning
        return logger
    }

    /// A chat request body with one user message and extra top-level fields (JSON text).
    static func chat(_ extra: String = "", messages: String = #"[{"role":"user","content":"Hi"}]"#) -> String {
        #"{"model":"test-model","messages":\#(messages)"# + (extra.isEmpty ? "" : "," + extra) + "}"
    }

    static let weatherTool =
        #"{"type":"function","function":{"name":"get_weather","description":"Weather","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}"#
    static let timeTool = #"{"type":"function","function":{"name":"get_time","parameters":{"type":"object","properties":{}}}}"#
}

extension TestClientProtocol {
    /// POSTs a JSON text.
    func post(_ uri: String, json: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        var headers = headers
        headers[.contentType] = "application/json"
        return try await execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: json))
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }

    /// The body as JSON.
    func json() throws -> JSONValue { try JSONValue(parsing: text) }

    /// The `data:` payloads of an SSE body, in order.
    var events: [String] {
        text.components(separatedBy: "\n\n").compactMap { block in
            block.hasPrefix("data: ") ? String(block.dropFirst(6)) : nil
        }
    }

    /// The SSE payloads parsed, without the final `[DONE]`.
    func chunks() throws -> [JSONValue] {
        try events.filter { $0 != "[DONE]" }.map { try JSONValue(parsing: $0) }
    }

    /// `error.message` of an OpenAI error body.
    func errorMessage() throws -> String? { try json()["error"]?["message"]?.stringValue }
    func errorParam() throws -> String? { try json()["error"]?["param"]?.stringValue }
}

extension JSONValue {
    /// `choices[0].delta` of a chunk, for compact assertions.
    var delta: JSONValue? { self["choices"]?.arrayValue?.first?["delta"] }
    var intValue: Int? { numberValue?.intValue }
}

/// Waits until `condition` holds (polling), failing after `timeout`.
func eventually(
    timeout: Duration = .seconds(5), _ what: String, sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: @Sendable () async -> Bool
) async {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if await condition() { return }
        try? await Task.sleep(for: .milliseconds(10))
    }
    Issue.record("timed out waiting for: \(what)", sourceLocation: sourceLocation)
}

/// Log lines kept by `CapturingLogHandler`.
final class LogLines: Sendable {
    private let storage = Mutex<[String]>([])
    func append(_ line: String) { storage.withLock { $0.append(line) } }
    var all: [String] { storage.withLock { $0 } }
}

/// A log handler that keeps the lines it gets (to check the request log).
struct CapturingLogHandler: LogHandler {
    let lines: LogLines
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        lines.append("\(event.level) \(event.message)")
    }
}
