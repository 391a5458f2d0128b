import FunctionaryProtocol
import FunctionaryServer
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@Suite("limits: body size, API key, queue, loading")
struct LimitsTests {
    @Test func bodyOverTheLimitIs413() async throws {
        let app = TestServer.app(engine: .answering(["x"])) { $0.maxBodySize = 1024 }
        try await app.test(.router) { client in
            let big = TestServer.chat(messages: #"[{"role":"user","content":""# + String(repeating: "a", count: 2000) + #""}]"#)
            let response = try await client.post("/v1/chat/completions", json: big)
            #expect(response.status == .contentTooLarge)
            #expect(try response.errorMessage() == "The request body is larger than the server's limit of 1024 bytes.")
        }
    }

    /// A client that sends its whole oversized body before reading (no `Expect: 100-continue`) gets the 413.
    @Test(arguments: [false, true]) func oversizedUploadIsReadAndAnswered(chunked: Bool) async throws {
        let app = TestServer.app(engine: .answering(["x"])) { $0.maxBodySize = 1024 }
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let socket = try RawSocket(port: port)
            let body = TestServer.chat(messages: #"[{"role":"user","content":""# + String(repeating: "a", count: 600_000) + #""}]"#)
            var request = "POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            if chunked {
                request += "Transfer-Encoding: chunked\r\n\r\n" + String(body.utf8.count, radix: 16) + "\r\n" + body + "\r\n0\r\n\r\n"
            } else {
                request += "Content-Length: \(body.utf8.count)\r\n\r\n" + body
            }
            try socket.send(request)
            let response = try await socket.receive(until: "request_too_large")
            #expect(response.hasPrefix("HTTP/1.1 413"))
            socket.close()
        }
    }

    @Test func defaultLimitIsEightMiB() {
        #expect(ServerConfiguration(servedModelNames: ["m"]).maxBodySize == 8 * 1024 * 1024)
    }

    @Test func apiKeyIsRequiredWhenSet() async throws {
        let app = TestServer.app(engine: .answering(["ok"])) { $0.apiKey = "sekret" }
        try await app.test(.router) { client in
            let missing = try await client.post("/v1/chat/completions", json: TestServer.chat())
            #expect(missing.status == .unauthorized)
            #expect(try missing.json()["error"]?["type"] == "authentication_error")
            let wrong = try await client.post("/v1/chat/completions", json: TestServer.chat(), headers: [.authorization: "Bearer nope"])
            #expect(wrong.status == .unauthorized)
            #expect(try wrong.errorMessage() == "Incorrect API key provided.")
            let models = try await client.execute(uri: "/v1/models", method: .get)
            #expect(models.status == .unauthorized)
            let right = try await client.post("/v1/chat/completions", json: TestServer.chat(), headers: [.authorization: "Bearer sekret"])
            #expect(right.status == .ok)
            // Health and metrics stay open.
            #expect(try await client.execute(uri: "/health", method: .get).status == .ok)
            #expect(try await client.execute(uri: "/metrics", method: .get).status == .ok)
        }
    }

    @Test func fullQueueIs429WithRetryAfter() async throws {
        let engine = ScriptedEngine(steps: [.hold, .text(0, "done"), .finish(0, .stop), .usage(prompt: 1, completion: 1)])
        let app = TestServer.app(engine: engine) {
            $0.parallel = 1
            $0.maxQueue = 1
            $0.retryAfterSeconds = 3
        }
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let post: @Sendable () async throws -> TestClient.Response = {
                try await TestClient.withClient(host: "127.0.0.1", port: port) { own in
                    try await own.post(
                        "/v1/chat/completions", headers: [.contentType: "application/json"], body: ByteBuffer(string: TestServer.chat()))
                }
            }
            try await withThrowingTaskGroup(of: TestClient.Response.self) { group in
                for _ in 0..<2 {
                    group.addTask { try await post() }
                }
                await eventually("two requests reach the engine") { engine.requests.count == 2 }
                // A third request while two are in flight (one generating, one waiting) is refused at once.
                let refused = try await post()
                #expect(refused.status == .tooManyRequests)
                #expect(refused.headers[.retryAfter] == "3")
                let error = try JSONValue(parsing: String(buffer: refused.body ?? ByteBuffer()))
                #expect(error["error"]?["code"] == "rate_limit_exceeded")
                engine.release()
                for try await response in group {
                    #expect(response.status == .ok)
                }
            }
            #expect(engine.requests.count == 2)
        }
    }

    @Test func loadingModelAnswers503() async throws {
        let holder = ModelHolder<ScriptedEngine>()
        let app = buildApplication(
            configuration: TestServer.configuration(), model: holder, logger: TestServer.quiet(Logger(label: "test")))
        try await app.test(.router) { client in
            let health = try await client.execute(uri: "/health", method: .get)
            #expect(health.status == .serviceUnavailable)
            #expect(try health.json() == ["status": "loading"])
            let chat = try await client.post("/v1/chat/completions", json: TestServer.chat())
            #expect(chat.status == .serviceUnavailable)
            #expect(chat.headers[.retryAfter] == "1")
            let models = try await client.execute(uri: "/v1/models", method: .get)
            #expect(models.status == .serviceUnavailable, "clients that poll /v1/models for readiness must wait")
            #expect(try await client.execute(uri: "/metrics", method: .get).status == .ok)
            holder.ready(LoadedModel(engine: .answering(["hi"]), template: TestTemplate(), displayName: "m"))
            #expect(try await client.execute(uri: "/health", method: .get).status == .ok)
            #expect(try await client.post("/v1/chat/completions", json: TestServer.chat()).status == .ok)
            #expect(try await client.execute(uri: "/v1/models", method: .get).status == .ok)
        }
    }
}
