import FunctionaryProtocol
import Testing

@testable import FunctionaryRemote

/// Routing, prefix affinity, failover and health, against scripted upstreams.
@Suite struct RoutingTests {
    static let a = "http://a:8000"
    static let b = "http://b:8000"

    static func request(_ prompt: String, maxTokens: Int? = 16) -> GenerationRequest {
        var sampling = SamplingParameters()
        sampling.temperature = 0
        sampling.maxTokens = maxTokens
        return GenerationRequest(prompt: prompt, sampling: sampling, templateStops: ["<|eot_id|>"])
    }

    /// A conversation prompt long enough for prefix affinity (several 64-byte blocks).
    static func conversation(_ id: Int, turns: Int) -> String {
        var prompt = "<|start_header_id|>system<|end_header_id|>\n\nConversation \(id). You are a helpful assistant.<|eot_id|>"
        for turn in 0..<turns {
            prompt += "<|start_header_id|>user<|end_header_id|>\n\nQuestion \(turn) of conversation \(id), with some words.<|eot_id|>"
            prompt += "<|start_header_id|>assistant<|end_header_id|>\n\nAnswer \(turn).<|eot_id|>"
        }
        return prompt
    }

    @Test func leastLoadedUpstreamGetsTheNextRequest() async throws {
        let gate = Gate()
        let transport = ScriptedTransport { request in
            var reply = ScriptedReply.completion(["slow"])
            if request.url.hasPrefix(Self.a) {
                reply.gate = gate
            }
            return reply
        }
        var options = RemoteEngineOptions()
        options.affinity.enabled = false
        let pool = try Remote.pool([Self.a, Self.b], options: options, transport: transport)
        // The first request goes to a (rotation starts there) and stays in flight behind the gate.
        let first = Task { await Remote.run(pool, Self.request("first")) }
        while await transport.log.completions(to: Self.a).isEmpty { try await Task.sleep(for: .milliseconds(1)) }
        #expect(await pool.stats().activeSlots == 1)
        for i in 0..<3 {
            let result = await Remote.run(pool, Self.request("next \(i)"))
            #expect(result.error == nil)
        }
        #expect(await transport.log.completions(to: Self.b).count == 3, "b was idle, a busy")
        await gate.open()
        let done = await first.value
        #expect(Remote.text(done.events) == "slow")
        #expect(await pool.stats().activeSlots == 0)
        #expect(await pool.stats().totalSlots == 128)
    }

    @Test func idleUpstreamsShareTheLoadInTurn() async throws {
        let transport = ScriptedTransport { _ in .completion(["ok"]) }
        var options = RemoteEngineOptions()
        options.affinity.enabled = false
        let pool = try Remote.pool([Self.a, Self.b], options: options, transport: transport)
        for i in 0..<6 { _ = await Remote.run(pool, Self.request("r\(i)")) }
        #expect(await transport.log.completions(to: Self.a).count == 3)
        #expect(await transport.log.completions(to: Self.b).count == 3)
    }

    @Test func conversationsStayOnTheUpstreamThatHoldsTheirPrefix() async throws {
        let transport = ScriptedTransport { _ in .completion(["Answer", " 9."]) }
        let pool = try Remote.pool([Self.a, Self.b], transport: transport)
        var home: [Int: String] = [:]
        for turn in 1...4 {
            for id in 0..<4 {
                let before = (await transport.log.completions(to: Self.a).count, await transport.log.completions(to: Self.b).count)
                let result = await Remote.run(pool, Self.request(Self.conversation(id, turns: turn)))
                #expect(result.error == nil)
                let after = await transport.log.completions(to: Self.a).count
                let upstream = after > before.0 ? Self.a : Self.b
                if let previous = home[id] {
                    #expect(previous == upstream, "conversation \(id) turn \(turn) moved from \(previous) to \(upstream)")
                } else {
                    home[id] = upstream
                }
            }
        }
        // New conversations were spread over both upstreams.
        #expect(Set(home.values).count == 2)
        let statuses = await pool.statuses()
        #expect(statuses.allSatisfy { $0.cachedBlocks > 0 })
    }

