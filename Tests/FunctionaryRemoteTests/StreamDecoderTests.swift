import FunctionaryProtocol
import Testing

@testable import FunctionaryRemote

/// Recorded streams decode to the right events, however the bytes are split.
@Suite struct StreamDecoderTests {
    struct Decoded: Equatable {
        var events: [GenerationEvent]
        var usage: GenerationUsage
        var done: Bool
    }

    /// Decodes `bytes` delivered as the chunks `bytes[..<split]` and `bytes[split...]`.
    static func decode(_ bytes: [UInt8], kind: RemoteEngineKind, choices: Int = 1, split: Int) throws -> Decoded {
        var sse = ServerSentEventDecoder()
        var decoder = UpstreamStreamDecoder(kind: kind, choices: choices)
        var events: [GenerationEvent] = []
        for chunk in [bytes[..<split], bytes[split...]] {
            for event in try sse.feed(chunk) { events += try decoder.decode(event) }
        }
        for event in sse.finish() { events += try decoder.decode(event) }
        return Decoded(events: events, usage: decoder.usage, done: decoder.isDone)
    }

    /// Every split gives the same result, text pieces joined.
    static func decodeEverySplit(_ path: String, kind: RemoteEngineKind, choices: Int = 1) throws -> Decoded {
        let bytes = Array(try Remote.fixture(path).utf8)
        let reference = try decode(bytes, kind: kind, choices: choices, split: 0)
        for split in 0...bytes.count {
            let decoded = try decode(bytes, kind: kind, choices: choices, split: split)
            #expect(decoded == reference, "split at \(split)")
        }
        return reference
    }

