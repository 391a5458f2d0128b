import AsyncHTTPClient
import NIOCore

/// One HTTP request to an upstream.
struct UpstreamHTTPRequest: Sendable {
    enum Method: String, Sendable { case get = "GET", post = "POST" }

    var method: Method
    var url: String
    var body: [UInt8]?
    var headers: [(String, String)] = []
    /// Limit for the whole exchange, body included; `nil`: none beyond the client's read timeout.
    var timeout: Duration?
}

/// An upstream's answer, its body read chunk by chunk by the task that sent the request.
struct UpstreamHTTPResponse {
    var status: Int
    /// The next piece of the body, `nil` at its end.
    var nextChunk: () async throws -> [UInt8]?

    /// The whole body (at most `limit` bytes) as text.
    func text(limit: Int = 1 << 20) async throws -> String {
        var bytes: [UInt8] = []
        while let chunk = try await nextChunk() {
            bytes.append(contentsOf: chunk.prefix(max(0, limit - bytes.count)))
            if bytes.count >= limit { break }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Sends HTTP requests to upstreams; tests replace it with a scripted one.
protocol UpstreamTransport: Sendable {
    /// Sends the request and returns once the response head arrived.
    /// - Throws: `UpstreamFailure` (`.connection` or `.timeout`) when no response came.
    func send(_ request: UpstreamHTTPRequest) async throws -> UpstreamHTTPResponse
    /// Releases connections.
    func shutdown() async throws
}

/// The transport over AsyncHTTPClient.
final class HTTPClientTransport: UpstreamTransport {
    private let client: HTTPClient

    init(connectTimeout: Duration, readTimeout: Duration) {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: Self.timeAmount(connectTimeout), read: Self.timeAmount(readTimeout))
        configuration.decompression = .disabled
        // Idle connections are dropped before the servers' own keep-alive timeouts (5 s in uvicorn and
        // cpp-httplib) close them under us; and every in-flight stream needs its own HTTP/1 connection.
        configuration.connectionPool = .init(idleTimeout: .seconds(2), concurrentHTTP1ConnectionsPerHostSoftLimit: 4096)
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    func send(_ request: UpstreamHTTPRequest) async throws -> UpstreamHTTPResponse {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = request.method == .post ? .POST : .GET
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        // One connection per request: engine servers close idle keep-alive connections on their own
        // schedule (llama-server after each stream), and a reused dead connection fails the request.
        // A new loopback/LAN connection costs far less than a token.
        outgoing.headers.replaceOrAdd(name: "Connection", value: "close")
        if let body = request.body {
            outgoing.headers.add(name: "Content-Type", value: "application/json")
            outgoing.body = .bytes(ByteBuffer(bytes: body))
        }
        let deadline = request.timeout.map { NIODeadline.now() + Self.timeAmount($0) } ?? .distantFuture
        var response: HTTPClientResponse? = nil
        var attempt = 0
        while response == nil {
            attempt += 1
            do {
                response = try await client.execute(outgoing, deadline: deadline)
            } catch {
                // A pooled connection the server closed while idle fails before anything was sent or
                // answered: send once more on a fresh connection.
                if attempt < 3 && Self.isStaleConnection(error) && !Task.isCancelled { continue }
                throw Self.failure(error)
            }
        }
        guard let response else { throw UpstreamFailure(kind: .connection, message: "no response") }
        var iterator = response.body.makeAsyncIterator()
        return UpstreamHTTPResponse(status: Int(response.status.code)) {
            do {
                guard let buffer = try await iterator.next() else { return nil }
                return Array(buffer.readableBytesView)
            } catch {
                throw Self.failure(error)
            }
        }
    }

    func shutdown() async throws {
        try await client.shutdown()
    }

    /// Our failure for an AsyncHTTPClient/NIO error; cancellation passes through unchanged.
    static func failure(_ error: any Error) -> any Error {
        if error is CancellationError { return error }
        if let clientError = error as? HTTPClientError {
            switch clientError {
            case .cancelled: return CancellationError()
            case .readTimeout, .deadlineExceeded, .connectTimeout:
                return UpstreamFailure(kind: .timeout, message: String(describing: clientError))
            default:
                return UpstreamFailure(kind: .connection, message: String(describing: clientError))
            }
        }
        return UpstreamFailure(kind: .connection, message: String(describing: error))
    }

    static func isStaleConnection(_ error: any Error) -> Bool {
        if let channelError = error as? ChannelError, channelError == .ioOnClosedChannel || channelError == .alreadyClosed {
            return true
        }
        if let clientError = error as? HTTPClientError, clientError == .remoteConnectionClosed {
            return true
        }
        return false
    }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
