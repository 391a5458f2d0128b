import FunctionaryProtocol
import Testing

@testable import FunctionaryRemote

/// The request body each dialect gets for the same generation request equals the recorded fixture.
@Suite struct RequestDialectTests {
    static let prompt =
        "<|start_header_id|>system<|end_header_id|>\n\nYou are a helpful assistant.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\n"
        + "What is the weather in Zürich?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n<function=get_weather>"
    static let grammar = #"root ::= "{\"city\": \"" [A-Za-zü ]+ "\"}" "</function>""#

    /// A greedy request constrained by a grammar, as the server sends a named tool_choice.
    static func constrained() -> GenerationRequest {
        var sampling = SamplingParameters()
        sampling.temperature = 0
        sampling.seed = 42
        sampling.maxTokens = 256
        sampling.stop = ["\n\nObservation:", "<|eot_id|>"]
        return GenerationRequest(
            prompt: prompt, sampling: sampling, n: 1, constraint: OutputConstraint(grammar: grammar),
            templateStops: ["<|eot_id|>", "<|eom_id|>"])
    }

    static func body(_ profile: UpstreamProfile, _ request: GenerationRequest) throws -> JSONValue {
        let grammar = try request.constraint.map { try ConstraintGrammar.render($0).grammar }
        return CompletionRequestBuilder(profile: profile).body(for: request, grammar: grammar, maxTokens: request.sampling.maxTokens)
    }

    static func expectFixture(_ path: String, _ body: JSONValue) throws {
        let expected = try JSONValue(parsing: try Remote.fixture(path))
        #expect(body == expected, "\(path):\nexpected \(expected.compactJSON())\n     got \(body.compactJSON())")
    }

    @Test func vllmStructuredOutputs() throws {
        let profile = UpstreamProfile(kind: .vllm, model: "meetkai/functionary-medium-v3.1", grammarField: .structuredOutputs)
        try Self.expectFixture("vllm/request-structured-outputs.json", try Self.body(profile, Self.constrained()))
    }

    @Test func vllmGuidedGrammar() throws {
        let profile = UpstreamProfile(kind: .vllm, model: "meetkai/functionary-medium-v3.1", grammarField: .guidedGrammar)
        try Self.expectFixture("vllm/request-guided-grammar.json", try Self.body(profile, Self.constrained()))
    }

    @Test func vllmSamplingWithoutLimit() throws {
        var request = Self.constrained()
        request.constraint = nil
        request.n = 2
        request.sampling.seed = nil
        request.sampling.maxTokens = nil
        request.sampling.temperature = 0.6
        request.sampling.topP = 0.9
        request.sampling.topK = 40
        request.sampling.minP = 0.05
        request.sampling.repetitionPenalty = 1.1
        let profile = UpstreamProfile(kind: .vllm, model: "meetkai/functionary-medium-v3.1")
        try Self.expectFixture("vllm/request-sampling.json", try Self.body(profile, request))
    }

    @Test func sglangEBNF() throws {
        let profile = UpstreamProfile(kind: .sglang, model: "meetkai/functionary-small-v3.2")
        try Self.expectFixture("sglang/request-ebnf.json", try Self.body(profile, Self.constrained()))
    }

    @Test func llamaCppNativeCompletion() throws {
        let profile = UpstreamProfile(kind: .llamaCpp, model: "gemma-3-270m-q4_k_m.gguf", slots: 4)
        try Self.expectFixture("llamacpp/request-grammar.json", try Self.body(profile, Self.constrained()))
    }

    @Test func openAIPlain() throws {
        var request = Self.constrained()
        request.constraint = nil
        let profile = UpstreamProfile(kind: .openai, model: "gpt-3.5-turbo-instruct")
        try Self.expectFixture("openai/request-plain.json", try Self.body(profile, request))
    }

    @Test func endpointsAndPaths() throws {
        #expect(UpstreamProfile(kind: .llamaCpp).completionPath == "/completion")
        #expect(UpstreamProfile(kind: .vllm).completionPath == "/v1/completions")
        #expect(UpstreamProfile(kind: .sglang).healthPath == "/health")
        #expect(UpstreamProfile(kind: .openai).healthPath == "/v1/models")
        for url in ["http://gpu-1:8000/v1", "http://gpu-1:8000/v1/", "http://gpu-1:8000", " http://gpu-1:8000/ "] {
            #expect(try UpstreamEndpoint(url: url).root == "http://gpu-1:8000")
        }
        #expect(try UpstreamEndpoint(url: "https://host/prefix/v1").root == "https://host/prefix")
        #expect(throws: RemoteEngineError.self) { try UpstreamEndpoint(url: "gpu-1:8000") }
        #expect(throws: RemoteEngineError.self) { try UpstreamEndpoint(url: "ftp://gpu-1") }
        #expect(throws: RemoteEngineError.self) { try UpstreamEndpoint(url: "http://") }
        #expect(throws: RemoteEngineError.self) { try RemoteEnginePool.parse(["http://a:1", "http://a:1/v1"]) }
        #expect(throws: RemoteEngineError.self) { try RemoteEnginePool.parse([]) }
    }

