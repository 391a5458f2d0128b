import Foundation
import FunctionaryProtocol
import Logging

@testable import FunctionaryRemote

/// What a scripted upstream answers to one request.
struct ScriptedReply: Sendable {
    var status = 200
    var chunks: [[UInt8]] = []
    /// Thrown instead of a response (connection refused, timeout).
    var failure: UpstreamFailure? = nil
    /// The body breaks (connection reset) after this many chunks.
    var breakAfterChunks: Int? = nil
    /// The body waits for this gate before sending chunk `gateBeforeChunk`.
    var gate: Gate? = nil
    var gateBeforeChunk = 0

    static func refused() -> ScriptedReply {
        ScriptedReply(failure: UpstreamFailure(kind: .connection, message: "connection refused"))
    }

    static func json(_ status: Int, _ body: String) -> ScriptedReply {
        ScriptedReply(status: status, chunks: [Array(body.utf8)])
    }

    /// An OpenAI completion stream with one text chunk per element of `texts`.
    static func completion(_ texts: [String], finish: String = "stop", promptTokens: Int = 10) -> ScriptedReply {
        var events = texts.map { text in
            JSONValue.object(["choices": [["index": 0, "text": .string(text), "finish_reason": .null]]]).compactJSON()
        }
        events.append(JSONValue.object(["choices": [["index": 0, "text": "", "finish_reason": .string(finish)]]]).compactJSON())
        events.append(
            JSONValue.object([
                "choices": [], "usage": ["prompt_tokens": .number(JSONNumber(promptTokens)), "completion_tokens": .number(JSONNumber(texts.count))],
            ]).compactJSON())
        events.append("[DONE]")
        return ScriptedReply(chunks: events.map { Array("data: \($0)\n\n".utf8) })
    }
}

/// A barrier a scripted upstream waits on until the test opens it.
actor Gate {
    private var isOpen = false

    func open() { isOpen = true }

    func wait() async throws {
        while !isOpen { try await Task.sleep(for: .milliseconds(2)) }
    }
}

/// Everything the scripted transport was asked.
actor RequestLog {
    private(set) var requests: [UpstreamHTTPRequest] = []

    func append(_ request: UpstreamHTTPRequest) { requests.append(request) }

    /// Completion requests (not health checks or tokenizer calls) sent to `root`.
    func completions(to root: String) -> [UpstreamHTTPRequest] {
        requests.filter { $0.url.hasPrefix(root) && ($0.url.hasSuffix("/completions") || $0.url.hasSuffix("/completion")) }
    }

    func bodies(to root: String) -> [JSONValue] {
        completions(to: root).compactMap { request in request.body.flatMap { try? JSONValue(parsing: $0) } }
    }
}

/// A transport that answers from a script instead of the network.
final class ScriptedTransport: UpstreamTransport {
    let log = RequestLog()
    private let handler: @Sendable (UpstreamHTTPRequest) async -> ScriptedReply

    init(_ handler: @escaping @Sendable (UpstreamHTTPRequest) async -> ScriptedReply) {
        self.handler = handler
    }

    func send(_ request: UpstreamHTTPRequest) async throws -> UpstreamHTTPResponse {
        await log.append(request)
        let reply = await handler(request)
        if let failure = reply.failure { throw failure }
        var index = 0
        return UpstreamHTTPResponse(status: reply.status) {
            try Task.checkCancellation()
            if let gate = reply.gate, index == reply.gateBeforeChunk { try await gate.wait() }
            if let limit = reply.breakAfterChunks, index >= limit {
                throw UpstreamFailure(kind: .connection, message: "connection reset by peer")
            }
            guard index < reply.chunks.count else { return nil }
            defer { index += 1 }
            return reply.chunks[index]
        }
    }

    func shutdown() async throws {}
}

/// Test helpers.
enum Remote {
    static let quietLogger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    static func pool(
        _ roots: [String], kind: RemoteEngineKind = .vllm, slots: Int? = nil, healthy: [Bool]? = nil,
        options: RemoteEngineOptions = RemoteEngineOptions(), transport: any UpstreamTransport
    ) throws -> RemoteEnginePool {
        var upstreams: [(UpstreamEndpoint, UpstreamProfile, healthy: Bool)] = []
        for (i, root) in roots.enumerated() {
            let profile = UpstreamProfile(kind: kind, model: "m", contextSize: 4096, slots: slots)
            upstreams.append((try UpstreamEndpoint(url: root), profile, healthy?[i] ?? true))
        }
        return RemoteEnginePool(upstreams: upstreams, contextSize: 4096, options: options, transport: transport, logger: Remote.quietLogger)
    }

    /// All events of a generation, or the error that ended it.
    static func run(_ pool: RemoteEnginePool, _ request: GenerationRequest) async -> (events: [GenerationEvent], error: (any Error)?) {
        var events: [GenerationEvent] = []
        do {
            for try await event in pool.generate(request) { events.append(event) }
            return (events, nil)
        } catch {
            return (events, error)
        }
    }

    /// The concatenated text of choice 0.
    static func text(_ events: [GenerationEvent], choice: Int = 0) -> String {
        events.reduce(into: "") { out, event in
            if case .text(choice, let text) = event { out += text }
        }
    }

    static func fixture(_ path: String) throws -> String {
        guard let resources = Bundle.module.resourceURL else { throw FixtureMissing(path: path) }
        let url = resources.appendingPathComponent("Fixtures").appendingPathComponent(path)
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { throw FixtureMissing(path: path) }
        return text
    }

    struct FixtureMissing: Error { let path: String }
}
