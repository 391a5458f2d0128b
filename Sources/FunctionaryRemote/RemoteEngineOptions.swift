/// Settings of a pool of remote engines. Every field has a default that works for a local
/// `llama-server` or a vLLM/SGLang deployment on a LAN.
public struct RemoteEngineOptions: Sendable {
    /// The upstream kind; `nil` detects it from `/v1/models` (`owned_by`) and `/props`.
    public var kind: RemoteEngineKind?
    /// The grammar field for vLLM upstreams; `nil` picks it from vLLM's `/version`.
    public var vllmGrammarField: VLLMGrammarField?
    /// The context size in tokens; `nil` reads it from the upstreams (`max_model_len`, llama.cpp `n_ctx`).
    public var contextSize: Int?
    /// The upstream model name sent as `model`; `nil` uses the first model the upstream lists.
    public var model: String?
    /// Sent as `Authorization: Bearer …` to the upstreams.
    public var apiKey: String?
    /// Time to open a TCP connection to an upstream.
    public var connectTimeout: Duration = .seconds(5)
    /// Longest silence from an upstream while a request runs (waiting in its queue for the first token
    /// included) before the request counts as failed.
    public var readTimeout: Duration = .seconds(600)
    /// Longest time one request may take in all; `nil`: no limit beyond `readTimeout`.
    public var requestTimeout: Duration? = nil
    /// How often `run()` checks every upstream's `/health`.
    public var healthCheckInterval: Duration = .seconds(5)
    /// Time limit of one health check.
    public var healthCheckTimeout: Duration = .seconds(5)
    /// How long `connect` keeps trying while no upstream answers (engines still loading their model).
    public var startupTimeout: Duration = .seconds(0)
    /// Requests in flight on one upstream that count as full when the upstream does not report its
    /// slots (vLLM, SGLang); a full upstream gets no affinity requests.
    public var maxInFlightPerUpstream: Int = 64
    /// The largest grammar (GBNF bytes) sent upstream for one request; larger ones are refused (`--max-grammar-bytes`).
    public var maxGrammarBytes: Int = 2 << 20
    /// How requests stick to the upstream that holds their prefix in cache.
    public var affinity = PrefixAffinityOptions()

    public init() {}
}

/// Prefix affinity: the pool remembers, per upstream, hashes of the prompt blocks it sent there, and
/// sends a request whose prompt starts with such blocks to the same upstream when that one is not
/// much busier than the least busy one.
public struct PrefixAffinityOptions: Sendable {
    /// Bytes per hashed block of the prompt.
    public var blockSize: Int = 64
    /// A match counts when it covers at least this fraction of the prompt…
    public var minimumMatchFraction: Double = 0.5
    /// …or at least this many bytes.
    public var minimumMatchBytes: Int = 8192
    /// The matching upstream is used while it has at most this many more requests in flight than the
    /// least busy healthy upstream.
    public var maximumImbalance: Int = 2
    /// Blocks remembered per upstream (least recently used ones are forgotten first).
    public var capacity: Int = 65536
    /// `false` routes by load only.
    public var enabled: Bool = true

    public init() {}
}