    @Test func affinityGivesWayToAnOverloadedUpstream() async throws {
        let gate = Gate()
        let transport = ScriptedTransport { request in
            var reply = ScriptedReply.completion(["x"])
            let body = String(decoding: request.body ?? [], as: UTF8.self)
            if body.contains("busy") { reply.gate = gate }
            return reply
        }
        let pool = try Remote.pool([Self.a, Self.b], transport: transport)
        let prompt = Self.conversation(7, turns: 3)
        _ = await Remote.run(pool, Self.request(prompt))
        let home = await transport.log.completions(to: Self.a).count == 1 ? Self.a : Self.b
        let other = home == Self.a ? Self.b : Self.a
        // Three long requests pin the home upstream (each continues the conversation, so affinity sends them home).
        var blocked: [Task<([GenerationEvent], (any Error)?), Never>] = []
        for i in 0..<3 {
            let busy = Self.request(prompt + "busy \(i)")
            blocked.append(Task { await Remote.run(pool, busy) })
            while await transport.log.completions(to: home).count < 2 + i { try await Task.sleep(for: .milliseconds(1)) }
        }
        // Home now has 3 in flight, the other 0: more than the allowed imbalance of 2.
        _ = await Remote.run(pool, Self.request(prompt + "next turn"))
        #expect(await transport.log.completions(to: other).count == 1)
        await gate.open()
        for task in blocked { _ = await task.value }
    }

    @Test func failureBeforeTheFirstTokenIsRetriedElsewhere() async throws {
        let transport = ScriptedTransport { request in
            request.url.hasPrefix(Self.a) ? .refused() : .completion(["from b"])
        }
        var options = RemoteEngineOptions()
        options.affinity.enabled = false
        let pool = try Remote.pool([Self.a, Self.b], options: options, transport: transport)
        let result = await Remote.run(pool, Self.request("hello"))
        #expect(result.error == nil)
        #expect(Remote.text(result.events) == "from b")
        #expect(result.events.last == .usage(GenerationUsage(promptTokens: 10, completionTokens: 1)))
        let statuses = await pool.statuses()
        #expect(statuses.map(\.healthy) == [false, true])
        #expect(statuses[0].lastError?.contains("connection refused") == true)
        // The next requests go straight to b.
        _ = await Remote.run(pool, Self.request("again"))
        _ = await Remote.run(pool, Self.request("and again"))
        #expect(await transport.log.completions(to: Self.a).count == 1)
        #expect(await transport.log.completions(to: Self.b).count == 3)
    }

