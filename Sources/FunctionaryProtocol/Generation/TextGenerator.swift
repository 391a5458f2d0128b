/// Sampling settings for one generation (OpenAI names; `nil` means the engine's default).
public struct SamplingParameters: Sendable, Hashable {
    /// 0 means greedy.
    public var temperature: Double = 0.6
    public var topP: Double = 1.0
    /// 0 or less: disabled.
    public var topK: Int = 0
    public var minP: Double = 0.0
    public var seed: UInt32? = nil
    /// `nil`: up to the end of the context.
    public var maxTokens: Int? = nil
    /// Stop strings (not included in the output).
    public var stop: [String] = []
    public var presencePenalty: Double = 0
    public var frequencyPenalty: Double = 0
    public var repetitionPenalty: Double = 1.0
    /// `nil`: no log probabilities (nothing is computed). `N`: each generated token's log probability and the
    /// `N` most likely tokens at its position (`.logprobs` events).
    public var logprobs: Int? = nil
    /// Token id → bias added to the token's logit before sampling (OpenAI's `logit_bias`, -100 to 100).
    public var logitBias: [Int: Double] = [:]

    public init() {}
}

/// One generation request to an engine: a fully rendered prompt and how to sample.
public struct GenerationRequest: Sendable {
    /// The prompt text; special-token markers in it are parsed as special tokens.
    public var prompt: String
    public var sampling: SamplingParameters
    /// Number of choices, sharing the prompt.
    public var n: Int
    /// Grammar constraint on the output, if any.
    public var constraint: OutputConstraint?
    /// Strings that end the turn for this template (e.g. `<|eot_id|>`); generation stops there.
    public var templateStops: [String]
    /// Jump-forward decoding for this request (text the constraint forces is appended, not sampled): nil follows
    /// the engine's setting (`--jump-forward`).
    public var jumpForward: Bool? = nil
    /// The prompt-cache partition (the tenant: one per API key on a server with several keys). An engine reuses or
    /// copies cached prompt cells only between requests of the same partition, and `GenerationUsage.cachedPromptTokens`
    /// counts only cells of this partition. nil is a partition of its own (the keyless server's one tenant).
    public var cachePartition: String? = nil
    /// Speculative decoding for this request (drafts from the context, verified in one batch): nil follows the
    /// engine's setting (`--speculation`).
    public var speculation: Bool? = nil

    public init(
        prompt: String, sampling: SamplingParameters = SamplingParameters(), n: Int = 1, constraint: OutputConstraint? = nil,
        templateStops: [String] = []
    ) {
        self.prompt = prompt
        self.sampling = sampling
        self.n = n
        self.constraint = constraint
        self.templateStops = templateStops
    }
}

/// Why a choice stopped.
public enum FinishReason: String, Sendable, Hashable {
    /// End-of-generation token or stop string.
    case stop
    /// `max_tokens` or the context was reached.
    case length
}

/// Token counts of a finished request.
public struct GenerationUsage: Sendable, Hashable {
    public var promptTokens: Int
    public var completionTokens: Int
    /// Prompt tokens taken from the prompt cache instead of being evaluated.
    public var cachedPromptTokens: Int
    /// Of `cachedPromptTokens`, those copied from another sequence that held the same prefix (the embedded
    /// engine's shared prefixes: a new conversation with the system prompt and tools another slot already has).
    public var copiedPromptTokens: Int
    /// Of `cachedPromptTokens`, those restored from a prompt state the embedded engine had saved in host memory when
    /// another conversation took its slot (`--cache-ram`).
    public var restoredPromptTokens: Int
    /// Tokens drafted by speculative decoding (looked up in the context) and verified by the model.
    public var draftedTokens: Int = 0
    /// Of `draftedTokens`, those the model's own choice agreed with (each one a decode step saved).
    public var acceptedDraftTokens: Int = 0

    public init(
        promptTokens: Int, completionTokens: Int, cachedPromptTokens: Int = 0, copiedPromptTokens: Int = 0,
        restoredPromptTokens: Int = 0
    ) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.cachedPromptTokens = cachedPromptTokens
        self.copiedPromptTokens = copiedPromptTokens
        self.restoredPromptTokens = restoredPromptTokens
    }
}

