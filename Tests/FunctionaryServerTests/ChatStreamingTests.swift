import FunctionaryProtocol
import FunctionaryServer
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("chat completions, streaming")
struct ChatStreamingTests {
    /// `(choice index, delta, finish_reason)` of each chunk that has a choice.
    static func summary(_ chunks: [JSONValue]) -> [String] {
        chunks.compactMap { chunk in
            guard let choice = chunk["choices"]?.arrayValue?.first else { return nil }
            let index = choice["index"]?.intValue ?? -1
            return "\(index) \(choice["delta"]?.compactJSON() ?? "-") \(choice["finish_reason"]?.compactJSON() ?? "-")"
        }
    }

    @Test func textStreamExactChunks() async throws {
        let engine = ScriptedEngine.answering(["Hel", "lo"])
        try await TestServer.app(engine: engine).test(.router) { client in
            let response = try await client.post("/v1/chat/completions", json: TestServer.chat(#""stream":true"#))
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/event-stream; charset=utf-8")
            #expect(response.events.last == "[DONE]")
            let chunks = try response.chunks()
            let id = try #require(chunks.first?["id"]?.stringValue)
            let created = try #require(chunks.first?["created"]?.intValue)
            #expect(id.hasPrefix("chatcmpl-"))
            #expect(
                response.events.first
                    == #"{"id":"\#(id)","object":"chat.completion.chunk","created":\#(created),"model":"test-model","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}"#
            )
            #expect(
                Self.summary(chunks) == [
                    #"0 {"role":"assistant","content":""} null"#,
                    #"0 {"content":"Hel"} null"#,
                    #"0 {"content":"lo"} null"#,
                    #"0 {} "stop""#,
                ])
            #expect(chunks.allSatisfy { $0["id"]?.stringValue == id }, "\(response.events)")
            #expect(chunks.allSatisfy { $0["object"] == "chat.completion.chunk" })
            #expect(chunks.allSatisfy { $0.objectValue?.keys.contains("usage") == false }, "no usage field without include_usage")
        }
    }

