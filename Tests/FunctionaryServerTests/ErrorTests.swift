import FunctionaryProtocol
import FunctionaryServer
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("client mistakes get OpenAI errors")
struct ErrorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var body: String
        var status: HTTPResponse.Status = .badRequest
        var message: String
        var param: String?
        var testDescription: String { name }
    }

    static let tools = #""tools":[\#(TestServer.weatherTool)]"#
    static let cases: [Case] = [
        Case(
            name: "malformed JSON", body: #"{"model": "test-model", "messages": [}"#,
            message: "The request body is not valid JSON: invalid JSON at line 1, column 38: unexpected character '}'."),
        Case(name: "not an object", body: "[1,2]", message: "The request body must be a JSON object (got array)."),
        Case(
            name: "missing model", body: #"{"messages":[{"role":"user","content":"Hi"}]}"#,
            message: "'model' is a required property", param: "model"),
        Case(name: "missing messages", body: #"{"model":"test-model"}"#, message: "'messages' is a required property", param: "messages"),
        Case(
            name: "empty messages", body: TestServer.chat(messages: "[]"),
            message: "'messages' must contain at least one message.", param: "messages"),
        Case(name: "messages of wrong type", body: TestServer.chat(messages: #""hello""#), message: "", param: "messages"),
        Case(name: "temperature of wrong type", body: TestServer.chat(#""temperature":"hot""#), message: "", param: "temperature"),
        Case(
            name: "message without role", body: TestServer.chat(messages: #"[{"content":"Hi"}]"#),
            message: "'messages[0].role' is a required property", param: "messages[0].role"),
        Case(
            name: "unknown model", body: #"{"model":"gpt-9","messages":[{"role":"user","content":"Hi"}]}"#, status: .notFound,
            message: "The model `gpt-9` does not exist.", param: "model"),
        Case(
            name: "unknown role", body: TestServer.chat(messages: #"[{"role":"wizard","content":"Hi"}]"#),
            message: "Invalid role 'wizard' in messages[0]; allowed roles are: system, user, assistant, tool (and legacy function).",
            param: "messages[0].role"),
        Case(
            name: "unknown tool_call_id",
            body: TestServer.chat(
                tools,
                messages:
                    #"[{"role":"user","content":"Hi"},{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{}"}}]},{"role":"tool","tool_call_id":"call_9","content":"x"}]"#
            ),
            message: "messages[2] has tool_call_id 'call_9', which matches no tool call of the preceding assistant message (ids: call_1).",
            param: "messages[2].tool_call_id"),
        Case(
            name: "tools and functions", body: TestServer.chat(tools + #","functions":[{"name":"f"}]"#),
            message: "'functions' and 'tools' cannot both be provided. 'functions' are deprecated; use the 'tools' parameter instead."),
        Case(
            name: "tool_choice without tools", body: TestServer.chat(#""tool_choice":"auto""#),
            message: "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.", param: "tool_choice"),
        Case(
            name: "function_call without functions", body: TestServer.chat(#""function_call":"auto""#),
            message: "Invalid value for 'function_call': 'function_call' is only allowed when 'functions' are specified.",
            param: "function_call"),
        Case(
            name: "named tool not in tools",
            body: TestServer.chat(tools + #","tool_choice":{"type":"function","function":{"name":"nope"}}"#),
            message: "Invalid value for 'tool_choice': no function named nope was specified in the 'tools' parameter", param: "tool_choice"),
        Case(
            name: "invalid tool_choice string", body: TestServer.chat(tools + #","tool_choice":"always""#),
            message: "Invalid value: 'always'. Supported values are: 'none', 'auto', and 'required'.", param: "tool_choice"),
        Case(
            name: "invalid function_call string",
            body: TestServer.chat(#""functions":[{"name":"f"}],"function_call":"sometimes""#),
            message: "Invalid value: 'sometimes'. Supported values are: 'none' and 'auto'.", param: "function_call"),
        Case(name: "unsupported tool type", body: TestServer.chat(#""tools":[{"type":"retrieval"}]"#), message: "", param: "tools[0].type"),
        Case(
            name: "temperature out of range", body: TestServer.chat(#""temperature":3"#),
            message: "Invalid value for 'temperature': 3.0; it must be between 0 and 2.", param: "temperature"),
        Case(
            name: "top_p out of range", body: TestServer.chat(#""top_p":1.5"#),
            message: "Invalid value for 'top_p': 1.5; it must be between 0 and 1.", param: "top_p"),
        Case(
            name: "max_tokens zero", body: TestServer.chat(#""max_tokens":0"#),
            message: "Invalid value for 'max_tokens': 0; it must be at least 1.", param: "max_tokens"),
        Case(
            name: "n too large", body: TestServer.chat(#""n":9"#),
            message: "Invalid value for 'n': 9; it must be between 1 and 4 (the server's --parallel).", param: "n"),
        Case(
            name: "bad response_format", body: TestServer.chat(#""response_format":{"type":"yaml"}"#),
            message: #"Invalid value for 'response_format.type': "yaml". Supported values are: 'text', 'json_object' and 'json_schema'."#,
            param: "response_format.type"),
        Case(
            name: "json_schema without schema", body: TestServer.chat(#""response_format":{"type":"json_schema","json_schema":{}}"#),
            message: "'response_format.json_schema.schema' is required for type 'json_schema' and must be a JSON Schema object.",
            param: "response_format.json_schema.schema"),
    ]

    @Test(arguments: cases) func rejected(_ c: Case) async throws {
        let engine = ScriptedEngine.answering(["never"])
        try await TestServer.app(engine: engine).test(.router) { client in
            let response = try await client.post("/v1/chat/completions", json: c.body)
            #expect(response.status == c.status)
            #expect(response.headers[.contentType] == "application/json")
            let error = try #require(try response.json()["error"])
            #expect(error["type"] == (c.status == .notFound || c.status == .badRequest ? "invalid_request_error" : error["type"]))
            let message = try #require(error["message"]?.stringValue)
            if c.message.isEmpty {
                #expect(!message.isEmpty)
            } else {
                #expect(message == c.message)
            }
            #expect(error["param"]?.stringValue == c.param)
            #expect(error.objectValue?.keys == ["message", "type", "param", "code"])
            #expect(engine.requests.isEmpty, "a rejected request must not reach the engine")
        }
    }

    @Test func contextOverflowIs400WithTheNumbers() async throws {
        let engine = ScriptedEngine(steps: [.fail(.contextOverflow(promptTokens: 100, maxTokens: 2000, contextSize: 2048))])
        try await TestServer.app(engine: engine).test(.router) { client in
            let response = try await client.post("/v1/chat/completions", json: TestServer.chat(#""max_tokens":2000"#))
            #expect(response.status == .badRequest)
            #expect(
                try response.errorMessage()
                    == "This model's maximum context length is 2048 tokens. However, you requested 2100 tokens (100 in the messages, 2000 in the completion). Please reduce the length of the messages or completion."
            )
            #expect(try response.json()["error"]?["code"] == "context_length_exceeded")
        }
    }

    @Test func unknownRouteIs404InOpenAIShape() async throws {
        try await TestServer.app(engine: .answering([])).test(.router) { client in
            let response = try await client.execute(uri: "/v1/nothing", method: .get)
            #expect(response.status == .notFound)
            #expect(try response.json()["error"]?["type"] == "invalid_request_error")
        }
    }

    @Test func completionsValidatesToo() async throws {
        try await TestServer.app(engine: .answering([])).test(.router) { client in
            let missing = try await client.post("/v1/completions", json: #"{"model":"test-model"}"#)
            #expect(missing.status == .badRequest)
            #expect(try missing.errorParam() == "prompt")
            let unknown = try await client.post("/v1/completions", json: #"{"model":"x","prompt":"Hi"}"#)
            #expect(unknown.status == .notFound)
            let list = try await client.post("/v1/completions", json: #"{"model":"test-model","prompt":["a","b"]}"#)
            #expect(list.status == .badRequest)
            #expect(try list.errorMessage()?.contains("a list of 2 prompts is not supported") == true)
        }
    }
}
