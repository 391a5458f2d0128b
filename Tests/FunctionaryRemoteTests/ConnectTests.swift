import FunctionaryProtocol
import Logging
import Testing

@testable import FunctionaryRemote

/// Kind, model, context size and grammar field are learned from the upstreams.
@Suite struct ConnectTests {
    static func connect(
        _ roots: [String], options: RemoteEngineOptions = RemoteEngineOptions(),
        _ handler: @escaping @Sendable (UpstreamHTTPRequest) async -> ScriptedReply
    ) async throws -> (RemoteEnginePool, ScriptedTransport) {
        let transport = ScriptedTransport(handler)
        let endpoints = try RemoteEnginePool.parse(roots)
        let pool = try await RemoteEnginePool.connect(endpoints: endpoints, options: options, transport: transport, logger: Remote.quietLogger)
        return (pool, transport)
    }

    static func serve(_ routes: [String: ScriptedReply]) -> @Sendable (UpstreamHTTPRequest) async -> ScriptedReply {
        { request in
            for (suffix, reply) in routes where request.url.hasSuffix(suffix) { return reply }
            return .json(404, #"{"detail":"Not Found"}"#)
        }
    }

    @Test func vllmWithItsVersion() async throws {
        let models = try Remote.fixture("vllm/models.json")
        for (version, field) in [("0.9.2", VLLMGrammarField.guidedGrammar), ("0.11.0", .structuredOutputs)] {
            let (pool, transport) = try await Self.connect(
                ["http://gpu:8000/v1"],
                Self.serve([
                    "/v1/models": .json(200, models), "/version": .json(200, #"{"version":"\#(version)"}"#),
                    "/v1/completions": .completion(["ok"]),
                ]))
            #expect(pool.contextSize == 8192)
            #expect(pool.upstreamModel == "meetkai/functionary-medium-v3.1")
            var request = RoutingTests.request("p")
            request.constraint = OutputConstraint(grammar: "root ::= \"ok\"")
            _ = await Remote.run(pool, request)
            let body = try #require(await transport.log.bodies(to: "http://gpu:8000").first)
            #expect(body[field.rawValue] != nil, "vLLM \(version) gets \(field.rawValue)")
            #expect(body["model"] == "meetkai/functionary-medium-v3.1")
        }
    }

    @Test func sglangFromItsModelCard() async throws {
        let (pool, _) = try await Self.connect(["http://gpu:30000"], Self.serve(["/v1/models": .json(200, try Remote.fixture("sglang/models.json"))]))
        #expect(pool.contextSize == 8192)
        #expect(await pool.statuses().map(\.kind) == [.sglang])
    }

    @Test func llamaCppFromProps() async throws {
        let (pool, _) = try await Self.connect(
            ["http://127.0.0.1:8080"],
            Self.serve([
                "/v1/models": .json(200, try Remote.fixture("llamacpp/models.json")), "/props": .json(200, try Remote.fixture("llamacpp/props.json")),
            ]))
        #expect(pool.contextSize == 4096)
        #expect(await pool.statuses().map(\.kind) == [.llamaCpp])
        #expect(await pool.stats().totalSlots == 4)
    }

    @Test func unknownServersAreOpenAIAndNeedAContextSize() async throws {
        let models = #"{"object":"list","data":[{"id":"some-model","object":"model","owned_by":"someone"}]}"#
        await #expect(throws: RemoteEngineError.self) {
            _ = try await Self.connect(["http://x:1"], Self.serve(["/v1/models": .json(200, models)]))
        }
        var options = RemoteEngineOptions()
        options.contextSize = 2048
        let (pool, _) = try await Self.connect(["http://x:1"], options: options, Self.serve(["/v1/models": .json(200, models)]))
        #expect(pool.contextSize == 2048)
        #expect(await pool.statuses().map(\.kind) == [.openai])
    }

    @Test func unreachableUpstreamsStartOutOfRotation() async throws {
        let models = try Remote.fixture("vllm/models.json")
        let (pool, _) = try await Self.connect(["http://up:8000", "http://down:8000"]) { request in
            if request.url.hasPrefix("http://down") { return .refused() }
            return await Self.serve(["/v1/models": .json(200, models)])(request)
        }
        #expect(await pool.statuses().map(\.healthy) == [true, false])
        #expect(await pool.statuses().map(\.kind) == [.vllm, .vllm])
    }

    @Test func nothingReachable() async throws {
        var options = RemoteEngineOptions()
        options.startupTimeout = .milliseconds(10)
        let error = await #expect(throws: RemoteEngineError.self) {
            _ = try await Self.connect(["http://a:1", "http://b:2"], options: options) { _ in .refused() }
        }
        guard case .unreachable(let message)? = error else {
            Issue.record("expected unreachable, got \(String(describing: error))")
            return
        }
        #expect(message.hasPrefix("no engine answered: http://a:1 (connection failed: connection refused), http://b:2"))
    }

    @Test func loadingEnginesAreWaitedFor() async throws {
        let loading = HealthSwitch()
        await loading.set(true)
        var options = RemoteEngineOptions()
        options.startupTimeout = .seconds(30)
        let props = try Remote.fixture("llamacpp/props.json")
        let models = try Remote.fixture("llamacpp/models.json")
        let started = Task {
            try await Self.connect(["http://127.0.0.1:8080"], options: options) { request in
                if await loading.isDown { return .json(503, #"{"error":{"code":503,"message":"Loading model","type":"unavailable_error"}}"#) }
                return await Self.serve(["/v1/models": .json(200, models), "/props": .json(200, props)])(request)
            }
        }
        try await Task.sleep(for: .milliseconds(50))
        await loading.set(false)
        let (pool, _) = try await started.value
        #expect(pool.contextSize == 4096)
    }

    @Test func flagsOverrideDetection() async throws {
        var options = RemoteEngineOptions()
        options.kind = .vllm
        options.vllmGrammarField = .guidedGrammar
        options.contextSize = 1024
        options.model = "served-name"
        let (pool, transport) = try await Self.connect(
            ["http://gpu:8000"], options: options,
            Self.serve([
                "/v1/models": .json(200, try Remote.fixture("vllm/models.json")), "/v1/completions": .completion(["ok"]),
            ]))
        #expect(pool.contextSize == 1024)
        var request = RoutingTests.request("p")
        request.constraint = OutputConstraint(grammar: "root ::= \"ok\"")
        _ = await Remote.run(pool, request)
        let body = try #require(await transport.log.bodies(to: "http://gpu:8000").first)
        #expect(body["guided_grammar"] != nil)
        #expect(body["model"] == "served-name")
        #expect(await transport.log.requests.allSatisfy { !$0.url.hasSuffix("/version") })
    }
}
