import Foundation
import FunctionaryProtocol
import FunctionaryServer
import Hummingbird
import HummingbirdTesting
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Hostile requests (issue "Hardening"): each case here failed on the old code (a bypass, a crash, a stall).
@Suite("hardening: auth on every spelling, limits, connection timeouts")
struct HardeningTests {
    // MARK: - Authentication

    /// `POST //v1/chat/completions` answered 200 without a key: the check compared the raw path with `/v1/`, the
    /// router ignores empty segments.
    @Test(arguments: [
        "//v1/chat/completions", "/v1//chat/completions", "///v1/chat/completions/", "/v1/chat/completions/", "//v1/models",
        "/nonexistent",
    ])
    func everySpellingNeedsTheKey(path: String) async throws {
        let engine = ScriptedEngine.answering(["ok"])
        let app = TestServer.app(engine: engine) { $0.apiKey = "sekret" }
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let socket = try RawSocket(port: port)
            defer { socket.close() }
            let body = TestServer.chat()
            try socket.send(
                "POST \(path) HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
            let response = try await socket.receive(until: "\r\n\r\n")
            #expect(response.hasPrefix("HTTP/1.1 401"), "\(path): \(response.prefix(80))")
        }
        #expect(engine.requests.isEmpty)
    }

    @Test func healthStaysOpenMetricsCanBeProtectedAndAnyKeyOfTheListWorks() async throws {
        let app = TestServer.app(engine: .answering(["ok"])) {
            $0.apiKeys = ["first", "second"]
            $0.protectMetrics = true
        }
        try await app.test(.router) { client in
            #expect(try await client.execute(uri: "/health", method: .get).status == .ok)
            #expect(try await client.execute(uri: "//health", method: .get).status == .ok)
            #expect(try await client.execute(uri: "/metrics", method: .get).status == .unauthorized)
            #expect(try await client.execute(uri: "/metrics", method: .get, headers: [.authorization: "Bearer second"]).status == .ok)
            let ok = try await client.post("/v1/chat/completions", json: TestServer.chat(), headers: [.authorization: "Bearer first"])
            #expect(ok.status == .ok)
            let prefix = try await client.post("/v1/chat/completions", json: TestServer.chat(), headers: [.authorization: "Bearer firs"])
            #expect(prefix.status == .unauthorized)
        }
    }

    // MARK: - Limits, each a 400 naming the limit

    static func expectLimit(
        _ body: String, flag: String, configure: @escaping (inout ServerConfiguration) -> Void = { _ in },
        path: String = "/v1/chat/completions", sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let engine = ScriptedEngine.answering(["ok"])
        let app = TestServer.app(engine: engine, configure)
        try await app.test(.router) { client in
            let started = ContinuousClock.now
            let response = try await client.post(path, json: body)
            #expect(response.status == .badRequest, sourceLocation: sourceLocation)
            let message = try response.errorMessage() ?? ""
            #expect(message.contains(flag), "\(message)", sourceLocation: sourceLocation)
            #expect(try response.json()["error"]?["code"] == "limit_exceeded", sourceLocation: sourceLocation)
            #expect(ContinuousClock.now - started < .seconds(20), sourceLocation: sourceLocation)
        }
        #expect(engine.requests.isEmpty, sourceLocation: sourceLocation)
    }