    @Test func kindsAndGrammarFields() throws {
        #expect(try RemoteEngineKind(flag: "llama.cpp") == .llamaCpp)
        #expect(try RemoteEngineKind(flag: "LLAMACPP") == .llamaCpp)
        #expect(try RemoteEngineKind(flag: "vllm") == .vllm)
        #expect(throws: RemoteEngineError.self) { try RemoteEngineKind(flag: "tgi") }
        #expect(VLLMGrammarField.forVersion("0.6.3") == .guidedGrammar)
        #expect(VLLMGrammarField.forVersion("0.10.1.1") == .guidedGrammar)
        #expect(VLLMGrammarField.forVersion("0.10.2") == .structuredOutputs)
        #expect(VLLMGrammarField.forVersion("0.11.0rc2.dev5+g1234") == .structuredOutputs)
        #expect(VLLMGrammarField.forVersion("0.12.0") == .structuredOutputs)
        #expect(VLLMGrammarField.forVersion("1.0.0") == .structuredOutputs)
        #expect(VLLMGrammarField.forVersion("unknown") == .structuredOutputs)
        #expect(throws: RemoteEngineError.self) { try VLLMGrammarField(flag: "grammar") }
    }

    @Test func stopsAreTemplateStopsThenUserStopsWithoutRepeats() {
        let request = Self.constrained()
        #expect(CompletionRequestBuilder.stops(for: request) == ["<|eot_id|>", "<|eom_id|>", "\n\nObservation:"])
    }
}

/// `logprobs` and `logit_bias` in each dialect.
@Suite struct LogprobsDialectTests {
    static func request() -> GenerationRequest {
        var request = RequestDialectTests.constrained()
        request.constraint = nil
        request.sampling.logprobs = 2
        request.sampling.logitBias = [15043: -100, 9: 5]
        return request
    }

    @Test func vllm() throws {
        let profile = UpstreamProfile(kind: .vllm, model: "meetkai/functionary-medium-v3.1")
        try RequestDialectTests.expectFixture("vllm/request-logprobs.json", try RequestDialectTests.body(profile, Self.request()))
    }

    @Test func llamaCppAsksForOneAlternativeAtLeast() throws {
        var request = Self.request()
        request.sampling.logprobs = 0
        try RequestDialectTests.expectFixture(
            "llamacpp/request-logprobs.json", try RequestDialectTests.body(UpstreamProfile(kind: .llamaCpp), request))
    }

    @Test func vllmStreamMapsBack() throws {
        var decoder = UpstreamStreamDecoder(kind: .vllm, choices: 1, topLogprobs: 2)
        var sse = ServerSentEventDecoder()
        var events: [GenerationEvent] = []
        for event in try sse.feed(Array(try Remote.fixture("vllm/stream-logprobs.sse").utf8)[...]) { events += try decoder.decode(event) }
        func token(_ text: String, _ logprob: Double) -> TokenLogprob { TokenLogprob(bytes: Array(text.utf8), logprob: logprob) }
        #expect(
            events == [
                .logprobs(choice: 0, [TokenLogprobs(token: token("海", -0.25), top: [token("海", -0.25), token("大", -1.5)])]),
                .text(choice: 0, "海"),
                .logprobs(choice: 0, [TokenLogprobs(token: token(" is", -0.5), top: [token(" is", -0.5), token(" was", -1.0)])]),
                .text(choice: 0, " is"), .finished(choice: 0, .length),
            ])
    }

    @Test func sglangStreamSortsAlternatives() throws {
        var decoder = UpstreamStreamDecoder(kind: .sglang, choices: 1, topLogprobs: 1)
        var sse = ServerSentEventDecoder()
        var events: [GenerationEvent] = []
        for event in try sse.feed(Array(try Remote.fixture("sglang/stream-logprobs.sse").utf8)[...]) { events += try decoder.decode(event) }
        let hi = TokenLogprob(bytes: Array("Hi".utf8), logprob: -0.125)
        #expect(events == [.logprobs(choice: 0, [TokenLogprobs(token: hi, top: [hi])]), .text(choice: 0, "Hi"), .finished(choice: 0, .stop)])
    }

    @Test func llamaCppStreamKeepsRawBytes() throws {
        var decoder = UpstreamStreamDecoder(kind: .llamaCpp, choices: 1, topLogprobs: 0)
        var sse = ServerSentEventDecoder()
        var events: [GenerationEvent] = []
        for event in try sse.feed(Array(try Remote.fixture("llamacpp/stream-logprobs.sse").utf8)[...]) { events += try decoder.decode(event) }
        let sea = TokenLogprob(bytes: [230, 181, 183], logprob: -0.3)
        #expect(events == [.logprobs(choice: 0, [TokenLogprobs(token: sea, top: [])]), .text(choice: 0, "海"), .finished(choice: 0, .length)])
    }

    /// Without `logprobs` asked for, upstream logprobs are ignored.
    @Test func ignoredWhenNotAsked() throws {
        var decoder = UpstreamStreamDecoder(kind: .vllm, choices: 1)
        var sse = ServerSentEventDecoder()
        var events: [GenerationEvent] = []
        for event in try sse.feed(Array(try Remote.fixture("vllm/stream-logprobs.sse").utf8)[...]) { events += try decoder.decode(event) }
        #expect(events == [.text(choice: 0, "海"), .text(choice: 0, " is"), .finished(choice: 0, .length)])
    }
}
