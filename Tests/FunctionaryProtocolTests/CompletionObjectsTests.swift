import FunctionaryProtocol
import Testing

/// The shared OpenAI objects: OpenAI's exact shape when written, lenient reading of other servers' answers.
@Suite struct CompletionObjectsTests {
    @Test func encoderKeepsKeyOrderNullsAndNumbers() throws {
        struct Sample: Encodable {
            var b = 2
            var a: String? = nil
            var list = [1.5, -0.25]
            var nested = ["k": true]
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: NameKey.self)
                try c.encode(b, forKey: NameKey("b"))
                try c.encode(a, forKey: NameKey("a"))
                try c.encode(list, forKey: NameKey("list"))
                try c.encode(nested, forKey: NameKey("nested"))
                try c.encode(JSONValue.array([.null, "x"]), forKey: NameKey("raw"))
            }
        }
        let json = try JSONValueEncoder().encode(Sample())
        #expect(json.compactJSON() == #"{"b":2,"a":null,"list":[1.5,-0.25],"nested":{"k":true},"raw":[null,"x"]}"#)
        #expect(throws: EncodingError.self) { try JSONValueEncoder().encode([Double.infinity]) }
    }

    @Test func chunkShapes() throws {
        var chunk = ChatCompletionChunk(
            id: "chatcmpl-1", created: 7, model: "m",
            choices: [
                .init(
                    index: 0,
                    delta: .init(
                        role: "assistant", contentIsNull: true,
                        toolCalls: [
                            .init(index: 0, id: "call_1", type: "function", function: .init(name: "f", arguments: ""))
                        ]))
            ], writesNullUsage: true)
        #expect(
            chunk.encodedJSON.compactJSON()
                == #"{"id":"chatcmpl-1","object":"chat.completion.chunk","created":7,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":""}}]},"logprobs":null,"finish_reason":null}],"usage":null}"#
        )
        // Written and read back: the same object.
        chunk.choices[0].logprobs = ChatLogprobs([
            TokenLogprobs(token: TokenLogprob(bytes: [0xE4, 0xBD], logprob: -.infinity), top: [TokenLogprob(bytes: [0x61], logprob: -0.5)])
        ])
        let back = try JSONValueDecoder().decode(ChatCompletionChunk.self, from: chunk.encodedJSON)
        #expect(back == chunk)
        #expect(back.choices[0].logprobs?.content?.first?.logprob == LogprobsJSON.floor)
        #expect(back.choices[0].logprobs?.content?.first?.entry.token.bytes == [0xE4, 0xBD])
    }

    @Test func readsOtherServersLeniently() throws {
        // No id, created, object or index; content as a list of parts; a usage with a negative and a huge count.
        let text =
            #"{"choices":[{"delta":{"content":[{"type":"text","text":"hi"}],"tool_calls":[{"function":{"arguments":"{}"}}]}}],"usage":{"prompt_tokens":-3,"completion_tokens":4,"total_tokens":1e30}}"#
        let chunk = try JSONValueDecoder().decode(ChatCompletionChunk.self, from: text)
        #expect(chunk.choices.first?.index == 0)
        #expect(chunk.choices.first?.delta.content == nil)
        #expect(chunk.choices.first?.delta.toolCalls?.first?.index == nil)
        #expect(chunk.usage == CompletionUsage(promptTokens: nil, completionTokens: 4, totalTokens: nil))
        // A whole chat.completion's message reads as one delta.
        let whole =
            #"{"choices":[{"message":{"role":"assistant","content":null,"tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]},"finish_reason":"tool_calls"}]}"#
        let completion = try JSONValueDecoder().decode(ChatCompletionChunk.self, from: whole)
        #expect(completion.choices[0].delta.toolCalls?.first?.function?.name == "f")
        #expect(completion.choices[0].finishReason == "tool_calls")
    }

    @Test func completionAndTextCompletionShapes() throws {
        let usage = CompletionUsage(GenerationUsage(promptTokens: Int.max, completionTokens: 2, cachedPromptTokens: 1))
        #expect(usage.totalTokens == Int.max)
        let completion = ChatCompletion(
            id: "c", created: 1, model: "m",
            choices: [.init(index: 0, message: ChatMessage(role: "assistant", content: "ok"), finishReason: "stop")],
            usage: CompletionUsage(GenerationUsage(promptTokens: 3, completionTokens: 2)))
        #expect(
            completion.encodedJSON.compactJSON()
                == #"{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5,"prompt_tokens_details":{"cached_tokens":0}}}"#
        )
        #expect(try JSONValueDecoder().decode(ChatCompletion.self, from: completion.encodedJSON) == completion)

        var builder = LegacyLogprobsBuilder()
        let logprobs = builder.logprobs(for: [
            TokenLogprobs(
                token: TokenLogprob(bytes: Array("ab".utf8), logprob: -0.1),
                top: [TokenLogprob(bytes: Array("ab".utf8), logprob: -0.1), TokenLogprob(bytes: Array("x".utf8), logprob: -3)])
        ])
        let text = TextCompletion(id: "t", created: 1, model: "m", choices: [.init(index: 0, text: "ab", logprobs: logprobs)])
        #expect(
            text.encodedJSON.compactJSON()
                == #"{"id":"t","object":"text_completion","created":1,"model":"m","choices":[{"index":0,"text":"ab","logprobs":{"tokens":["ab"],"token_logprobs":[-0.1],"top_logprobs":[{"ab":-0.1,"x":-3.0}],"text_offset":[0]},"finish_reason":null}]}"#
        )
        let back = try JSONValueDecoder().decode(TextCompletion.self, from: text.encodedJSON)
        #expect(back == text)
        #expect(back.choices[0].logprobs?.topLogprobs[0].map(\.text) == ["ab", "x"])
    }

    /// Speculation's counts: `completion_tokens_details` with accepted and rejected drafted tokens, only where the
    /// engine drafted something; read back from another server as drafted = accepted + rejected.
    @Test func usageCountsDraftedTokens() throws {
        var engine = GenerationUsage(promptTokens: 10, completionTokens: 20)
        engine.draftedTokens = 12
        engine.acceptedDraftTokens = 9
        let usage = CompletionUsage(engine)
        #expect(
            usage.encodedJSON.compactJSON()
                == #"{"prompt_tokens":10,"completion_tokens":20,"total_tokens":30,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"accepted_prediction_tokens":9,"rejected_prediction_tokens":3}}"#
        )
        let back = try JSONValueDecoder().decode(CompletionUsage.self, from: usage.encodedJSON)
        #expect(back == usage)
        #expect(back.generationUsage.draftedTokens == 12 && back.generationUsage.acceptedDraftTokens == 9)
        // Nothing drafted: no details. A hostile count reads as absent.
        #expect(
            !CompletionUsage(GenerationUsage(promptTokens: 1, completionTokens: 1)).encodedJSON.compactJSON().contains("completion_tokens_details"))
        let hostile = try JSONValueDecoder().decode(
            CompletionUsage.self, from: #"{"completion_tokens_details":{"accepted_prediction_tokens":-5,"rejected_prediction_tokens":1e300}}"#)
        #expect(hostile.acceptedPredictionTokens == nil && hostile.rejectedPredictionTokens == nil)
        #expect(hostile.generationUsage.draftedTokens == 0)
    }
}

private struct NameKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
