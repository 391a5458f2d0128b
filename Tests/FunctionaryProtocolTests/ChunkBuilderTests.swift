import Testing

@testable import FunctionaryProtocol

@Suite struct ChunkBuilderTests {
    /// Streams deltas through a `ChatCompletionChunkStream` and returns the chunks' `choices[0]` objects.
    func choices(
        _ version: TemplateVersion, _ deltas: [String], choice: ToolChoice = .auto, legacy: Bool = false,
        engine: FinishReason = .stop
    ) -> [JSONValue] {
        var stream = ChatCompletionChunkStream(
            template: version.template, toolChoice: choice, legacyFunctions: legacy, id: "chatcmpl-test", model: "m",
            created: 1_700_000_000)
        var chunks: [JSONValue] = []
        for delta in deltas { chunks += stream.feed(delta) }
        chunks += stream.finish(engine)
        for chunk in chunks {
            #expect(chunk["id"] == "chatcmpl-test")
            #expect(chunk["object"] == "chat.completion.chunk")
            #expect(chunk["created"] == 1_700_000_000)
            #expect(chunk["model"] == "m")
            #expect(chunk["usage"] == nil)
            #expect(chunk["choices"]?.arrayValue?.count == 1)
        }
        let result = chunks.compactMap { $0["choices"]?.arrayValue?.first }
        checkInvariants(result)
        return result
    }

    /// The invariants of the reference's streaming checker (§7.3/§7.4): role only in the first chunk, finish_reason
    /// only in the last, every other chunk carries exactly one of content / tool_calls / function_call.
    func checkInvariants(_ choices: [JSONValue]) {
        for (i, choice) in choices.enumerated() {
            let delta = choice["delta"]?.objectValue ?? JSONObject()
            #expect(choice["index"] == 0)
            #expect((delta["role"] == "assistant") == (i == 0), "chunk \(i): \(choice.compactJSON())")
            let isLast = i == choices.count - 1
            #expect((choice["finish_reason"] != .null) == isLast, "chunk \(i)")
            let kinds = ["content", "tool_calls", "function_call"].filter { delta[$0] != nil && delta[$0] != .null }
            #expect(kinds.count == (isLast ? 0 : 1), "chunk \(i): \(choice.compactJSON())")
        }
    }

    func deltas(_ choices: [JSONValue]) -> [String] {
        choices.map { ($0["delta"] ?? .null).compactJSON() }
    }

