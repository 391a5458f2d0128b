import Foundation
import FunctionaryProtocol
import HTTPTestSupport
import Testing

@testable import FunctionaryRemote

/// The timeouts of the real HTTP transport, against loopback servers that go silent.
@Suite struct TimeoutTests {
    /// An OpenAI completion stream saying `text`, as one HTTP response.
    static func completion(_ text: String) -> [TinyHTTPServer.Piece] {
        let events = [
            #"{"choices":[{"index":0,"text":"\#(text)","finish_reason":null}]}"#,
            #"{"choices":[{"index":0,"text":"","finish_reason":"stop"}]}"#,
            #"{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":1}}"#, "[DONE]",
        ]
        return [TinyHTTPServer.head()] + events.map { TinyHTTPServer.piece("data: \($0)\n\n") }
    }

    static func pool(_ urls: [String], readTimeout: Duration) throws -> RemoteEnginePool {
        var options = RemoteEngineOptions()
        options.readTimeout = readTimeout
        options.affinity.enabled = false
        return try Remote.pool(
            urls, options: options, transport: HTTPClientTransport(connectTimeout: .seconds(2), readTimeout: readTimeout))
    }

    /// An upstream that accepts the request and says nothing for longer than the read timeout fails it as a
    /// timeout before the first token: the request is retried on the other upstream, the silent one leaves.
    @Test func silenceBeforeTheFirstTokenIsRetriedElsewhere() async throws {
        let silent = try TinyHTTPServer { _ in [TinyHTTPServer.piece("", pause: 3)] }
        let answering = try TinyHTTPServer { _ in Self.completion("from b") }
        defer {
            silent.stop()
            answering.stop()
        }
        let pool = try Self.pool([silent.url, answering.url], readTimeout: .milliseconds(500))
        let started = ContinuousClock.now
        let result = await Remote.run(pool, RoutingTests.request("hello"))
        let statuses = await pool.statuses()
        try await pool.shutdown()
        #expect(ContinuousClock.now - started < .seconds(2.5))
        #expect(result.error == nil, "\(String(describing: result.error))")
        #expect(Remote.text(result.events) == "from b")
        #expect(statuses.map(\.healthy) == [false, true])
        #expect(statuses[0].lastError?.lowercased().contains("timeout") == true, "\(String(describing: statuses[0].lastError))")
        #expect(silent.requests.count == 1)
    }

    /// Silence after output has started ends the request with an error (no retry: the client has text).
    @Test func silenceMidStreamEndsWithAnError() async throws {
        let stalling = try TinyHTTPServer { _ in
            Array(Self.completion("partial").prefix(2)) + [TinyHTTPServer.piece("", pause: 3)]
        }
        defer { stalling.stop() }
        let pool = try Self.pool([stalling.url], readTimeout: .milliseconds(500))
        let started = ContinuousClock.now
        let result = await Remote.run(pool, RoutingTests.request("hello"))
        #expect(ContinuousClock.now - started < .seconds(2.5))
        try await pool.shutdown()
        #expect(Remote.text(result.events) == "partial")
        if case .engineFailure(let message)? = result.error as? GenerationError {
            #expect(message.contains("mid-stream"), "\(message)")
        } else {
            Issue.record("expected engineFailure, got \(String(describing: result.error))")
        }
        #expect(stalling.requests.count == 1)
    }
}
