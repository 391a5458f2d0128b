import FunctionaryProtocol
import FunctionaryServer
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("chat completions, non-streaming")
struct ChatCompletionTests {
    @Test func textAnswerHasOpenAIShapeAndUsage() async throws {
        let engine = ScriptedEngine.answering(["Hel", "lo ", "there"], prompt: 12)
        try await TestServer.app(engine: engine).test(.router) { client in
            let response = try await client.post("/v1/chat/completions", json: TestServer.chat())
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            let json = try response.json()
            #expect(json["object"] == "chat.completion")
            #expect(json["model"] == "test-model")
            #expect(json["id"]?.stringValue?.hasPrefix("chatcmpl-") == true)
            #expect(json["created"]?.intValue != nil)
            let choice = try #require(json["choices"]?.arrayValue?.first)
            #expect(choice["index"]?.intValue == 0)
            #expect(choice["finish_reason"] == "stop")
            #expect(choice["message"] == ["role": "assistant", "content": "Hello there"])
            #expect(json["usage"]?["prompt_tokens"]?.intValue == 12)
            #expect(json["usage"]?["completion_tokens"]?.intValue == 3)
            #expect(json["usage"]?["total_tokens"]?.intValue == 15)
        }
    }

    @Test func generationRequestUsesTemplateAndDefaults() async throws {
        let engine = ScriptedEngine.answering(["ok"])
        try await TestServer.app(engine: engine).test(.router) { client in
            _ = try await client.post("/v1/chat/completions", json: TestServer.chat(#""stop":"END","seed":7"#))
            let request = try #require(engine.requests.first)
            #expect(request.prompt == "user: Hi\nassistant: ")
            #expect(request.sampling.temperature == 0.6)
            #expect(request.sampling.maxTokens == nil)
            #expect(request.sampling.stop == ["END"])
            #expect(request.sampling.seed == 7)
            #expect(request.templateStops == ["<end>"])
            #expect(request.n == 1)
            #expect(request.constraint == nil)
        }
    }

    @Test func samplingFieldsReachTheEngine() async throws {
        let engine = ScriptedEngine.answering(["ok"])
        try await TestServer.app(engine: engine).test(.router) { client in
            let body = TestServer.chat(
                #""temperature":0,"top_p":0.5,"top_k":20,"min_p":0.1,"max_completion_tokens":33,"presence_penalty":1,"frequency_penalty":-1,"user":"u1""#
            )
            let response = try await client.post("/v1/chat/completions", json: body)
            #expect(response.status == .ok)
            let sampling = try #require(engine.requests.first).sampling
            #expect(sampling.temperature == 0)
            #expect(sampling.topP == 0.5)
            #expect(sampling.topK == 20)
            #expect(sampling.minP == 0.1)
            #expect(sampling.maxTokens == 33)
            #expect(sampling.presencePenalty == 1)
            #expect(sampling.frequencyPenalty == -1)
        }
    }

    @Test func toolCallAnswer() async throws {
        let engine = ScriptedEngine.answering([#"<call>get_weather{"city":"#, #" "Paris"}</call>"#])
        try await TestServer.app(engine: engine).test(.router) { client in
            let body = TestServer.chat(#""tools":[\#(TestServer.weatherTool)]"#)
            let json = try await client.post("/v1/chat/completions", json: body).json()
            let choice = try #require(json["choices"]?.arrayValue?.first)
            #expect(choice["finish_reason"] == "tool_calls")
            #expect(choice["message"]?["content"] == .null)
            let call = try #require(choice["message"]?["tool_calls"]?.arrayValue?.first)
            #expect(call == ["id": "call_0", "type": "function", "function": ["name": "get_weather", "arguments": #"{"city": "Paris"}"#]])
            #expect(engine.requests.first?.prompt.hasPrefix("tools: get_weather\n") == true)
        }
    }

    @Test func namedToolChoiceKeepsEngineReason() async throws {
        let engine = ScriptedEngine.answering([#"{"city":"Oslo"}</call>"#])
        try await TestServer.app(engine: engine).test(.router) { client in
            let body = TestServer.chat(
                #""tools":[\#(TestServer.weatherTool),\#(TestServer.timeTool)],"tool_choice":{"type":"function","function":{"name":"get_weather"}}"#)
            let json = try await client.post("/v1/chat/completions", json: body).json()
            let choice = try #require(json["choices"]?.arrayValue?.first)
            #expect(choice["finish_reason"] == "stop")
            #expect(choice["message"]?["tool_calls"]?.arrayValue?.first?["function"]?["name"] == "get_weather")
            // Only the named tool is rendered, and the prompt ends with the template's named prefix.
            let prompt = try #require(engine.requests.first?.prompt)
            #expect(prompt.hasPrefix("tools: get_weather\n"))
            #expect(prompt.hasSuffix("assistant: <call>get_weather"))
        }
    }

    @Test func parallelCallsAndTheirLimit() async throws {
        let output = [#"<call>get_weather{"city":"A"}</call><call>get_time{}</call>"#]
        let engine = ScriptedEngine.answering(output)
        try await TestServer.app(engine: engine).test(.router) { client in
            let tools = #""tools":[\#(TestServer.weatherTool),\#(TestServer.timeTool)]"#
            let both = try await client.post("/v1/chat/completions", json: TestServer.chat(tools)).json()
            #expect(both["choices"]?.arrayValue?.first?["message"]?["tool_calls"]?.arrayValue?.count == 2)
            let one = try await client.post("/v1/chat/completions", json: TestServer.chat(tools + #","parallel_tool_calls":false"#)).json()
            let calls = try #require(one["choices"]?.arrayValue?.first?["message"]?["tool_calls"]?.arrayValue)
            #expect(calls.count == 1)
            #expect(calls.first?["function"]?["name"] == "get_weather")
        }
    }

    @Test func legacyFunctionsAnswerWithFunctionCall() async throws {
        let engine = ScriptedEngine.answering([#"<call>get_weather{"city":"Rome"}</call>"#])
        try await TestServer.app(engine: engine).test(.router) { client in
            let body = TestServer.chat(
                #""functions":[{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}]"#)
            let json = try await client.post("/v1/chat/completions", json: body).json()
            let choice = try #require(json["choices"]?.arrayValue?.first)
            #expect(choice["finish_reason"] == "function_call")
            #expect(choice["message"]?["function_call"] == ["name": "get_weather", "arguments": #"{"city":"Rome"}"#])
            #expect(choice["message"]?.objectValue?.keys.contains("tool_calls") == false)
        }
    }

    @Test func unreadableOutputIsContentNotAnError() async throws {
        let engine = ScriptedEngine.answering([#"<call>get_weather{"city":"#])
        try await TestServer.app(engine: engine).test(.router) { client in
            let response = try await client.post("/v1/chat/completions", json: TestServer.chat(#""tools":[\#(TestServer.weatherTool)]"#))
            #expect(response.status == .ok)
            let choice = try #require(try response.json()["choices"]?.arrayValue?.first)
            #expect(choice["message"]?["content"] == #"<call>get_weather{"city":"#)
            #expect(choice["finish_reason"] == "stop")
        }
    }

    /// Output cut off by `max_tokens` reports `length` even when it holds complete calls (OpenAI's meaning: more
    /// may have followed; the reference says `tool_calls` here, see `CompletionFinishReason.resolve`). The calls
    /// that were complete are still returned.
    @Test func lengthWinsOverToolCalls() async throws {
        let engine = ScriptedEngine.answering([#"<call>get_weather{"city":"Paris"}</call>"#], reason: .length)
        try await TestServer.app(engine: engine).test(.router) { client in
            let json = try await client.post("/v1/chat/completions", json: TestServer.chat(#""tools":[\#(TestServer.weatherTool)]"#)).json()
            let choice = try #require(json["choices"]?.arrayValue?.first)
            #expect(choice["finish_reason"] == "length")
            #expect(choice["message"]?["tool_calls"]?.arrayValue?.first?["function"]?["name"] == "get_weather")
        }
    }

    @Test func twoChoices() async throws {
        let engine = ScriptedEngine(steps: [
            .text(0, "A"), .text(1, "B"), .text(0, "a"), .finish(1, .length), .finish(0, .stop), .usage(prompt: 5, completion: 3),
        ])
        try await TestServer.app(engine: engine).test(.router) { client in
            let json = try await client.post("/v1/chat/completions", json: TestServer.chat(#""n":2"#)).json()
            let choices = try #require(json["choices"]?.arrayValue)
            #expect(choices.count == 2)
            #expect(choices[0]["message"]?["content"] == "Aa")
            #expect(choices[0]["finish_reason"] == "stop")
            #expect(choices[1]["index"]?.intValue == 1)
            #expect(choices[1]["message"]?["content"] == "B")
            #expect(choices[1]["finish_reason"] == "length")
            #expect(engine.requests.first?.n == 2)
        }
    }

    @Test func toolResultsInTheConversation() async throws {
        let engine = ScriptedEngine.answering(["It is sunny."])
        let messages = #"""
            [{"role":"user","content":"Weather?"},
             {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{}"}}]},
             {"role":"tool","tool_call_id":"call_1","content":"sunny"}]
            """#
        try await TestServer.app(engine: engine).test(.router) { client in
            let response = try await client.post(
                "/v1/chat/completions", json: TestServer.chat(#""tools":[\#(TestServer.weatherTool)]"#, messages: messages))
            #expect(response.status == .ok)
            #expect(engine.requests.first?.prompt.contains("tool: sunny") == true)
        }
    }

    @Test func grammarConstraintsReachTheEngine() async throws {
        let engine = ScriptedEngine.answering(["{}"])
        try await TestServer.app(engine: engine).test(.router) { client in
            let tools = #""tools":[\#(TestServer.weatherTool)]"#
            _ = try await client.post("/v1/chat/completions", json: TestServer.chat(tools + #","tool_choice":"required""#))
            let required = try #require(engine.requests.last?.constraint)
            #expect(required.schemas.values.contains(where: { $0["required"] == ["city"] }))
            _ = try await client.post("/v1/chat/completions", json: TestServer.chat(tools + #","tool_choice":"none""#))
            #expect(engine.requests.last?.constraint != nil, "tool_choice none keeps the output text by grammar")
            _ = try await client.post("/v1/chat/completions", json: TestServer.chat(#""response_format":{"type":"json_object"}"#))
            #expect(engine.requests.last?.constraint?.schemas.values.first == ["type": "object"])
            let schema = #"{"type":"object","properties":{"a":{"type":"integer"}}}"#
            _ = try await client.post(
                "/v1/chat/completions",
                json: TestServer.chat(#""response_format":{"type":"json_schema","json_schema":{"name":"x","schema":\#(schema)}}"#))
            #expect(engine.requests.last?.constraint?.schemas.values.first == (try JSONValue(parsing: schema)))
            let combined = try await client.post(
                "/v1/chat/completions", json: TestServer.chat(tools + #","response_format":{"type":"json_object"}"#))
            #expect(combined.status == .badRequest)
            #expect(try combined.errorParam() == "response_format")
        }
    }
}
