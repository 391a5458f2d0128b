import FunctionaryProtocol
import FunctionaryServer
import Hummingbird
import HummingbirdTesting
import Testing

/// The server with the real `gemma3` template (the default model's).
@Suite("server with the real gemma3 template")
struct RealTemplateTests {
    static let output = "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>"

    @Test func promptIsTheTemplatesRendering() async throws {
        let engine = ScriptedEngine.answering(["Hello"])
        try await TestServer.app(engine: engine, template: TemplateGemma3()).test(.router) { client in
            let json = try await client.post("/v1/chat/completions", json: TestServer.chat()).json()
            #expect(json["choices"]?.arrayValue?.first?["message"]?["content"] == "Hello")
            #expect(engine.requests.first?.prompt == "<start_of_turn>user\nHi<end_of_turn>\n<start_of_turn>model\n")
            #expect(engine.requests.first?.templateStops.contains("<end_of_turn>") == true)
        }
    }

    @Test func toolCallParsedNonStreaming() async throws {
        let engine = ScriptedEngine.answering([Self.output])
        try await TestServer.app(engine: engine, template: TemplateGemma3()).test(.router) { client in
            let json = try await client.post("/v1/chat/completions", json: TestServer.chat(#""tools":[\#(TestServer.weatherTool)]"#)).json()
            let choice = try #require(json["choices"]?.arrayValue?.first)
            #expect(choice["finish_reason"] == "tool_calls")
            let call = try #require(choice["message"]?["tool_calls"]?.arrayValue?.first)
            #expect(call["function"]?["name"] == "get_weather")
            let arguments = try JSONValue(parsing: try #require(call["function"]?["arguments"]?.stringValue))
            #expect(arguments == ["city": "Paris"])
            #expect(call["id"]?.stringValue?.hasPrefix("call_") == true)
        }
    }

    @Test func toolCallStreamedAsHeaderThenArguments() async throws {
        // The output in small pieces, as a tokenizer would split it.
        var pieces: [String] = []
        var rest = Substring(Self.output)
        while !rest.isEmpty {
            pieces.append(String(rest.prefix(3)))
            rest = rest.dropFirst(3)
        }
        let engine = ScriptedEngine.answering(pieces)
        try await TestServer.app(engine: engine, template: TemplateGemma3()).test(.router) { client in
            let body = TestServer.chat(#""stream":true,"tools":[\#(TestServer.weatherTool)]"#)
            let chunks = try await client.post("/v1/chat/completions", json: body).chunks()
            let calls = chunks.compactMap { $0.delta?["tool_calls"]?.arrayValue?.first }
            let header = try #require(calls.first)
            #expect(header["index"]?.intValue == 0)
            #expect(header["type"] == "function")
            #expect(header["function"]?["name"] == "get_weather")
            #expect(header["function"]?["arguments"] == "")
            #expect(header["id"]?.stringValue?.hasPrefix("call_") == true)
            #expect(calls.dropFirst().allSatisfy { $0.objectValue?.keys.contains("id") == false })
            #expect(calls.dropFirst().allSatisfy { $0["function"]?.objectValue?.keys.contains("name") == false })
            let arguments = calls.compactMap { $0["function"]?["arguments"]?.stringValue }.joined()
            #expect(try JSONValue(parsing: arguments) == ["city": "Paris"])
            #expect(chunks.last?["choices"]?.arrayValue?.first?["finish_reason"] == "tool_calls")
            let content = chunks.compactMap { chunk in chunk.delta?["content"]?.stringValue }.joined()
            #expect(content.isEmpty)
        }
    }

    /// A `code_interpreter` tool: the prompt offers `python`, the grammar allows it, and a python call comes back
    /// as a `python` tool call whose arguments are the code itself (the Functionary convention).
    @Test func codeInterpreterCallsArePython() async throws {
        let output = "<tool_call>\n{\"name\": \"python\", \"arguments\": {\"code\": \"x = 6 * 7\\nx\"}}\n</tool_call>"
        let engine = ScriptedEngine.answering([output])
        try await TestServer.app(engine: engine, template: TemplateGemma3()).test(.router) { client in
            let body = TestServer.chat(#""tools":[{"type":"code_interpreter"}],"tool_choice":"required""#)
            let json = try await client.post("/v1/chat/completions", json: body).json()
            let request = try #require(engine.requests.first)
            #expect(request.prompt.contains("python"))
            let constraint = try #require(request.constraint)
            #expect(constraint.grammar.contains("python"))
            let choice = try #require(json["choices"]?.arrayValue?.first)
            #expect(choice["finish_reason"] == "tool_calls")
            let call = try #require(choice["message"]?["tool_calls"]?.arrayValue?.first)
            #expect(call["function"]?["name"] == "python")
            #expect(call["function"]?["arguments"] == "x = 6 * 7\nx")
        }
    }

    /// A stream that ends inside a call (here cut off by max_tokens) is still a whole stream: what cannot be read
    /// as a call arrives as content, then the finish chunk and `[DONE]`; never an error.
    @Test func unreadableStreamedOutputIsContent() async throws {
        let cut = "<tool_call>\n{\"name\": \"get_weather\", \"argu"
        let engine = ScriptedEngine.answering(["<tool_", "call>\n{\"name\": ", "\"get_weather\", \"argu"], reason: .length)
        try await TestServer.app(engine: engine, template: TemplateGemma3()).test(.router) { client in
            let body = TestServer.chat(#""stream":true,"tools":[\#(TestServer.weatherTool)]"#)
            let response = try await client.post("/v1/chat/completions", json: body)
            #expect(response.status == .ok)
            #expect(response.events.last == "[DONE]")
            let chunks = try response.chunks()
            let content = chunks.compactMap { chunk in chunk.delta?["content"]?.stringValue }.joined()
            #expect(content == cut)
            #expect(chunks.allSatisfy { $0.delta?["tool_calls"] == nil })
            #expect(chunks.last?["choices"]?.arrayValue?.first?["finish_reason"] == "length")
        }
    }
}