    @Test func vllmToolCallStream() throws {
        let decoded = try Self.decodeEverySplit("vllm/stream-tool-call.sse", kind: .vllm)
        #expect(
            decoded.events == [
                .text(choice: 0, "{\"city\""), .text(choice: 0, ": \"Zü"), .text(choice: 0, "rich\"}"), .text(choice: 0, "</function>"),
                .finished(choice: 0, .stop),
            ])
        #expect(decoded.usage == GenerationUsage(promptTokens: 58, completionTokens: 12, cachedPromptTokens: 48))
        #expect(decoded.done)
    }

    @Test func vllmTwoChoices() throws {
        let decoded = try Self.decodeEverySplit("vllm/stream-n2.sse", kind: .vllm, choices: 2)
        #expect(
            decoded.events == [
                .text(choice: 0, "Hello"), .text(choice: 1, "Hi"), .text(choice: 1, " there"), .finished(choice: 1, .length),
                .text(choice: 0, "!"), .finished(choice: 0, .stop),
            ])
        #expect(decoded.usage == GenerationUsage(promptTokens: 20, completionTokens: 5))
    }

    @Test func vllmErrorInStreamIsAClientError() throws {
        let bytes = Array(try Remote.fixture("vllm/stream-error.sse").utf8)
        let failure = #expect(throws: UpstreamFailure.self) {
            _ = try Self.decode(bytes, kind: .vllm, split: 7)
        }
        #expect(failure?.kind == .streamError(400))
        #expect(failure?.clientErrorStatus == 400)
        #expect(failure?.message.hasPrefix("Grammar compilation failed") == true)
    }

    @Test func sglangTextStream() throws {
        let decoded = try Self.decodeEverySplit("sglang/stream-text.sse", kind: .sglang)
        #expect(
            decoded.events == [
                .text(choice: 0, "all\n"), .text(choice: 0, "It is sunny "), .text(choice: 0, "in Zürich. ☀️"), .finished(choice: 0, .stop),
            ])
        #expect(decoded.usage == GenerationUsage(promptTokens: 40, completionTokens: 11))
        #expect(decoded.done)
    }

    @Test func llamaCppNativeStream() throws {
        let decoded = try Self.decodeEverySplit("llamacpp/stream-text.sse", kind: .llamaCpp)
        #expect(
            decoded.events == [
                .text(choice: 0, "Grüß"), .text(choice: 0, " dich"), .text(choice: 0, "!"), .text(choice: 0, " 😀"), .finished(choice: 0, .stop),
            ])
        // tokens_evaluated, tokens_predicted and timings.cache_n (the prompt-cache hit).
        #expect(decoded.usage == GenerationUsage(promptTokens: 36, completionTokens: 4, cachedPromptTokens: 30))
        #expect(decoded.done)
    }

    @Test func llamaCppStopTypes() throws {
        var decoder = UpstreamStreamDecoder(kind: .llamaCpp, choices: 2)
        let limit = try decoder.decode(.init(data: #"{"index":1,"content":"x","stop":true,"stop_type":"limit","tokens_predicted":7}"#))
        #expect(limit == [.text(choice: 1, "x"), .finished(choice: 1, .length)])
        #expect(!decoder.isDone)
        let word = try decoder.decode(.init(data: #"{"index":0,"content":"","stop":true,"stop_type":"word","tokens_predicted":3}"#))
        #expect(word == [.finished(choice: 0, .stop)])
        #expect(decoder.isDone)
        #expect(decoder.usage.completionTokens == 10)
    }

    /// The request's stop string that ended a choice, where the upstream names it; a template's marker or a token
    /// id is none.
    @Test func matchedStopStrings() throws {
        var llama = UpstreamStreamDecoder(kind: .llamaCpp, choices: 1, stops: ["END"])
        let word = try llama.decode(.init(data: #"{"content":"","stop":true,"stop_type":"word","stopping_word":"END"}"#))
        #expect(word == [.stopSequence(choice: 0, "END"), .finished(choice: 0, .stop)])
        var marker = UpstreamStreamDecoder(kind: .llamaCpp, choices: 1, stops: ["END"])
        let template = try marker.decode(.init(data: #"{"content":"","stop":true,"stop_type":"word","stopping_word":"<end_of_turn>"}"#))
        #expect(template == [.finished(choice: 0, .stop)])
        var vllm = UpstreamStreamDecoder(kind: .vllm, choices: 2, stops: ["END"])
        let events = try vllm.decode(
            .init(
                data:
                    #"{"choices":[{"index":0,"text":"a","finish_reason":"stop","stop_reason":"END"},{"index":1,"text":"","finish_reason":"stop","stop_reason":106}]}"#
            ))
        #expect(events == [.text(choice: 0, "a"), .stopSequence(choice: 0, "END"), .finished(choice: 0, .stop), .finished(choice: 1, .stop)])
        var sglang = UpstreamStreamDecoder(kind: .sglang, choices: 1, stops: ["END"])
        let matched = try sglang.decode(.init(data: #"{"choices":[{"index":0,"text":"","finish_reason":"stop","matched_stop":"END"}]}"#))
        #expect(matched == [.stopSequence(choice: 0, "END"), .finished(choice: 0, .stop)])
    }

    @Test func protocolViolations() {
        var decoder = UpstreamStreamDecoder(kind: .vllm, choices: 1)
        #expect(throws: UpstreamFailure.self) { try decoder.decode(.init(data: "not json")) }
        #expect(throws: UpstreamFailure.self) { try decoder.decode(.init(data: #"{"choices":[{"index":3,"text":"x"}]}"#)) }
        #expect(throws: UpstreamFailure.self) { try decoder.decode(.init(data: #"{"choices":[{"index":0,"text":"","finish_reason":"abort"}]}"#)) }
        #expect(throws: UpstreamFailure.self) { try decoder.decode(.init(data: #"{"object":"error","message":"boom","code":500}"#)) }
    }

    @Test func sseCommentsPingsAndCRLF() throws {
        var sse = ServerSentEventDecoder()
        let text = ": ping\r\n\r\ndata: {\"a\":1}\r\n\r\n:\n\nevent: error\ndata: line1\ndata: line2\n\ndata: tail"
        var events = try sse.feed(Array(text.utf8))
        events += sse.finish()
        #expect(events == [.init(data: "{\"a\":1}"), .init(event: "error", data: "line1\nline2"), .init(data: "tail")])
    }

    @Test func sseLineLimit() {
        var sse = ServerSentEventDecoder(maximumLineBytes: 8)
        #expect(throws: ServerSentEventError.lineTooLong(8)) { try sse.feed(Array("data: 0123456789".utf8)) }
    }
}