    @Test func toolCallStreamExactChunks() async throws {
        let engine = ScriptedEngine.answering(["Let me check. <ca", #"ll>get_weather{"ci"#, #"ty": "Paris"}</c"#, "all>"])
        try await TestServer.app(engine: engine).test(.router) { client in
            let body = TestServer.chat(#""stream":true,"tools":[\#(TestServer.weatherTool)]"#)
            let chunks = try await client.post("/v1/chat/completions", json: body).chunks()
            #expect(
                Self.summary(chunks) == [
                    #"0 {"role":"assistant","content":""} null"#,
                    #"0 {"content":"Let me check. "} null"#,
                    #"0 {"tool_calls":[{"index":0,"id":"call_0","type":"function","function":{"name":"get_weather","arguments":""}}]} null"#,
                    #"0 {"tool_calls":[{"index":0,"function":{"arguments":"{\"ci"}}]} null"#,
                    #"0 {"tool_calls":[{"index":0,"function":{"arguments":"ty\": \"Paris\"}"}}]} null"#,
                    #"0 {} "tool_calls""#,
                ])
        }
    }

    @Test func parallelCallsStreamWithIndexes() async throws {
        let engine = ScriptedEngine.answering([#"<call>get_weather{"city":"A"}</call><call>get_time{}</call>"#])
        try await TestServer.app(engine: engine).test(.router) { client in
            let tools = #""stream":true,"tools":[\#(TestServer.weatherTool),\#(TestServer.timeTool)]"#
            let chunks = try await client.post("/v1/chat/completions", json: TestServer.chat(tools)).chunks()
            #expect(
                Self.summary(chunks) == [
                    #"0 {"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_0","type":"function","function":{"name":"get_weather","arguments":""}}]} null"#,
                    #"0 {"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":\"A\"}"}}]} null"#,
                    #"0 {"tool_calls":[{"index":1,"id":"call_1","type":"function","function":{"name":"get_time","arguments":""}}]} null"#,
                    #"0 {"tool_calls":[{"index":1,"function":{"arguments":"{}"}}]} null"#,
                    #"0 {} "tool_calls""#,
                ])
            let single = try await client.post("/v1/chat/completions", json: TestServer.chat(tools + #","parallel_tool_calls":false"#))
                .chunks()
            #expect(Self.summary(single).filter { $0.contains("get_time") }.isEmpty)
            #expect(Self.summary(single).count == 3)
        }
    }

    @Test func includeUsageSendsAFinalUsageChunk() async throws {
        let engine = ScriptedEngine(steps: [.text(0, "Hi"), .finish(0, .stop), .usage(prompt: 7, completion: 1, cached: 4)])
        try await TestServer.app(engine: engine).test(.router) { client in
            let body = TestServer.chat(#""stream":true,"stream_options":{"include_usage":true}"#)
            let response = try await client.post("/v1/chat/completions", json: body)
            let chunks = try response.chunks()
            #expect(response.events.last == "[DONE]")
            let last = try #require(chunks.last)
            #expect(last["choices"] == [])
            #expect(
                last["usage"] == [
                    "prompt_tokens": 7, "completion_tokens": 1, "total_tokens": 8, "prompt_tokens_details": ["cached_tokens": 4],
                ])
            #expect(chunks.dropLast().allSatisfy { $0["usage"] == .null })
        }
    }

    @Test func twoChoicesStreamInterleaved() async throws {
        let engine = ScriptedEngine(steps: [
            .text(0, "A"), .text(1, "B"), .finish(1, .stop), .text(0, "a"), .finish(0, .length), .usage(prompt: 3, completion: 3),
        ])
        try await TestServer.app(engine: engine).test(.router) { client in
            let chunks = try await client.post("/v1/chat/completions", json: TestServer.chat(#""stream":true,"n":2"#)).chunks()
            #expect(
                Self.summary(chunks) == [
                    #"0 {"role":"assistant","content":""} null"#,
                    #"0 {"content":"A"} null"#,
                    #"1 {"role":"assistant","content":""} null"#,
                    #"1 {"content":"B"} null"#,
                    #"1 {} "stop""#,
                    #"0 {"content":"a"} null"#,
                    #"0 {} "length""#,
                ])
        }
    }

    @Test func legacyFunctionCallDeltas() async throws {
        let engine = ScriptedEngine.answering([#"<call>get_weather{"city":"#, #""Rome"}</call>"#])
        try await TestServer.app(engine: engine).test(.router) { client in
            let body = TestServer.chat(#""stream":true,"functions":[{"name":"get_weather","parameters":{"type":"object"}}]"#)
            let chunks = try await client.post("/v1/chat/completions", json: body).chunks()
            #expect(
                Self.summary(chunks) == [
                    #"0 {"role":"assistant","content":null,"function_call":{"name":"get_weather","arguments":""}} null"#,
                    #"0 {"function_call":{"arguments":"{\"city\":"}} null"#,
                    #"0 {"function_call":{"arguments":"\"Rome\"}"}} null"#,
                    #"0 {} "function_call""#,
                ])
        }
    }

    @Test func unicodeIsNeverSplit() async throws {
        let engine = ScriptedEngine.answering(["héllo ", "日本", "👍🏽"])
        try await TestServer.app(engine: engine).test(.router) { client in
            let chunks = try await client.post("/v1/chat/completions", json: TestServer.chat(#""stream":true"#)).chunks()
            let text = chunks.compactMap { $0.delta?["content"]?.stringValue }.joined()
            #expect(text == "héllo 日本👍🏽")
        }
    }

    @Test func engineErrorMidStreamIsAnErrorEvent() async throws {
        let engine = ScriptedEngine(steps: [.text(0, "Hi"), .fail(.engineFailure("decode failed"))])
        try await TestServer.app(engine: engine).test(.router) { client in
            let response = try await client.post("/v1/chat/completions", json: TestServer.chat(#""stream":true"#))
            #expect(response.status == .ok)
            let last = try #require(try response.chunks().last)
            #expect(last["error"]?["message"] == "Engine failure: decode failed")
            #expect(response.events.last != "[DONE]")
        }
    }

    @Test func engineErrorBeforeTheFirstTokenKeepsItsStatus() async throws {
        let engine = ScriptedEngine(steps: [.fail(.contextOverflow(promptTokens: 4000, maxTokens: 200, contextSize: 4096))])
        try await TestServer.app(engine: engine).test(.router) { client in
            let response = try await client.post("/v1/chat/completions", json: TestServer.chat(#""stream":true,"max_tokens":200"#))
            #expect(response.status == .badRequest)
            #expect(
                try response.errorMessage()
                    == "This model's maximum context length is 4096 tokens. However, you requested 4200 tokens (4000 in the messages, 200 in the completion). Please reduce the length of the messages or completion."
            )
        }
    }
}
