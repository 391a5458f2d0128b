import Foundation
import FunctionaryProtocol
import HTTPTestSupport
import Testing

@testable import FunctionaryAgent

/// An OpenAI-style stream: text, then two tool calls whose arguments arrive in pieces, usage, [DONE].
let sampleStream = [
    #"data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}"#,
    #"data: {"choices":[{"index":0,"delta":{"content":"Let me check 天气"},"finish_reason":null}]}"#,
    #"data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"get_current_weather","arguments":""}}]}}]}"#,
    #"data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"location\": "}}]}}]}"#,
    #"data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_b","type":"function","function":{"name":"get_current_weather","arguments":"{\"location\""}}]}}]}"#,
    #"data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"Santa Cruz, CA\"}"}}]}}]}"#,
    #"data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":": \"Seattle, WA\"}"}}]}}]}"#,
    #"data: {"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}"#,
    #"data: {"choices":[],"usage":{"prompt_tokens":120,"completion_tokens":30,"total_tokens":150,"prompt_tokens_details":{"cached_tokens":100}}}"#,
    "data: [DONE]",
].map { $0 + "\n\n" }.joined()

func assemble(_ bytes: [UInt8], splitAt cuts: [Int]) throws -> (AssistantTurn, [TurnEvent]) {
    var decoder = ServerSentEventDecoder()
    var assembler = ChatChunkAssembler()
    var events: [TurnEvent] = []
    var start = 0
    for cut in cuts + [bytes.count] {
        for event in try decoder.feed(bytes[start..<cut]) { events += try assembler.consume(event) }
        start = cut
    }
    for event in decoder.finish() { events += try assembler.consume(event) }
    return (assembler.turn(), events)
}

@Suite("SSE parsing and HTTP backend")
struct HTTPBackendTests {
    @Test("tool call deltas are reassembled by index, at every split of the byte stream")
    func reassembly() throws {
        let bytes = Array(sampleStream.utf8)
        let (whole, wholeEvents) = try assemble(bytes, splitAt: [])
        let calls = try #require(whole.message.toolCalls)
        #expect(whole.message.text == "Let me check 天气")
        #expect(calls.map(\.id) == ["call_a", "call_b"])
        #expect(calls.map(\.function.arguments) == [#"{"location": "Santa Cruz, CA"}"#, #"{"location": "Seattle, WA"}"#])
        #expect(whole.finishReason == "tool_calls")
        #expect(whole.usage == GenerationUsage(promptTokens: 120, completionTokens: 30, cachedPromptTokens: 100))
        #expect(wholeEvents.first == .text("Let me check 天气"))
        #expect(wholeEvents[1] == .toolCallStart(index: 0, id: "call_a", name: "get_current_weather"))
        for cut in 1..<bytes.count {
            let (turn, events) = try assemble(bytes, splitAt: [cut])
            #expect(turn == whole, "split at \(cut)")
            #expect(events == wholeEvents, "split at \(cut)")
        }
    }

    @Test("CRLF and CR line endings, comments, multi-line data, event names, a last event without a blank line")
    func sseDetails() throws {
        var decoder = ServerSentEventDecoder()
        var events = try decoder.feed(Array(": keep-alive\r\nevent: message\r\ndata: a\r\ndata:b\r\n\r\ndata: c\r\rdata: d".utf8))
        events += decoder.finish()
        #expect(events == [ServerSentEvent(event: "message", data: "a\nb"), ServerSentEvent(data: "c"), ServerSentEvent(data: "d")])
    }

    @Test("an error event and a non-JSON event are errors naming the problem")
    func streamErrors() {
        var assembler = ChatChunkAssembler()
        #expect {
            try assembler.consume(ServerSentEvent(data: #"{"error": {"message": "context length exceeded", "type": "invalid_request_error"}}"#))
        } throws: { error in
            (error as? AgentError)?.message == "The server reported an error during the stream: context length exceeded"
        }
        #expect {
            try assembler.consume(ServerSentEvent(data: "<html>"))
        } throws: { error in
            (error as? AgentError)?.code == .invalidResponse
        }
    }

