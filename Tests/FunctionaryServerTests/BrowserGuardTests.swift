import FunctionaryProtocol
import Hummingbird
import HummingbirdTesting
import Testing

@testable import FunctionaryServer

/// Issue 20: a keyless server on 127.0.0.1 that web pages cannot use (DNS rebinding, cross-origin posts).
@Suite("Host, Origin and Content-Type checks")
struct BrowserGuardTests {
    static func raw(
        _ port: Int, path: String = "/v1/chat/completions", host: String?, origin: String? = nil,
        contentType: String? = "application/json", body: String = TestServer.chat()
    ) async throws -> (head: String, body: String) {
        let socket = try RawSocket(port: port)
        defer { socket.close() }
        var request = "POST \(path) HTTP/1.1\r\n"
        if let host { request += "Host: \(host)\r\n" }
        if let origin { request += "Origin: \(origin)\r\n" }
        if let contentType { request += "Content-Type: \(contentType)\r\n" }
        request += "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
        try socket.send(request)
        // Generous: a loaded test machine can take seconds per request.
        return try await socket.receiveResponse(timeout: .seconds(60))
    }

    static func status(_ head: String) -> Int { Int(head.dropFirst("HTTP/1.1 ".count).prefix(3)) ?? 0 }

    @Test func foreignHostIsRefusedAndTheListeningAddressIsServed() async throws {
        let engine = ScriptedEngine.answering(["Hi"])
        try await TestServer.app(engine: engine).test(.live) { client in
            let port = try #require(client.port)
            for host in ["127.0.0.1:\(port)", "localhost:\(port)", "[::1]:\(port)", "LOCALHOST:\(port)", "localhost"] {
                let (head, body) = try await Self.raw(port, host: host)
                #expect(Self.status(head) == 200, "\(host): \(head) \(body)")
            }
            for host in ["evil.example:\(port)", "evil.example", "127.0.0.1:\(port + 1)", "localhost.evil.example:\(port)", "127.0.0.1:x"] {
                let (head, body) = try await Self.raw(port, host: host)
                #expect(Self.status(head) == 403, "\(host): \(head)")
                let json = try JSONValue(parsing: body)
                #expect(json["error"]?["code"] == "host_not_allowed", "\(body)")
            }
            // Anthropic's shape under /v1/messages.
            let (head, body) = try await Self.raw(
                port, path: "/v1/messages", host: "evil.example:\(port)",
                body: #"{"model":"test-model","max_tokens":5,"messages":[{"role":"user","content":"Hi"}]}"#)
            #expect(Self.status(head) == 403)
            let json = try JSONValue(parsing: body)
            #expect(json["type"] == "error")
            #expect(json["error"]?["type"] == "permission_error")
            #expect(engine.requests.count == 5, "refused requests never reach the engine")
        }
    }

    @Test func allowedHostFlagAddsNames() async throws {
        try await TestServer.app(engine: .answering(["Hi"]), { $0.allowedHosts = ["api.example.com", "tunnel.example:9000"] }).test(.live) { client in
            let port = try #require(client.port)
            #expect(Self.status(try await Self.raw(port, host: "api.example.com").head) == 200)
            #expect(Self.status(try await Self.raw(port, host: "API.example.com:443").head) == 200)
            #expect(Self.status(try await Self.raw(port, host: "tunnel.example:9000").head) == 200)
            #expect(Self.status(try await Self.raw(port, host: "tunnel.example:9001").head) == 403)
        }
    }

    @Test func foreignOriginIsRefusedAndSameOriginServed() async throws {
        let engine = ScriptedEngine.answering(["Hi"])
        try await TestServer.app(engine: engine, { $0.allowedOrigins = ["http://localhost:3000"] }).test(.live) { client in
            let port = try #require(client.port)
            let host = "127.0.0.1:\(port)"
            for origin in ["http://127.0.0.1:\(port)", "https://127.0.0.1:\(port)", "http://localhost:3000", "http://localhost:3000/"] {
                let (head, body) = try await Self.raw(port, host: host, origin: origin)
                #expect(Self.status(head) == 200, "\(origin): \(head) \(body)")
            }
            for origin in ["http://evil.example", "null", "http://localhost:\(port)", "http://127.0.0.1:\(port + 1)", "http://localhost:3001"] {
                let (head, body) = try await Self.raw(port, host: host, origin: origin)
                #expect(Self.status(head) == 403, "\(origin): \(head)")
                #expect(try JSONValue(parsing: body)["error"]?["code"] == "origin_not_allowed")
            }
            #expect(engine.requests.count == 4)
        }
    }

    /// The requests a page can send without a preflight (`text/plain`, forms) are refused with 415.
    @Test func postsMustBeJSON() async throws {
        let engine = ScriptedEngine.answering(["Hi"])
        try await TestServer.app(engine: engine).test(.router) { client in
            for contentType in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonx", nil] {
                var headers: HTTPFields = [:]
                if let contentType { headers[.contentType] = contentType }
                let response = try await client.execute(
                    uri: "/v1/chat/completions", method: .post, headers: headers, body: ByteBuffer(string: TestServer.chat()))
                #expect(response.status == .unsupportedMediaType, "\(contentType ?? "none")")
                #expect(try response.json()["error"]?["code"] == "unsupported_media_type")
            }
            let messages = try await client.execute(
                uri: "/v1/messages", method: .post, headers: [.contentType: "text/plain"],
                body: ByteBuffer(string: #"{"model":"test-model","max_tokens":5,"messages":[{"role":"user","content":"Hi"}]}"#))
            #expect(messages.status == .unsupportedMediaType)
            #expect(try messages.json()["type"] == "error")
            for contentType in ["application/json", "application/json; charset=utf-8", "Application/JSON;charset=UTF-8"] {
                let response = try await client.execute(
                    uri: "/v1/chat/completions", method: .post, headers: [.contentType: contentType], body: ByteBuffer(string: TestServer.chat()))
                #expect(response.status == .ok, "\(contentType)")
            }
            #expect(engine.requests.count == 3)
        }
    }

    /// On a wildcard address the server's names are unknown: IP literals and localhost on any port, names only
    /// when listed.
    @Test func wildcardBindAcceptsAddressesNotNames() {
        let policy = HostPolicy(bindHost: "0.0.0.0", allowedHosts: [], allowedOrigins: [], listeningPort: ListeningPort(8000))
        for host in ["10.0.0.5:8000", "192.168.1.20:9000", "[fe80::1]:8000", "localhost:8080", "127.0.0.1"] {
            #expect(policy.allowsHost(host), "\(host)")
        }
        for host in ["evil.example:8000", "1.2.3.4.evil.example", "999.1.1.1:8000", "[::1", ""] {
            #expect(!policy.allowsHost(host), "\(host)")
        }
        let open = HostPolicy(bindHost: "127.0.0.1", allowedHosts: ["*"], allowedOrigins: ["*"], listeningPort: ListeningPort(8000))
        #expect(open.allowsHost("anything.example:1"))
        #expect(open.allowsOrigin("http://anything.example", host: "x"))
    }
}