    @Test func serverErrorsAndBrokenStreamsBeforeOutputAreRetried() async throws {
        for failing in [
            ScriptedReply.json(503, #"{"error":{"code":503,"message":"Loading model","type":"unavailable_error"}}"#),
            ScriptedReply.json(500, "Internal Server Error"),
            ScriptedReply(chunks: [], breakAfterChunks: 0),
            ScriptedReply(chunks: [Array(": ping\n\n".utf8)]),
        ] {
            let transport = ScriptedTransport { request in request.url.hasPrefix(Self.a) ? failing : .completion(["fine"]) }
            var options = RemoteEngineOptions()
            options.affinity.enabled = false
            let pool = try Remote.pool([Self.a, Self.b], options: options, transport: transport)
            let result = await Remote.run(pool, Self.request("hello"))
            #expect(result.error == nil, "\(failing)")
            #expect(Remote.text(result.events) == "fine")
        }
    }

    @Test func failureMidStreamEndsWithAnErrorNotAHang() async throws {
        let transport = ScriptedTransport { _ in
            var reply = ScriptedReply.completion(["partial", " more"])
            reply.breakAfterChunks = 1
            return reply
        }
        let pool = try Remote.pool([Self.a, Self.b], transport: transport)
        let result = await Remote.run(pool, Self.request("hello"))
        #expect(Remote.text(result.events) == "partial")
        guard case .engineFailure(let message)? = result.error as? GenerationError else {
            Issue.record("expected engineFailure, got \(String(describing: result.error))")
            return
        }
        #expect(message.contains("mid-stream"))
        #expect(message.contains("connection reset by peer"))
        // Not retried: the client already had output.
        #expect(await transport.log.requests.count == 1)
        #expect(await pool.stats().activeSlots == 0)
    }

    @Test func noHealthyEngineNamesTheEngines() async throws {
        let transport = ScriptedTransport { _ in .refused() }
        let pool = try Remote.pool([Self.a, Self.b], transport: transport)
        let result = await Remote.run(pool, Self.request("hello"))
        guard case .unavailable(let message)? = result.error as? GenerationError else {
            Issue.record("expected unavailable, got \(String(describing: result.error))")
            return
        }
        #expect(message.hasPrefix("no healthy engine: http://a:8000, http://b:8000"))
        // Both down: a later request checks health at once (the probes fail too) and fails fast.
        let again = await Remote.run(pool, Self.request("hello"))
        #expect((again.error as? GenerationError).map { if case .unavailable = $0 { true } else { false } } == true)
        #expect(await transport.log.completions(to: Self.a).count == 1)
    }

    @Test func unhealthyUpstreamsComeBackWhenTheirHealthRecovers() async throws {
        let down = HealthSwitch()
        let transport = ScriptedTransport { request in
            if request.url.hasPrefix(Self.a), await down.isDown { return .refused() }
            if request.url.hasSuffix("/health") { return .json(200, "") }
            return .completion(["ok"])
        }
        var options = RemoteEngineOptions()
        options.affinity.enabled = false
        let pool = try Remote.pool([Self.a, Self.b], options: options, transport: transport)
        await down.set(true)
        _ = await Remote.run(pool, Self.request("one"))
        #expect(await pool.statuses().map(\.healthy) == [false, true])
        await pool.checkHealth()
        #expect(await pool.statuses().map(\.healthy) == [false, true], "still down")
        await down.set(false)
        await pool.checkHealth()
        #expect(await pool.statuses().map(\.healthy) == [true, true], "back")
        for i in 0..<4 { _ = await Remote.run(pool, Self.request("r\(i)")) }
        #expect(await transport.log.completions(to: Self.a).count >= 2)
    }

    @Test func allDownThenOneRecoversWithoutTheHealthLoop() async throws {
        let down = HealthSwitch()
        await down.set(true)
        let transport = ScriptedTransport { request in
            if await down.isDown { return .refused() }
            return request.url.hasSuffix("/health") ? .json(200, "") : .completion(["back"])
        }
        let pool = try Remote.pool([Self.a], healthy: [false], transport: transport)
        #expect(await Remote.run(pool, Self.request("x")).error is GenerationError)
        await down.set(false)
        let result = await Remote.run(pool, Self.request("x"))
        #expect(Remote.text(result.events) == "back")
    }

    @Test func runLoopChecksHealthPeriodically() async throws {
        let transport = ScriptedTransport { request in request.url.hasSuffix("/health") ? .json(200, "") : .completion(["ok"]) }
        var options = RemoteEngineOptions()
        options.healthCheckInterval = .milliseconds(10)
        let pool = try Remote.pool([Self.a, Self.b], healthy: [false, false], options: options, transport: transport)
        let loop = Task { try await pool.run() }
        while await pool.statuses().contains(where: { !$0.healthy }) { try await Task.sleep(for: .milliseconds(2)) }
        loop.cancel()
        try await loop.value
        #expect(await transport.log.requests.filter { $0.url.hasSuffix("/health") }.count >= 2)
    }

    @Test func clientErrorsAreNotRetriedAndMapToTheirStatus() async throws {
        let transport = ScriptedTransport { request in
            request.url.hasPrefix(Self.a)
                ? .json(400, try! Remote.fixture("vllm/error-context-length-v0.12.json")) : .completion(["never"])
        }
        var options = RemoteEngineOptions()
        options.affinity.enabled = false
        let pool = try Remote.pool([Self.a, Self.b], options: options, transport: transport)
        let result = await Remote.run(pool, Self.request("long", maxTokens: 1000))
        #expect(result.error as? GenerationError == .contextOverflow(promptTokens: 7193, maxTokens: 1000, contextSize: 8192))
        #expect(await transport.log.completions(to: Self.b).isEmpty)
        #expect(await pool.statuses().allSatisfy(\.healthy), "a client error says nothing about the engine")
    }

    @Test func cancellingTheConsumerCancelsTheUpstreamRequest() async throws {
        let gate = Gate()
        let transport = ScriptedTransport { _ in
            var reply = ScriptedReply.completion(["first", "second"])
            reply.gate = gate
            reply.gateBeforeChunk = 1
            return reply
        }
        let pool = try Remote.pool([Self.a], transport: transport)
        let consumer = Task {
            var texts: [String] = []
            for try await event in pool.generate(Self.request("hello")) {
                if case .text(_, let text) = event { texts.append(text) }
            }
            return texts
        }
        while await pool.stats().activeSlots == 0 { try await Task.sleep(for: .milliseconds(1)) }
        try await Task.sleep(for: .milliseconds(20))
        consumer.cancel()
        _ = try? await consumer.value
        while await pool.stats().activeSlots > 0 { try await Task.sleep(for: .milliseconds(1)) }
        #expect(await pool.statuses()[0].healthy, "a cancelled request does not count against the engine")
    }

    @Test func twoChoicesAndUsage() async throws {
        let transport = ScriptedTransport { _ in
            ScriptedReply(chunks: [Array(try! Remote.fixture("vllm/stream-n2.sse").utf8)])
        }
        let pool = try Remote.pool([Self.a], transport: transport)
        var request = Self.request("hi")
        request.n = 2
        let result = await Remote.run(pool, request)
        #expect(result.error == nil)
        #expect(Remote.text(result.events, choice: 0) == "Hello!")
        #expect(Remote.text(result.events, choice: 1) == "Hi there")
        #expect(result.events.last == .usage(GenerationUsage(promptTokens: 20, completionTokens: 5)))
    }

    @Test func sglangWithoutMaxTokensGetsTheRestOfTheContext() async throws {
        let transport = ScriptedTransport { request in
            if request.url.hasSuffix("/v1/tokenize") { return .json(200, #"{"tokens":[1,2,3,4,5],"count":5,"max_model_len":4096}"#) }
            return .completion(["ok"])
        }
        let pool = try Remote.pool([Self.a], kind: .sglang, transport: transport)
        _ = await Remote.run(pool, Self.request("hello", maxTokens: nil))
        let body = try #require(await transport.log.bodies(to: Self.a).first)
        #expect(body["max_tokens"] == .number(JSONNumber(4091)))
        #expect(body["skip_special_tokens"] == .bool(false))
    }

    @Test func grammarsNeedAGrammarCapableEngine() async throws {
        let transport = ScriptedTransport { _ in .completion(["x"]) }
        let pool = try Remote.pool([Self.a], kind: .openai, transport: transport)
        var request = Self.request("x")
        request.constraint = OutputConstraint(grammar: "root ::= \"x\"")
        let result = await Remote.run(pool, request)
        guard case .invalidConstraint(let message)? = result.error as? GenerationError else {
            Issue.record("expected invalidConstraint, got \(String(describing: result.error))")
            return
        }
        #expect(message.contains("cannot enforce grammars"))
        #expect(await transport.log.requests.isEmpty)
    }

    @Test func upstreamApiKeyIsSent() async throws {
        let transport = ScriptedTransport { _ in .completion(["x"]) }
        var options = RemoteEngineOptions()
        options.apiKey = "secret"
        let pool = try Remote.pool([Self.a], options: options, transport: transport)
        _ = await Remote.run(pool, Self.request("x"))
        let request = try #require(await transport.log.requests.first)
        #expect(request.headers.contains { $0.0 == "Authorization" && $0.1 == "Bearer secret" })
    }
}

actor HealthSwitch {
    private(set) var isDown = false

    func set(_ down: Bool) { isDown = down }
}