/// What an engine streams back.
public enum GenerationEvent: Sendable, Hashable {
    /// More text of choice `choice` (whole UTF-8 characters only).
    case text(choice: Int, String)
    /// Choice `choice` ended.
    case finished(choice: Int, FinishReason)
    /// The request ended; sent once, last.
    case usage(GenerationUsage)
    /// The log probabilities of generated tokens of choice `choice` (only when `SamplingParameters.logprobs` is
    /// set), in order; sent just before the `.text` event that completes these tokens' text (or before
    /// `.finished`). A token that ends generation (end of turn, a template stop token) has no entry.
    case logprobs(choice: Int, [TokenLogprobs])
    /// Choice `choice` ended at this stop string of the request (`SamplingParameters.stop`; not a template's
    /// end-of-turn marker); sent just before its `.finished` (whose reason is `.stop`). Engines that cannot tell
    /// which stop string matched send none.
    case stopSequence(choice: Int, String)
}

/// Errors an engine reports before or during generation.
public enum GenerationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The prompt plus the requested completion does not fit the context.
    case contextOverflow(promptTokens: Int, maxTokens: Int, contextSize: Int)
    /// Too many requests are waiting.
    case queueFull(limit: Int)
    /// The grammar could not be built or applied.
    case invalidConstraint(String)
    /// The request was cancelled.
    case cancelled
    /// The engine failed (decode error, upstream failure).
    case engineFailure(String)
    /// No engine can take the request (all upstreams down).
    case unavailable(String)
    /// An invalid request parameter (`temperature` < 0 …), named.
    case invalidParameter(name: String, message: String)

    public var description: String {
        switch self {
        case .contextOverflow(let p, let m, let c):
            // The numbers come from clients and upstreams (max_tokens = Int.max): add without trapping.
            let (sum, overflow) = p.addingReportingOverflow(m)
            let total = overflow ? "more than \(Int.max)" : String(sum)
            return
                "This model's maximum context length is \(c) tokens. However, you requested \(total) tokens (\(p) in the messages, \(m) in the completion). Please reduce the length of the messages or completion."
        case .queueFull(let limit): return "The server is busy: more than \(limit) requests are waiting. Retry later."
        case .invalidConstraint(let m): return "Invalid constraint: \(m)"
        case .cancelled: return "The request was cancelled."
        case .engineFailure(let m): return "Engine failure: \(m)"
        case .unavailable(let m): return m
        case .invalidParameter(_, let m): return m
        }
    }
}

/// An inference engine: the embedded llama.cpp engine, or a remote one. The server and the agent
/// only know this protocol, so tests can pass a scripted engine.
public protocol TextGenerator: Sendable {
    /// The context size in tokens.
    var contextSize: Int { get }
    /// Starts a generation. The stream ends after `.usage`, or throws a `GenerationError`.
    /// Cancelling the consuming task (or dropping the stream) cancels the generation.
    func generate(_ request: GenerationRequest) -> AsyncThrowingStream<GenerationEvent, any Error>
}

/// A snapshot of an engine's load, for `/metrics` and routing.
public struct EngineStats: Sendable, Hashable {
    /// Sequences being generated or prompts being evaluated.
    public var activeSlots: Int
    /// All slots (`--parallel`).
    public var totalSlots: Int
    /// Requests waiting for a slot.
    public var queuedRequests: Int
    /// Bytes of prompt states kept in host memory (the embedded engine's `--cache-ram`; 0 for other engines).
    public var hostCacheBytes: Int

    public init(activeSlots: Int, totalSlots: Int, queuedRequests: Int, hostCacheBytes: Int = 0) {
        self.activeSlots = activeSlots
        self.totalSlots = totalSlots
        self.queuedRequests = queuedRequests
        self.hostCacheBytes = hostCacheBytes
    }
}

/// Engines that can report their load.
public protocol EngineStatsProviding: Sendable {
    func stats() async -> EngineStats
}

/// Engines that can count a prompt's tokens without generating (`/v1/messages/count_tokens`, the input tokens of a
/// streamed message's first event). Engines without it are asked for a one-token generation instead.
public protocol TokenCounting: Sendable {
    /// The number of tokens `prompt` takes as a generation prompt (special markers parsed, BOS included).
    func countTokens(in prompt: String) async throws -> Int
}
