import AsyncHTTPClient
import Foundation
import FunctionaryProtocol
import NIOCore
import NIOHTTP1
import Synchronization

/// Runs turns on any OpenAI-compatible server (`functionary serve`, vLLM, llama.cpp's server, OpenAI)
/// through `POST /v1/chat/completions` with `stream: true`, reading the server-sent events as they come.
public struct HTTPBackend: ChatBackend {
    /// The base URL, e.g. `http://127.0.0.1:8000/v1`.
    public let baseURL: String
    /// The `model` field of each request.
    public let model: String
    /// Sent as `Authorization: Bearer …` when set.
    public let apiKey: String?
    /// The longest wait for the response headers.
    public var responseTimeout: Duration
    /// The longest silence between two pieces of the streamed body.
    public var idleTimeout: Duration
    /// Extra top-level request fields (e.g. `{"top_k": 1}`), added as they are.
    public var extraBody: JSONObject
    let client: HTTPClient

    /// - Parameters:
    ///   - url: the server's base URL (`http://host:8000/v1`; a URL without a path gets `/v1`).
    ///   - model: the model name to request.
    ///   - apiKey: the bearer token, if the server wants one.
    ///   - client: the HTTP client (by default a process-wide one that fails at once when the server refuses
    ///     the connection and gives up connecting after 10 s).
    public init(
        url: String, model: String, apiKey: String? = nil, client: HTTPClient = HTTPBackend.defaultClient,
        responseTimeout: Duration = .seconds(300), idleTimeout: Duration = .seconds(300), extraBody: JSONObject = [:]
    ) {
        self.baseURL = url
        self.model = model
        self.apiKey = apiKey
        self.client = client
        self.responseTimeout = responseTimeout
        self.idleTimeout = idleTimeout
        self.extraBody = extraBody
    }

    public func respond(to request: TurnRequest, onEvent: @escaping @Sendable (TurnEvent) -> Void) async throws -> AssistantTurn {
        let url = try Self.endpoint(baseURL, "chat/completions")
        var http = HTTPClientRequest(url: url)
        http.method = .POST
        http.headers.add(name: "Content-Type", value: "application/json")
        http.headers.add(name: "Accept", value: "text/event-stream")
        if let apiKey, !apiKey.isEmpty { http.headers.add(name: "Authorization", value: "Bearer \(apiKey)") }
        http.body = .bytes(ByteBuffer(string: requestBody(request).compactJSON()))

        let response = try await execute(http, url: url)
        guard response.status == .ok else {
            throw await Self.statusError(response, url: url, timeout: responseTimeout)
        }
        let isEventStream = response.headers.first(name: "Content-Type")?.lowercased().contains("text/event-stream") ?? true
        let clock = ActivityClock()
        let idle = idleTimeout
        return try await withThrowingTaskGroup(of: AssistantTurn.self) { group in
            group.addTask {
                var decoder = ServerSentEventDecoder()
                var assembler = ChatChunkAssembler()
                var whole: [UInt8] = []
                reading: for try await buffer in response.body {
                    clock.touch()
                    if !isEventStream {
                        whole += buffer.readableBytesView
                        continue
                    }
                    let events: [ServerSentEvent]
                    do {
                        events = try decoder.feed(buffer.readableBytesView)
                    } catch ServerSentEventError.lineTooLong(let limit) {
                        throw AgentError(.invalidResponse, "The server at \(url) sent an event line longer than \(limit) bytes.")
                    } catch ServerSentEventError.eventTooLong(let limit) {
                        throw AgentError(.invalidResponse, "The server at \(url) sent an event longer than \(limit) bytes.")
                    }
                    for event in events {
                        for piece in try assembler.consume(event) { onEvent(piece) }
                        if assembler.isDone { break reading }
                    }
                }
                try Task.checkCancellation()
                let rest = isEventStream ? decoder.finish() : [ServerSentEvent(data: String(decoding: whole, as: UTF8.self))]
                for event in rest {
                    for piece in try assembler.consume(event) { onEvent(piece) }
                }
                return assembler.turn()
            }
            group.addTask {
                while true {
                    try await Task.sleep(for: min(idle, .seconds(1)))
                    if clock.silence > idle {
                        throw AgentError(.timeout, "The server at \(url) sent nothing for \(idle.formattedSeconds); giving up.")
                    }
                }
            }
            guard let turn = try await group.next() else { throw CancellationError() }
            group.cancelAll()
            return turn
        }
    }

    /// The client used when none is given: like `HTTPClient.shared`, never shut down, but with a 10 s
    /// connect timeout and no retries of failed connections (the shared one keeps trying for 90 s).
    public static let defaultClient: HTTPClient = {
        var configuration = HTTPClient.Configuration(timeout: HTTPClient.Configuration.Timeout(connect: .seconds(10)))
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    /// The ids of the models the server offers (`GET /v1/models`).
    public func availableModels() async throws -> [String] {
        let url = try Self.endpoint(baseURL, "models")
        var http = HTTPClientRequest(url: url)
        if let apiKey, !apiKey.isEmpty { http.headers.add(name: "Authorization", value: "Bearer \(apiKey)") }
        let response = try await execute(http, url: url)
        guard response.status == .ok else { throw await Self.statusError(response, url: url, timeout: responseTimeout) }
        let body = try await response.body.collect(upTo: 8 << 20)
        guard let list = try? JSONValue(parsing: String(buffer: body)), let data = list["data"]?.arrayValue else {
            throw AgentError(.invalidResponse, "The server at \(url) did not answer with a model list.")
        }
        return data.compactMap { $0["id"]?.stringValue }
    }

    func execute(_ request: HTTPClientRequest, url: String) async throws -> HTTPClientResponse {
        do {
            return try await client.execute(request, timeout: .nanoseconds(responseTimeout.nanoseconds))
        } catch {
            if Task.isCancelled { throw CancellationError() }
            if let error = error as? HTTPClientError, error == .deadlineExceeded {
                throw AgentError(.timeout, "The server at \(url) did not answer within \(responseTimeout.formattedSeconds).")
            }
            throw AgentError(.backend, "Could not reach \(url): \(error)")
        }
    }
}

/// When the last byte arrived (shared by the body reader and the idle watchdog).
final class ActivityClock: Sendable {
    private let last = Mutex(ContinuousClock.now)

    func touch() {
        last.withLock { $0 = .now }
    }

    var silence: Duration {
        ContinuousClock.now - last.withLock { $0 }
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let parts = components
        return parts.seconds * 1_000_000_000 + parts.attoseconds / 1_000_000_000
    }

    var secondsValue: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }

    var formattedSeconds: String {
        let value = secondsValue
        return value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }
}