    @Test("a server that sends no index: calls are told apart by id")
    func noIndex() throws {
        var assembler = ChatChunkAssembler()
        let chunks = [
            #"{"choices":[{"index":0,"delta":{"tool_calls":[{"id":"x","function":{"name":"a","arguments":"{}"}}]}}]}"#,
            #"{"choices":[{"index":0,"delta":{"tool_calls":[{"id":"y","function":{"name":"b","arguments":"{\"k\""}}]}}]}"#,
            #"{"choices":[{"index":0,"delta":{"tool_calls":[{"function":{"arguments":":1}"}}]}}]}"#,
        ]
        for chunk in chunks { _ = try assembler.consume(ServerSentEvent(data: chunk)) }
        let calls = assembler.turn().toolCalls
        #expect(calls.map(\.function.name) == ["a", "b"])
        #expect(calls.map(\.function.arguments) == ["{}", #"{"k":1}"#])
    }

    @Test("endpoint URLs")
    func endpoints() throws {
        #expect(try HTTPBackend.endpoint("http://127.0.0.1:8000/v1", "chat/completions") == "http://127.0.0.1:8000/v1/chat/completions")
        #expect(try HTTPBackend.endpoint("http://127.0.0.1:8000/v1/", "chat/completions") == "http://127.0.0.1:8000/v1/chat/completions")
        #expect(try HTTPBackend.endpoint("http://127.0.0.1:8000", "chat/completions") == "http://127.0.0.1:8000/v1/chat/completions")
        #expect(try HTTPBackend.endpoint("https://api.example.com/openai/v1", "models") == "https://api.example.com/openai/v1/models")
        #expect(
            try HTTPBackend.endpoint("http://h:1/v1/chat/completions", "chat/completions") == "http://h:1/v1/chat/completions")
        #expect(throws: AgentError.self) { try HTTPBackend.endpoint("localhost:8000", "models") }
    }

    @Test("the request body: streaming with usage, tools as OpenAI spells them, tool_choice, sampling")
    func requestBody() {
        let backend = HTTPBackend(url: "http://x/v1", model: "m", extraBody: ["top_k": 1])
        let tools = [Tool(function: FunctionDefinition(name: "f", parameters: ["type": "object"])), Tool.codeInterpreter]
        let request = TurnRequest(
            messages: [ChatMessage(role: "user", content: "hi")], tools: tools, toolChoice: .function("f"), parallelToolCalls: false,
            sampling: SamplingOptions(temperature: 0, maxTokens: 64, seed: 7))
        #expect(
            backend.requestBody(request).compactJSON()
                == #"{"model":"m","messages":[{"role":"user","content":"hi"}],"stream":true,"stream_options":{"include_usage":true},"#
                + #""tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}},{"type":"code_interpreter"}],"#
                + #""tool_choice":{"type":"function","function":{"name":"f"}},"parallel_tool_calls":false,"temperature":0.0,"#
                + #""max_tokens":64,"seed":7,"top_k":1}"#)
    }

    @Test("a streamed turn over real HTTP, with the API key sent")
    func streamedTurn() async throws {
        let pieces =
            [TinyHTTPServer.head()]
            + stride(from: 0, to: sampleStream.utf8.count, by: 37).map { offset in
                let bytes = Array(sampleStream.utf8)
                return TinyHTTPServer.Piece(bytes: Array(bytes[offset..<min(offset + 37, bytes.count)]), pauseBefore: 0.002)
            }
        let server = try TinyHTTPServer { _ in pieces }
        defer { server.stop() }
        let backend = HTTPBackend(url: server.url, model: "test-model", apiKey: "sk-local")
        let log = TurnLog()
        let turn = try await backend.respond(to: TurnRequest(messages: [ChatMessage(role: "user", content: "weather?")])) {
            log.append($0)
        }
        #expect(turn.toolCalls.map(\.function.arguments) == [#"{"location": "Santa Cruz, CA"}"#, #"{"location": "Seattle, WA"}"#])
        #expect(turn.message.text == "Let me check 天气")
        #expect(log.events.first == .text("Let me check 天气"))
        let request = try #require(server.requests.first)
        #expect(request.hasPrefix("POST /v1/chat/completions HTTP/1.1"))
        #expect(request.lowercased().contains("authorization: bearer sk-local"))
        #expect(request.contains(#""model":"test-model""#))
    }

    @Test("a non-200 answer is an error with the server's own message")
    func statusError() async throws {
        let body = #"{"error": {"message": "Invalid API key", "type": "invalid_request_error", "param": null, "code": "invalid_api_key"}}"#
        let server = try TinyHTTPServer { _ in
            [
                TinyHTTPServer.head(status: "401 Unauthorized", contentType: "application/json", length: body.utf8.count),
                .init(bytes: Array(body.utf8)),
            ]
        }
        defer { server.stop() }
        let backend = HTTPBackend(url: server.url, model: "m", apiKey: "wrong")
        await #expect {
            try await backend.respond(to: TurnRequest(messages: [ChatMessage(role: "user", content: "hi")])) { _ in }
        } throws: { error in
            guard let error = error as? AgentError else { return false }
            return error.code == .httpStatus && error.status == 401
                && error.message == "The server at \(server.url)/chat/completions answered 401 Unauthorized: Invalid API key"
        }
    }

    @Test("a server that stops sending is given up after the idle timeout")
    func idleTimeout() async throws {
        let server = try TinyHTTPServer { _ in
            [
                TinyHTTPServer.head(), TinyHTTPServer.piece("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\n"),
                TinyHTTPServer.piece("data: [DONE]\n\n", pause: 4),
            ]
        }
        defer { server.stop() }
        let backend = HTTPBackend(url: server.url, model: "m", idleTimeout: .seconds(1))
        let start = ContinuousClock.now
        await #expect {
            try await backend.respond(to: TurnRequest(messages: [ChatMessage(role: "user", content: "hi")])) { _ in }
        } throws: { error in
            (error as? AgentError)?.code == .timeout
        }
        #expect(ContinuousClock.now - start < .seconds(3.5))
    }

    @Test("an unreachable server is a clear error")
    func unreachable() async throws {
        let server = try TinyHTTPServer { _ in [] }
        let url = server.url
        server.stop()  // the port is now closed
        let backend = HTTPBackend(url: url, model: "m")
        await #expect {
            try await backend.respond(to: TurnRequest(messages: [ChatMessage(role: "user", content: "hi")])) { _ in }
        } throws: { error in
            guard let error = error as? AgentError else { return false }
            return error.code == .backend && error.message.hasPrefix("Could not reach \(url)/chat/completions")
        }
    }

    @Test("a conversation over HTTP runs the tools and sends their results")
    func conversationOverHTTP() async throws {
        let answer = [
            #"data: {"choices":[{"index":0,"delta":{"role":"assistant","content":"Santa Cruz is warmer."},"finish_reason":null}]}"#,
            #"data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#, "data: [DONE]",
        ].map { $0 + "\n\n" }.joined()
        let server = try TinyHTTPServer { request in
            [TinyHTTPServer.head(), TinyHTTPServer.piece(request.contains(#""role":"tool""#) ? answer : sampleStream)]
        }
        defer { server.stop() }
        let conversation = Conversation(backend: HTTPBackend(url: server.url, model: "m"), tools: DemoTools.all())
        #expect(try await conversation.send("What's the weather like in Santa Cruz, CA compared to Seattle, WA?") == .answered)
        let second = try #require(server.requests.last)
        #expect(second.contains(#""tool_call_id":"call_a""#))
        #expect(second.contains(#"\"forecast\": \"foggy\""#))
        #expect(await conversation.messages.last?.text == "Santa Cruz is warmer.")
    }
}

final class TurnLog: @unchecked Sendable {
    // @unchecked Sendable: `items` is only touched under `lock`.
    private let lock = NSLock()
    private var items: [TurnEvent] = []

    func append(_ event: TurnEvent) {
        lock.lock()
        items.append(event)
        lock.unlock()
    }

    var events: [TurnEvent] {
        lock.lock()
        defer { lock.unlock() }
        return items
    }
}