    /// The twelve request-handling cases of every template, streamed as chunks at every two-piece split and one
    /// delta per scalar: the chunk invariants hold and the last chunk carries the case's finish_reason, the same
    /// as the non-streaming answer's (legacy functions included: `function_call`, not the reference's §9.7).
    @Test(arguments: TemplateVersion.allCases)
    func requestHandlingCasesFinishAsNonStreaming(_ version: TemplateVersion) {
        for (caseVersion, expected, raw) in RequestHandlingCases.all where caseVersion == version {
            for deltas in twoPieceSplits(raw) + [scalarDeltas(raw)] {
                let result = choices(version, deltas, choice: expected.choice, legacy: expected.legacyFunctions)
                #expect(
                    result.last?["finish_reason"] == .string(expected.finish.rawValue),
                    "\(version) \(expected) \(deltas.map(\.debugDescription))")
            }
        }
    }

    @Test func textOnly() {
        let result = choices(.qwen25, ["Normal", " text", " generation"])
        #expect(
            deltas(result) == [
                #"{"role":"assistant","content":""}"#, #"{"content":"Normal"}"#, #"{"content":" text"}"#,
                #"{"content":" generation"}"#, "{}",
            ])
        #expect(result.last?["finish_reason"] == "stop")
        #expect(result.last?["logprobs"] == .null)
    }

    @Test func lengthIsKeptForText() {
        #expect(choices(.v3Llama31, ["Normal text"], engine: .length).last?["finish_reason"] == "length")
    }

    @Test func emptyOutputStillSendsTheRole() {
        let result = choices(.v2Llama3, [""])
        #expect(deltas(result) == [#"{"role":"assistant","content":""}"#, "{}"])
        #expect(result.last?["finish_reason"] == "stop")
    }

    @Test func oneCall() throws {
        let result = choices(.v2, ["get_weather\n<|content|>", "{\"location\":", " \"Istanbul\"}"])
        #expect(result.count == 4)
        let header = try #require(result.first?["delta"])
        #expect(header["role"] == "assistant")
        #expect(header["content"] == .null)
        let call = try #require(header["tool_calls"]?.arrayValue?.first)
        #expect(call["index"] == 0)
        #expect(call["type"] == "function")
        #expect(call["id"]?.stringValue?.hasPrefix("call_") == true)
        #expect(call["function"] == ["name": "get_weather", "arguments": ""])
        #expect(
            deltas(Array(result[1...])) == [
                #"{"tool_calls":[{"index":0,"function":{"arguments":"{\"location\":"}}]}"#,
                #"{"tool_calls":[{"index":0,"function":{"arguments":" \"Istanbul\"}"}}]}"#, "{}",
            ])
        #expect(result.last?["finish_reason"] == "tool_calls")
    }

    @Test func twoParallelCalls() {
        let raw = RequestHandlingCases.raw[.v3Llama31]?[3] ?? ""
        let result = choices(.v3Llama31, scalarDeltas(raw))
        let calls = result.compactMap { $0["delta"]?["tool_calls"]?.arrayValue?.first }
        let headers = calls.filter { $0["id"] != nil }
        #expect(headers.map { $0["index"] } == [0, 1])
        #expect(headers.map { $0["function"]?["name"] } == ["get_weather", "get_weather"])
        #expect(headers[0]["id"] != headers[1]["id"])
        let arguments = (0...1).map { index in
            calls.filter { $0["index"] == .number(JSONNumber(index)) }.compactMap { $0["function"]?["arguments"]?.stringValue }.joined()
        }
        #expect(arguments == ["{\"location\": \"Istanbul\"}", "{\"location\": \"Singapore\"}"])
        #expect(result.last?["finish_reason"] == "tool_calls")
    }

    @Test func textThenCall() {
        let raw = RequestHandlingCases.raw[.qwen25]?[5] ?? ""
        let result = choices(.qwen25, scalarDeltas(raw))
        #expect(result.first?["delta"] == ["role": "assistant", "content": ""])
        let text = result.compactMap { $0["delta"]?["content"]?.stringValue }.joined()
        #expect(text == "Normal text generation")
        let header = result.first { $0["delta"]?["tool_calls"]?.arrayValue?.first?["id"] != nil }
        #expect(header?["delta"]?["role"] == nil)  // only the first chunk has the role
        #expect(result.last?["finish_reason"] == "tool_calls")
    }

    @Test func legacyFunctionsSendTheFirstCallAsFunctionCall() {
        let raw = RequestHandlingCases.raw[.v2Llama3]?[4] ?? ""  // two calls
        let result = choices(.v2Llama3, scalarDeltas(raw), legacy: true)
        let first = result.first?["delta"]
        #expect(first?["role"] == "assistant")
        #expect(first?["function_call"] == ["name": "get_weather", "arguments": ""])
        #expect(result.allSatisfy { $0["delta"]?["tool_calls"] == nil })
        let arguments = result.dropFirst().compactMap { $0["delta"]?["function_call"]?["arguments"]?.stringValue }.joined()
        #expect(arguments == "{\"location\": \"Istanbul\"}")
        #expect(result.dropFirst().allSatisfy { $0["delta"]?["function_call"]?["name"] == nil })
        #expect(result.last?["finish_reason"] == "function_call")
    }

    @Test func parallelToolCallsFalseSendsOnlyTheFirstCall() {
        let raw = RequestHandlingCases.raw[.v3Llama3]?[3] ?? ""  // two calls
        var stream = ChatCompletionChunkStream(
            template: TemplateV3Llama3(), toolChoice: .auto, parallelToolCalls: false, id: "chatcmpl-1", model: "m", created: 0)
        let chunks = scalarDeltas(raw).flatMap { stream.feed($0) } + stream.finish(.stop)
        let calls = chunks.compactMap { $0["choices"]?.arrayValue?.first?["delta"]?["tool_calls"]?.arrayValue?.first }
        #expect(calls.allSatisfy { $0["index"] == 0 })
        #expect(calls.compactMap { $0["function"]?["arguments"]?.stringValue }.joined() == "{\"location\": \"Istanbul\"}")
        #expect(chunks.last?["choices"]?.arrayValue?.first?["finish_reason"] == "tool_calls")
        let message = TemplateV3Llama3().parse(raw, toolChoice: .auto).responseMessage(legacyFunctions: false, parallelToolCalls: false)
        #expect(message.toolCalls?.map(\.function) == [RequestHandlingCases.istanbul])
    }

    @Test func namedToolChoiceEndsWithStop() {
        let raw = RequestHandlingCases.raw[.gemma3]?[7] ?? ""
        let result = choices(.gemma3, [raw], choice: .function("get_weather"))
        #expect(result.first?["delta"]?["tool_calls"]?.arrayValue?.first?["function"]?["name"] == "get_weather")
        #expect(result.last?["finish_reason"] == "stop")
    }

    @Test func usageChunks() {
        var builder = ChatCompletionChunkBuilder(id: "chatcmpl-x", model: "m", created: 5, includeUsage: true)
        let chunks = builder.chunks(for: [.content("Hi")]) + builder.finish(.stop)
        #expect(chunks.count == 3)
        #expect(chunks.allSatisfy { $0["usage"] == .null })
        let usage = builder.usageChunk(GenerationUsage(promptTokens: 10, completionTokens: 3, cachedPromptTokens: 4))
        #expect(
            usage.compactJSON()
                == #"{"id":"chatcmpl-x","object":"chat.completion.chunk","created":5,"model":"m","choices":[],"usage":{"prompt_tokens":10,"completion_tokens":3,"total_tokens":13,"prompt_tokens_details":{"cached_tokens":4}}}"#
        )
        #expect(builder.finish(.stop).isEmpty)
        #expect(builder.chunks(for: [.content("late")]).isEmpty)
    }

    @Test func choiceIndexAndIDs() {
        var builder = ChatCompletionChunkBuilder(id: ChatCompletionChunkBuilder.makeID(), model: "m", created: 0, choiceIndex: 2)
        let chunk = builder.chunks(for: [.toolCallStart(index: 0, id: "call_x", name: "f")]).first
        #expect(chunk?["choices"]?.arrayValue?.first?["index"] == 2)
        #expect(builder.id.hasPrefix("chatcmpl-") && builder.id.count == 38)
        #expect(builder.callCount == 1)
        #expect(builder.finishReason(engine: .stop) == .toolCalls)
        #expect(builder.finishReason(engine: .length) == .length)
    }

    @Test func finishReasonRule() {
        #expect(CompletionFinishReason.resolve(engine: .stop, madeCalls: false, toolChoice: .auto, legacyFunctions: false) == .stop)
        #expect(CompletionFinishReason.resolve(engine: .stop, madeCalls: true, toolChoice: .required, legacyFunctions: false) == .toolCalls)
        // A cut-off output reports `length` even when calls were read (their arguments may be truncated).
        #expect(CompletionFinishReason.resolve(engine: .length, madeCalls: true, toolChoice: .auto, legacyFunctions: false) == .length)
        #expect(CompletionFinishReason.resolve(engine: .stop, madeCalls: true, toolChoice: .auto, legacyFunctions: true) == .functionCall)
        #expect(CompletionFinishReason.resolve(engine: .stop, madeCalls: true, toolChoice: .function("f"), legacyFunctions: false) == .stop)
        #expect(CompletionFinishReason.resolve(engine: .length, madeCalls: true, toolChoice: .function("f"), legacyFunctions: true) == .length)
    }
}
