import Foundation
import FunctionaryProtocol
import Testing

@testable import FunctionaryRemote

/// A real `llama-server` (from `make deps`) with the default model: the native dialect, the grammars
/// the converter writes, the prompt cache. Like the engine tests, these need what `make deps` installs: a
/// missing binary or model fails them (`LiveLlamaServer.start`), it does not skip them.
@Suite(.serialized)
struct LiveLlamaServerTests {
    static let prompt = "<start_of_turn>user\nWhat is the weather in Paris, in celsius?<end_of_turn>\n<start_of_turn>model\n"

    static func request(
        _ prompt: String = prompt, maxTokens: Int = 48, constraint: OutputConstraint? = nil, n: Int = 1
    ) -> GenerationRequest {
        var sampling = SamplingParameters()
        sampling.temperature = 0
        sampling.maxTokens = maxTokens
        return GenerationRequest(prompt: prompt, sampling: sampling, n: n, constraint: constraint, templateStops: ["<end_of_turn>"])
    }

    @Test func constrainedToolArgumentsFollowTheSchema() async throws {
        let schema = try JSONValue(
            parsing: #"""
                {"type": "object", "properties": {"city": {"type": "string", "enum": ["Paris", "London"]},
                 "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}, "days": {"type": "integer", "minimum": 1, "maximum": 7}},
                 "required": ["city", "unit"]}
                """#)
        let constraint = OutputConstraint(
            grammar: "root ::= \"<tool_call>\\n{\\\"name\\\": \\\"get_weather\\\", \\\"arguments\\\": \" args \"}\\n</tool_call>\"\n",
            schemas: ["args": schema])
        let prefix = "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": "
        let suffix = "}\n</tool_call>"
        let result = try await LiveLlamaServer.withPool { pool in
            await Remote.run(pool, Self.request(maxTokens: 120, constraint: constraint, n: 2))
        }
        #expect(result.error == nil, "\(String(describing: result.error))")
        for choice in 0..<2 {
            let text = Remote.text(result.events, choice: choice)
            #expect(text.hasPrefix(prefix) && text.hasSuffix(suffix), "\(text)")
            guard text.hasPrefix(prefix) && text.hasSuffix(suffix) else { continue }
            let arguments = try JSONValue(parsing: String(text.dropFirst(prefix.count).dropLast(suffix.count)))
            #expect(["Paris", "London"].contains(arguments["city"]?.stringValue ?? ""))
            #expect(["celsius", "fahrenheit"].contains(arguments["unit"]?.stringValue ?? ""))
        }
        #expect(Remote.text(result.events, choice: 0) == Remote.text(result.events, choice: 1), "greedy choices agree")
        guard case .usage(let usage)? = result.events.last else {
            Issue.record("no usage at the end")
            return
        }
        #expect(usage.promptTokens > 10 && usage.completionTokens > 10)
    }

    @Test func llamaServerAcceptsTheConvertedGrammars() async throws {
        let schemas = [
            #"{"type": "object", "properties": {"a": {"type": ["string", "null"]}, "b": {"type": "number", "nullable": true}}}"#,
            #"{"type": "array", "items": {"type": "integer", "minimum": -5, "maximum": 1050}, "minItems": 1, "maxItems": 3}"#,
            ##"{"$defs": {"n": {"type": "object", "properties": {"v": {"type": "integer"}, "c": {"type": "array", "items": {"$ref": "#/$defs/n"}}}}}, "$ref": "#/$defs/n"}"##,
            #"{"type": "object", "properties": {"name": {"type": "string"}}, "additionalProperties": {"type": "integer"}}"#,
            #"{"type": "string", "pattern": "^[A-Z]{2}-[0-9]{3}(\\.[a-z]+)?$"}"#,
            #"{"type": "string", "format": "date-time"}"#,
            #"{"oneOf": [{"const": "x"}, {"enum": [1, 2]}, {"type": "array", "prefixItems": [{"type": "boolean"}]}]}"#,
            #"{"allOf": [{"type": "object", "properties": {"a": {"type": "integer"}}}, {"type": "object", "properties": {"b": {"type": "string", "minLength": 2, "maxLength": 4}}}]}"#,
        ]
        try await LiveLlamaServer.withPool { pool in
            for schema in schemas {
                let constraint = OutputConstraint(grammar: "root ::= args\n", schemas: ["args": try JSONValue(parsing: schema)])
                let result = await Remote.run(pool, Self.request(maxTokens: 24, constraint: constraint))
                #expect(result.error == nil, "\(schema): \(String(describing: result.error))")
            }
            // A grammar llama.cpp cannot parse is the client's invalid constraint, not an engine failure.
            let broken = await Remote.run(pool, Self.request(constraint: OutputConstraint(grammar: "root ::= (\"x\"\n")))
            guard case .invalidConstraint? = broken.error as? GenerationError else {
                Issue.record("expected invalidConstraint, got \(String(describing: broken.error))")
                return
            }
            #expect(await pool.statuses().allSatisfy(\.healthy))
        }
    }

    @Test func theSecondTurnHitsThePromptCache() async throws {
        let system = "<start_of_turn>system\nYou are a weather assistant. You answer in one short sentence, in English.<end_of_turn>\n"
        try await LiveLlamaServer.withPool { pool in
            let first = await Remote.run(pool, Self.request(system + Self.prompt, maxTokens: 16))
            guard case .usage(let firstUsage)? = first.events.last else {
                Issue.record("no usage: \(String(describing: first.error))")
                return
            }
            let answer = Remote.text(first.events)
            let second = system + Self.prompt + answer + "<end_of_turn>\n<start_of_turn>user\nAnd in London?<end_of_turn>\n<start_of_turn>model\n"
            let result = await Remote.run(pool, Self.request(second, maxTokens: 8))
            guard case .usage(let usage)? = result.events.last else {
                Issue.record("no usage: \(String(describing: result.error))")
                return
            }
            // Most of the first turn's prompt came from the cache (llama-server re-evaluates a few tokens
            // where the texts join).
            #expect(usage.cachedPromptTokens >= firstUsage.promptTokens * 3 / 4, "\(firstUsage) then \(usage)")
            #expect(usage.cachedPromptTokens < usage.promptTokens)
        }
    }

    @Test func contextOverflowIsTheClientsError() async throws {
        try await LiveLlamaServer.withPool { pool in
            let long = String(repeating: "word ", count: 3000)
            let result = await Remote.run(pool, Self.request(long, maxTokens: 8))
            guard case .contextOverflow(let prompt, _, let context)? = result.error as? GenerationError else {
                Issue.record("expected contextOverflow, got \(String(describing: result.error))")
                return
            }
            #expect(prompt > context)
            #expect(context == pool.contextSize)
        }
    }
}

/// One `llama-server` child process on a loopback port.
final class LiveLlamaServer: Sendable {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let binary =
        ProcessInfo.processInfo.environment["LLAMA_SERVER"] ?? root.appendingPathComponent(".deps/bin/llama-server").path
    static let model: String = {
        let home =
            ProcessInfo.processInfo.environment["FUNCTIONARY_HOME"]
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/functionary").path
        return home + "/models/gemma-3-270m-q4_k_m.gguf"
    }()

    let process: Process
    let port: Int

    private init(process: Process, port: Int) {
        self.process = process
        self.port = port
    }

    /// Starts a server, runs `body` with a pool connected to it, then shuts both down.
    static func withPool<T>(_ body: (RemoteEnginePool) async throws -> T) async throws -> T {
        let server = try start()
        defer { server.stop() }
        var options = RemoteEngineOptions()
        options.startupTimeout = .seconds(120)
        options.readTimeout = .seconds(120)
        let pool = try await RemoteEnginePool.connect(
            urls: ["http://127.0.0.1:\(server.port)/v1"], options: options, logger: Remote.quietLogger)
        do {
            let result = try await body(pool)
            try await pool.shutdown()
            return result
        } catch {
            try? await pool.shutdown()
            throw error
        }
    }

    private static func start() throws -> LiveLlamaServer {
        try #require(FileManager.default.isExecutableFile(atPath: binary), "no llama-server at \(binary): run make deps")
        try #require(FileManager.default.fileExists(atPath: model), "no default model at \(model): run make deps")
        let port = Int.random(in: 20000...45000)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["-m", model, "--host", "127.0.0.1", "--port", String(port), "-c", "4096", "-np", "2", "-t", "2"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return LiveLlamaServer(process: process, port: port)
    }

    /// SIGKILL: a child of Foundation's `Process` inherits a signal mask that blocks SIGTERM on Linux.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}
