/// What the pool learned about one upstream when connecting (or what the flags said).
struct UpstreamProfile: Sendable, Hashable {
    var kind: RemoteEngineKind
    /// The name sent as `model` (vLLM and SGLang check it against what they serve).
    var model: String?
    /// The upstream's context size in tokens, when it reports one.
    var contextSize: Int?
    /// Parallel slots (llama.cpp `total_slots`), when the upstream reports them.
    var slots: Int?
    /// The model's vocabulary size (llama.cpp's `/v1/models` `meta.n_vocab`), to check `logit_bias` keys.
    var vocabularySize: Int?
    /// How a vLLM upstream takes a grammar.
    var grammarField: VLLMGrammarField = .structuredOutputs
    /// The version the upstream reported (vLLM `/version`, llama.cpp build), for logs.
    var version: String?

    /// The completion endpoint path.
    var completionPath: String { kind == .llamaCpp ? "/completion" : "/v1/completions" }

    /// The endpoint `run()` polls.
    var healthPath: String { kind == .openai ? "/v1/models" : "/health" }
}
