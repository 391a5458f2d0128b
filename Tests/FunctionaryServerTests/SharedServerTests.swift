import FunctionaryProtocol
import FunctionaryServer
import Hummingbird
import HummingbirdTesting
import Testing

/// Issue 20: a server several clients share. Tenants (one per API key) and one admission order for every route.
@Suite("a server several tenants share")
struct SharedServerTests {
    static let keyA = "key-of-tenant-a"
    static let keyB = "key-of-tenant-b"

    static func bearer(_ key: String) -> HTTPFields { [.authorization: "Bearer \(key)"] }

    /// Every route that generates passes the tenant of its key as the prompt-cache partition: the same for one key,
    /// different between keys, never the key itself.
    @Test func everyGenerationCarriesItsTenantsCachePartition() async throws {
        let engine = ScriptedEngine.answering(["Hi"])
        try await TestServer.app(engine: engine, { $0.apiKeys = [Self.keyA, Self.keyB] }).test(.router) { client in
            let bodies: [(String, String)] = [
                ("/v1/chat/completions", TestServer.chat()),
                ("/v1/chat/completions", TestServer.chat(#""stream":true"#)),
                ("/v1/completions", #"{"model":"test-model","prompt":"Hi"}"#),
                ("/v1/responses", #"{"model":"test-model","input":"Hi"}"#),
                ("/v1/responses", #"{"model":"test-model","input":"Hi","stream":true}"#),
                ("/v1/messages", #"{"model":"test-model","max_tokens":5,"messages":[{"role":"user","content":"Hi"}]}"#),
                ("/v1/messages/count_tokens", #"{"model":"test-model","messages":[{"role":"user","content":"Hi"}]}"#),
            ]
            for key in [Self.keyA, Self.keyB] {
                for (path, body) in bodies {
                    let response = try await client.post(path, json: body, headers: Self.bearer(key))
                    #expect(response.status == .ok, "\(path): \(response.text)")
                }
            }
            let partitions = engine.requests.map(\.cachePartition)
            #expect(partitions.count == 2 * bodies.count)
            let a = Set(partitions.prefix(bodies.count))
            let b = Set(partitions.suffix(bodies.count))
            #expect(a.count == 1 && b.count == 1, "one partition per key: \(partitions)")
            #expect(a != b)
            for partition in partitions {
                let value = try #require(partition)
                #expect(!value.contains(Self.keyA) && !value.contains(Self.keyB))
            }
        }
        let keyless = ScriptedEngine.answering(["Hi"])
        try await TestServer.app(engine: keyless).test(.router) { client in
            let response = try await client.post("/v1/chat/completions", json: TestServer.chat())
            #expect(response.status == .ok)
            #expect(keyless.requests.first?.cachePartition == "local")
        }
    }

    /// A stored response is another tenant's 404 (OpenAI's not-found shape) on every route that names it.
    @Test func storedResponsesBelongToTheirTenant() async throws {
        let engine = ScriptedEngine.answering(["Hi"])
        try await TestServer.app(engine: engine, { $0.apiKeys = [Self.keyA, Self.keyB] }).test(.router) { client in
            let created = try await client.post("/v1/responses", json: #"{"model":"test-model","input":"Hi"}"#, headers: Self.bearer(Self.keyA))
            let id = try #require(try created.json()["id"]?.stringValue)
            for (uri, method) in [
                ("/v1/responses/\(id)", HTTPRequest.Method.get), ("/v1/responses/\(id)/input_items", .get), ("/v1/responses/\(id)", .delete),
            ] {
                let other = try await client.execute(uri: uri, method: method, headers: Self.bearer(Self.keyB))
                #expect(other.status == .notFound, "\(method) \(uri)")
                #expect(try other.json()["error"]?["code"] == "not_found")
            }
            let chained = try await client.post(
                "/v1/responses", json: #"{"model":"test-model","input":"More","previous_response_id":"\#(id)"}"#, headers: Self.bearer(Self.keyB))
            #expect(chained.status == .notFound)
            #expect(try chained.json()["error"]?["code"] == "previous_response_not_found")
            // The owner still sees it (the other tenant's DELETE did not remove it).
            #expect(try await client.execute(uri: "/v1/responses/\(id)", method: .get, headers: Self.bearer(Self.keyA)).status == .ok)
            let own = try await client.post(
                "/v1/responses", json: #"{"model":"test-model","input":"More","previous_response_id":"\#(id)"}"#, headers: Self.bearer(Self.keyA))
            #expect(own.status == .ok)
        }
    }

    /// With every place taken, a body that does not even parse gets 429 on every generating route: admission comes
    /// before decoding everywhere (it used to be a 400 on the Messages and Responses routes, which parsed first).
    @Test func everyGeneratingRouteAdmitsBeforeParsing() async throws {
        let engine = ScriptedEngine(steps: [.hold, .text(0, "done"), .finish(0, .stop), .usage(prompt: 1, completion: 1)])
        let app = TestServer.app(engine: engine) {
            $0.parallel = 1
            $0.maxQueue = 0
        }
        try await app.test(.live) { client in
            let port = try #require(client.port)
            try await withThrowingTaskGroup(of: TestClient.Response.self) { group in
                group.addTask {
                    try await TestClient.withClient(host: "127.0.0.1", port: port) { own in
                        try await own.post(
                            "/v1/chat/completions", headers: [.contentType: "application/json"], body: ByteBuffer(string: TestServer.chat()))
                    }
                }
                await eventually("the slot is taken") { engine.requests.count == 1 }
                for path in ["/v1/chat/completions", "/v1/completions", "/v1/responses", "/v1/messages", "/v1/messages/count_tokens"] {
                    let refused = try await client.post(path, json: "[[[[ not json")
                    #expect(refused.status == .tooManyRequests, "\(path): \(refused.status)")
                }
                engine.release()
                for try await response in group { #expect(response.status == .ok) }
            }
        }
    }
}
