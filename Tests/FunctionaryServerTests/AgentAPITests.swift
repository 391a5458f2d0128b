import FunctionaryProtocol
import FunctionaryServer
import Hummingbird
import HummingbirdTesting
import Testing

/// The Responses and Messages APIs over a scripted engine: mapping onto the chat request, the store, framing, errors.
@Suite("responses and messages APIs")
struct AgentAPITests {
    static let responsesTool =
        #"{"type":"function","name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}"#

    @Test func responseCallAndChainedPrompt() async throws {
        let engine = ScriptedEngine.answering(["<call>get_weather", #"{"city": "Paris"}"#, "</call>"], prompt: 12)
        try await TestServer.app(engine: engine).test(.router) { client in
            let first = try await client.post(
                "/v1/responses",
                json: #"{"model":"test-model","input":"Weather in Paris?","instructions":"Be brief.","tools":[\#(Self.responsesTool)]}"#)
            #expect(first.status == .ok)
            let json = try first.json()
            #expect(json["object"] == "response")
            #expect(json["status"] == "completed")
            let call = try #require(json["output"]?.arrayValue?.first)
            #expect(call["type"] == "function_call")
            #expect(call["name"] == "get_weather")
            #expect(call["arguments"] == #"{"city": "Paris"}"#)
            let id = try #require(json["id"]?.stringValue)
            let callID = try #require(call["call_id"]?.stringValue)
            let second = try await client.post(
                "/v1/responses",
                json:
                    #"{"model":"test-model","previous_response_id":"\#(id)","input":[{"type":"function_call_output","call_id":"\#(callID)","output":"sunny"}],"tools":[\#(Self.responsesTool)]}"#
            )
            #expect(second.status == .ok)
            // The chained prompt holds the first turn (without its instructions) and the tool result.
            let prompt = try #require(engine.requests.last?.prompt)
            #expect(prompt == "tools: get_weather\nuser: Weather in Paris?\nassistant: \ntool: sunny\nassistant: ")
            #expect(engine.requests.first?.prompt.hasPrefix("tools: get_weather\nsystem: Be brief.\n") == true)
        }
    }

    @Test func storeEvictsOldestAndAnswers404() async throws {
        let engine = ScriptedEngine.answering(["Hi"], prompt: 3)
        try await TestServer.app(engine: engine, { $0.responsesStoreEntries = 2 }).test(.router) { client in
            var ids: [String] = []
            for _ in 0..<3 {
                let response = try await client.post("/v1/responses", json: #"{"model":"test-model","input":"Hello"}"#)
                ids.append(try #require(try response.json()["id"]?.stringValue))
            }
            #expect(try await client.execute(uri: "/v1/responses/\(ids[0])", method: .get).status == .notFound)
            #expect(try await client.execute(uri: "/v1/responses/\(ids[2])", method: .get).status == .ok)
            let items = try await client.execute(uri: "/v1/responses/\(ids[1])/input_items", method: .get)
            #expect(try items.json()["data"]?.arrayValue?.first?["content"]?.arrayValue?.first?["text"] == "Hello")
            #expect(try await client.execute(uri: "/v1/responses/\(ids[1])", method: .delete).status == .ok)
            #expect(try await client.execute(uri: "/v1/responses/\(ids[1])", method: .get).status == .notFound)
            let negative = try await client.post("/v1/responses", json: #"{"model":"test-model","input":"x","max_output_tokens":-5}"#)
            #expect(negative.status == .badRequest)
            #expect(try negative.errorParam() == "max_output_tokens")
            #expect(try negative.errorMessage()?.contains("'max_output_tokens'") == true)
            let missing = try await client.post("/v1/responses", json: #"{"model":"test-model","input":"x","previous_response_id":"resp_gone"}"#)
            #expect(missing.status == .notFound)
            #expect(try missing.errorMessage()?.contains("resp_gone") == true)
        }
    }

    @Test func responsesStreamIsNamedEvents() async throws {
        let engine = ScriptedEngine.answering(["Hel", "lo"], prompt: 3)
        try await TestServer.app(engine: engine).test(.router) { client in
            let response = try await client.post("/v1/responses", json: #"{"model":"test-model","input":"Hi","stream":true}"#)
            let blocks = response.text.components(separatedBy: "\n\n").filter { !$0.isEmpty }
            let names = blocks.map { $0.split(separator: "\n")[0] }
            #expect(names.first == "event: response.created")
            #expect(names.last == "event: response.completed")
            #expect(!response.text.contains("[DONE]"))
            let deltas = try blocks.filter { $0.hasPrefix("event: response.output_text.delta") }.map {
                try JSONValue(parsing: String($0.split(separator: "\n")[1].dropFirst(6)))["delta"]?.stringValue ?? ""
            }
            #expect(deltas.joined() == "Hello")
        }
    }

    @Test func messagesMapToolResultsAndErrors() async throws {
        let engine = ScriptedEngine.answering(["Done"], prompt: 5)
        try await TestServer.app(engine: engine).test(.router) { client in
            let body = #"""
                {"model":"test-model","max_tokens":16,"system":[{"type":"text","text":"Sys"}],
                 "tools":[{"name":"get_weather","input_schema":{"type":"object","properties":{}}}],
                 "messages":[{"role":"user","content":"Weather?"},
                  {"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Paris"}}]},
                  {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"down","is_error":true},{"type":"text","text":"And?"}]}]}
                """#
            let response = try await client.post("/v1/messages", json: body)
            #expect(response.status == .ok)
            let json = try response.json()
            #expect(json["type"] == "message")
            #expect(json["stop_reason"] == "end_turn")
            #expect(json["content"]?.arrayValue?.first?["text"] == "Done")
            #expect(
                engine.requests.last?.prompt
                    == "tools: get_weather\nsystem: Sys\nuser: Weather?\nassistant: \ntool: Error: down\nuser: And?\nassistant: ")
            let missing = try await client.post("/v1/messages", json: #"{"model":"test-model","messages":[{"role":"user","content":"x"}]}"#)
            #expect(missing.status == .badRequest)
            #expect(try missing.json()["type"] == "error")
            #expect(try missing.json()["error"]?["type"] == "invalid_request_error")
            #expect(try missing.json()["error"]?["message"]?.stringValue?.contains("max_tokens") == true)
        }
    }
}
