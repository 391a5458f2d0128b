import FunctionaryProtocol
import FunctionaryServer
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@Suite("health, models, metrics, completions, request log")
struct InfoAndMetricsTests {
    @Test func healthAndModels() async throws {
        try await TestServer.app(engine: .answering([]), { $0.servedModelNames = ["a", "b"] }).test(.router) { client in
            let health = try await client.execute(uri: "/health", method: .get)
            #expect(health.status == .ok)
            #expect(try health.json() == ["status": "ok"])
            let models = try await client.execute(uri: "/v1/models", method: .get).json()
            #expect(models["object"] == "list")
            let data = try #require(models["data"]?.arrayValue)
            #expect(data.map { $0["id"] } == ["a", "b"])
            #expect(data.first?["object"] == "model")
            #expect(data.first?["max_model_len"]?.intValue == 4096)
            #expect(data.first?["owned_by"] == "functionary")
            #expect(try await client.execute(uri: "/v1/models/b", method: .get).json()["id"] == "b")
            #expect(try await client.execute(uri: "/v1/models/c", method: .get).status == .notFound)
        }
    }

    @Test func metricsCountRequestsTokensAndLatency() async throws {
        let engine = ScriptedEngine(steps: [.text(0, "Hi"), .finish(0, .stop), .usage(prompt: 11, completion: 2, cached: 5, restored: 3)])
        try await TestServer.app(engine: engine).test(.router) { client in
            _ = try await client.post("/v1/chat/completions", json: TestServer.chat())
            _ = try await client.post("/v1/chat/completions", json: TestServer.chat(#""stream":true"#))
            _ = try await client.post("/v1/chat/completions", json: TestServer.chat(#""n":0"#))
            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.status == .ok)
            let text = response.text
            #expect(text.contains(#"functionary_requests_total{endpoint="/v1/chat/completions",status="200"} 2"#))
            #expect(text.contains(#"functionary_requests_total{endpoint="/v1/chat/completions",status="400"} 1"#))
            #expect(text.contains("functionary_prompt_tokens_total 22"))
            #expect(text.contains("functionary_completion_tokens_total 4"))
            #expect(text.contains("functionary_prompt_cache_hit_tokens_total 10"))
            #expect(text.contains("functionary_prompt_cache_host_restored_tokens_total 6"))
            #expect(text.contains("functionary_prompt_cache_host_bytes 0"))
            #expect(text.contains("functionary_time_to_first_token_seconds_count 2"))
            #expect(text.contains("functionary_request_duration_seconds_count 3"))
            #expect(text.contains("functionary_active_slots 0"))
            #expect(text.contains("functionary_slots 4"))
            #expect(text.contains("functionary_queue_depth 0"))
        }
    }

    @Test func rawCompletions() async throws {
        let engine = ScriptedEngine(steps: [.text(0, " world"), .text(0, "!"), .finish(0, .length), .usage(prompt: 2, completion: 2)])
        try await TestServer.app(engine: engine).test(.router) { client in
            let json = try await client.post("/v1/completions", json: #"{"model":"test-model","prompt":"Hello","max_tokens":2}"#).json()
            #expect(json["object"] == "text_completion")
            #expect(json["id"]?.stringValue?.hasPrefix("cmpl-") == true)
            #expect(json["choices"]?.arrayValue?.first?["text"] == " world!")
            #expect(json["choices"]?.arrayValue?.first?["finish_reason"] == "length")
            #expect(json["usage"]?["total_tokens"]?.intValue == 4)
            let request = try #require(engine.requests.first)
            #expect(request.prompt == "Hello")
            #expect(request.templateStops.isEmpty)
            #expect(request.sampling.maxTokens == 2)

            let stream = try await client.post(
                "/v1/completions", json: #"{"model":"test-model","prompt":["Hello"],"stream":true,"stream_options":{"include_usage":true}}"#)
            #expect(stream.events.last == "[DONE]")
            let chunks = try stream.chunks()
            #expect(chunks.map { $0["choices"]?.arrayValue?.first?["text"] } == [" world", "!", "", nil])
            #expect(chunks[2]["choices"]?.arrayValue?.first?["finish_reason"] == "length")
            #expect(chunks[3]["usage"]?["prompt_tokens"]?.intValue == 2)
        }
    }

    @Test func oneLogLinePerRequest() async throws {
        let lines = LogLines()
        let logger = Logger(label: "test") { _ in CapturingLogHandler(lines: lines) }
        let engine = ScriptedEngine(steps: [.text(0, "Hi"), .finish(0, .stop), .usage(prompt: 9, completion: 1)])
        try await TestServer.app(engine: engine, logger: logger).test(.router) { client in
            _ = try await client.post("/v1/chat/completions", json: TestServer.chat(#""stream":true"#))
            _ = try await client.post("/v1/chat/completions", json: #"{"model":"nope","messages":[{"role":"user","content":"Hi"}]}"#)
        }
        let requestLines = lines.all.filter { $0.contains("/v1/chat/completions") }
        #expect(requestLines.count == 2)
        #expect(requestLines.first?.contains("status=200 prompt_tokens=9 completion_tokens=1 time=") == true)
        #expect(requestLines.first?.contains(" id=") == true)
        #expect(requestLines.last?.contains("status=404") == true)
    }
}