    @Test func tooManyTools() async throws {
        let tools = (0..<5).map { i in TestServer.weatherTool.replacingOccurrences(of: "get_weather", with: "tool\(i)") }
        try await Self.expectLimit(TestServer.chat(#""tools":[\#(tools.joined(separator: ","))]"#), flag: "--max-tools") { $0.limits.maxTools = 4 }
    }

    @Test func tooManyOrTooLongStopStrings() async throws {
        let many = "[" + (0..<17).map { "\"s\($0)\"" }.joined(separator: ",") + "]"
        try await Self.expectLimit(TestServer.chat(#""stop":\#(many)"#), flag: "--max-stop")
        let long = "\"" + String(repeating: "x", count: 2000) + "\""
        try await Self.expectLimit(TestServer.chat(#""stop":\#(long)"#), flag: "--max-stop-length")
        try await Self.expectLimit(
            #"{"model":"test-model","prompt":"hi","stop":\#(many)}"#, flag: "--max-stop", path: "/v1/completions")
    }

    @Test func jsonDepthAndKeys() async throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        try await Self.expectLimit(TestServer.chat(#""metadata":\#(deep)"#), flag: "--max-json-depth")
        let keys = "{" + (0..<2000).map { "\"k\($0)\":1" }.joined(separator: ",") + "}"
        try await Self.expectLimit(TestServer.chat(#""metadata":\#(keys)"#), flag: "--max-json-keys") { $0.limits.maxJSONKeys = 1000 }
    }

    /// One tool whose parameters reference a 1 MiB definition from 3,000 properties: the old resolver counted
    /// values, not bytes, and inlined 3 GB into the prompt before any check (17.8 GB resident).
    @Test func definitionsMemoryBomb() async throws {
        let big = String(repeating: "d", count: 1 << 20)
        let properties = (0..<3000).map { ##""p\##($0)":{"$ref":"#/$defs/big"}"## }.joined(separator: ",")
        let tool =
            #"{"type":"function","function":{"name":"bomb","parameters":{"type":"object","$defs":{"big":{"type":"string","description":"\#(big)"}},"properties":{\#(properties)}}}}"#
        try await Self.expectLimit(TestServer.chat(#""tools":[\#(tool)]"#), flag: "--max-schema-bytes") { $0.maxBodySize = 8 << 20 }
    }

    /// A `$ref` chain 40,000 hops long overflowed the stack of the schema walkers.
    @Test func referenceChain() async throws {
        let hops = 40_000
        let defs = (0..<hops).map { ##""d\##($0)":{"$ref":"#/$defs/d\##($0 + 1)"}"## }.joined(separator: ",") + #","d\#(hops)":{"type":"string"}"#
        let schema = ##"{"type":"object","properties":{"x":{"$ref":"#/$defs/d0"}},"$defs":{\##(defs)}}"##
        let tool = #"{"type":"function","function":{"name":"chain","parameters":\#(schema)}}"#
        try await Self.expectLimit(TestServer.chat(#""tools":[\#(tool)]"#), flag: "--max-ref-hops") { $0.limits.maxJSONKeys = 1_000_000 }
        let format = #""response_format":{"type":"json_schema","json_schema":{"name":"c","schema":\#(schema)}}"#
        try await Self.expectLimit(TestServer.chat(format), flag: "--max-ref-hops") { $0.limits.maxJSONKeys = 1_000_000 }
    }

    /// `max_tokens` = Int64.max: the prompt length plus it overflowed (the process died).
    @Test func maxTokensBeyondTheContext() async throws {
        for (path, body) in [
            ("/v1/chat/completions", TestServer.chat(#""max_completion_tokens":9223372036854775807"#)),
            ("/v1/chat/completions", TestServer.chat(#""max_tokens":9223372036854775807"#)),
            ("/v1/completions", #"{"model":"test-model","prompt":"hi","max_tokens":9223372036854775807}"#),
        ] {
            let engine = ScriptedEngine.answering(["ok"])
            try await TestServer.app(engine: engine).test(.router) { client in
                let response = try await client.post(path, json: body)
                #expect(response.status == .badRequest)
                #expect(try response.errorMessage()?.contains("9223372036854775807") == true)
                #expect(try response.errorMessage()?.contains("context length of 4096") == true)
            }
            #expect(engine.requests.isEmpty)
        }
    }

    @Test func overflowingNumbersInContextErrorsDoNotTrap() {
        let error = GenerationError.contextOverflow(promptTokens: 10, maxTokens: Int.max, contextSize: 4096)
        #expect(error.description.contains("more than \(Int.max)"))
    }

    /// An engine (a remote one relays its upstream's numbers) reporting negative or huge usage: the metric counters
    /// trapped on a negative increment, and `prompt + completion` overflowed.
    @Test func brokenUsageDoesNotTrap() async throws {
        let engine = ScriptedEngine(steps: [.text(0, "ok"), .finish(0, .stop), .usage(prompt: -5, completion: Int.max)])
        try await TestServer.app(engine: engine).test(.router) { client in
            let response = try await client.post("/v1/chat/completions", json: TestServer.chat())
            #expect(response.status == .ok)
            #expect(try await client.execute(uri: "/metrics", method: .get).status == .ok)
        }
    }

    // MARK: - Connections

    /// A client that connects and sends nothing is disconnected after the header timeout.
    @Test func silentConnectionIsClosed() async throws {
        let app = TestServer.app(engine: .answering(["ok"])) { $0.timeouts.header = .milliseconds(300) }
        try await app.test(.live) { client in
            let socket = try RawSocket(port: try #require(client.port))
            defer { socket.close() }
            try socket.send("POST /v1/chat/completions HTTP/1.1\r\nHost: loc")
            #expect(try await socket.waitForClose(within: .seconds(5)))
        }
    }

    /// A client that sends its headers but only part of its body is disconnected after the body timeout.
    @Test func slowBodyIsClosed() async throws {
        let app = TestServer.app(engine: .answering(["ok"])) { $0.timeouts.body = .milliseconds(300) }
        try await app.test(.live) { client in
            let socket = try RawSocket(port: try #require(client.port))
            defer { socket.close() }
            try socket.send("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n{\"mod")
            #expect(try await socket.waitForClose(within: .seconds(5)))
        }
    }

    /// A client that starts a stream and stops reading it must not keep its slot: with one slot and no queue, a
    /// second request gets 429 while the stream holds the slot, and 200 once the write timeout cut it off.
    @Test func clientThatStopsReadingLosesItsSlot() async throws {
        let chunk = String(repeating: "x", count: 8192)
        let engine = ScriptedEngine(script: { request in
            if request.sampling.maxTokens == 5 { return [.text(0, "ok"), .finish(0, .stop), .usage(prompt: 1, completion: 1)] }
            return [.endless(0, chunk, interval: .milliseconds(2))]
        })
        let app = TestServer.app(engine: engine) {
            $0.parallel = 1
            $0.maxQueue = 0
            $0.timeouts.write = .milliseconds(500)
        }
        try await app.test(.live) { client in
            let socket = try RawSocket(port: try #require(client.port), receiveBuffer: 4096)
            defer { socket.close() }
            let body = TestServer.chat(#""stream":true,"max_tokens":4000"#)
            try socket.send(DisconnectTests.request(body))
            // Never read. The slot is taken meanwhile…
            await eventually(timeout: .seconds(5), "the stream holds the slot") { engine.active == 1 }
            // …and given back once the server gives up on the stalled client.
            await eventually(timeout: .seconds(15), "a second request is served") {
                let response = try? await client.post("/v1/chat/completions", json: TestServer.chat(#""max_tokens":5"#))
                return response?.status == .ok
            }
            #expect(engine.cancellations >= 1)
        }
    }
}

extension RawSocket {
    /// A socket with a small receive buffer (so that a client that does not read fills it at once).
    convenience init(port: Int, receiveBuffer: Int32) throws {
        try self.init(port: port)
        var size = receiveBuffer
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Reads (and drops) until the peer closes; false if it is still open after `timeout`.
    func waitForClose(within timeout: Duration) async throws -> Bool {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count == 0 { return true }
            if count < 0, errno != EAGAIN, errno != EWOULDBLOCK, errno != EINTR { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return false
    }
}
