import Foundation

/// How to load a model and run the engine.
public struct EngineConfiguration: Sendable, Hashable {
    /// Path of the GGUF model file.
    public var modelPath: String
    /// Context size per sequence, in tokens; 0 = the model's training context, at most 8192.
    public var contextSize: Int
    /// CPU threads for decoding; 0 = one per available core.
    public var threads: Int
    /// Layers to offload to the GPU; -1 = all (no effect without a GPU backend).
    public var gpuLayers: Int
    /// Sequences decoded together (slots); each has its own `contextSize` of KV cache.
    public var parallel: Int
    /// The most tokens evaluated in one decode step (prompt chunks plus the tokens of running sequences), 2048 as
    /// llama-server's `--batch-size`; llama.cpp evaluates it in passes of at most 512 tokens. A prompt takes what the
    /// running sequences leave, so a newcomer's prompt costs few steps (docs/benchmarks.md, the newcomer row) and
    /// the running sequences wait for one step of up to this many tokens.
    public var batchSize: Int
    /// Requests that may wait for a slot before new ones are refused with `GenerationError.queueFull`.
    public var maxQueue: Int
    /// The largest grammar (GBNF text, after its JSON Schemas are converted) one request may use; larger ones are
    /// refused with `GenerationError.invalidConstraint` before llama.cpp parses them.
    public var maxGrammarBytes: Int = 2 << 20
    /// The most time the grammar may take for one token of one choice (checking and advancing it). An ambiguous
    /// grammar whose parse stacks multiply each token would otherwise stall the decode thread for every slot:
    /// the choice's request ends with `GenerationError.invalidConstraint` instead, and the other slots go on.
    public var grammarTimePerToken: Duration = .seconds(1)
    /// The most grammar time for one request: all its choices' tokens and the forced text that jump-forward works out,
    /// together (`n` does not multiply it).
    public var grammarTimePerRequest: Duration = .seconds(10)
    /// LoRA adapters applied on top of the model, in order (`--lora`).
    public var adapters: [LoraAdapterSpec]
    /// Fold the adapters into a cached copy of the model's weights (`LoraMerger`), so that they cost nothing per
    /// token; off, llama.cpp applies them at every token (`--no-merge-lora`).
    public var mergeAdapters: Bool = true
    /// Jump-forward decoding: where the grammar admits exactly one continuation, its tokens are appended in one
    /// batch instead of being sampled one decode step each (`--jump-forward on|off`; a request may override it).
    public var jumpForward: Bool = true
    /// Speculative decoding by prompt lookup (`--speculation lookup|off`; a request may override it): each step drafts
    /// the tokens that followed the latest earlier occurrence of the output's last tokens in the context (prompt,
    /// tool results, output so far) and verifies them in the same decode; the sampler keeps the longest prefix it agrees
    /// with, so the output is the one without speculation (see `Scheduler+Speculation.swift`).
    public var speculation: Bool = false
    /// Host memory for prompt states of slots whose cells another conversation's request dropped (llama-server's
    /// `--cache-ram`): the conversation's next turn restores its state instead of evaluating its prompt again.
    /// Least recently used states go first; 0 disables it. A state of the default model (Gemma 3 270M) takes 3 KiB a
    /// token for its full-attention layers plus 7.5 MiB for the sliding-window layers' last 512 positions, so the
    /// default holds about 150 conversations of 2,000 tokens; an 8B model without a sliding window (128 KiB a
    /// token) about 8 of them. llama-server's default is 8 GiB.
    public var hostCacheBytes: Int = Self.defaultHostCacheBytes
    /// 2 GiB.
    public static let defaultHostCacheBytes = 2048 << 20
    /// Where merged copies are kept: `${FUNCTIONARY_HOME}/models/merged` unless set.
    public var mergedModelFolder: String = "\(DefaultModel.home)/models/merged"

    public init(
        modelPath: String = DefaultModel.path, contextSize: Int = 0, threads: Int = 0, gpuLayers: Int = -1, parallel: Int = 4,
        batchSize: Int = 2048, maxQueue: Int = 64, adapters: [LoraAdapterSpec] = []
    ) {
        self.modelPath = modelPath
        self.contextSize = contextSize
        self.threads = threads
        self.gpuLayers = gpuLayers
        self.parallel = parallel
        self.batchSize = batchSize
        self.maxQueue = maxQueue
        self.adapters = adapters
    }

    /// Checks the ranges of the settings.
    func validate() throws(EngineError) {
        func check(_ ok: Bool, _ message: String) throws(EngineError) {
            if !ok { throw EngineError(.invalidConfiguration, message) }
        }
        try check(contextSize >= 0, "context size must be 0 (automatic) or positive, got \(contextSize)")
        try check(contextSize == 0 || contextSize >= 16, "context size \(contextSize) is too small (minimum 16)")
        try check(threads >= 0, "threads must be 0 (automatic) or positive, got \(threads)")
        try check(gpuLayers >= -1, "GPU layers must be -1 (all) or more, got \(gpuLayers)")
        try check((1...64).contains(parallel), "parallel must be between 1 and 64, got \(parallel)")
        try check((1...65536).contains(batchSize), "batch size must be between 1 and 65536, got \(batchSize)")
        // Every generating sequence puts at least one token in each decode batch.
        try check(
            batchSize >= parallel, "batch size (\(batchSize)) must be at least parallel (\(parallel)): each sequence needs a token of every batch")
        try check(maxQueue >= 0, "max queue must be 0 or more, got \(maxQueue)")
        try check(hostCacheBytes >= 0, "host cache bytes must be 0 (off) or more, got \(hostCacheBytes)")
        try check(maxGrammarBytes >= 1024, "max grammar bytes must be at least 1024, got \(maxGrammarBytes)")
        try check(grammarTimePerToken > .zero && grammarTimePerRequest > .zero, "grammar time limits must be positive")
        try check(adapters.count <= 16, "at most 16 LoRA adapters, got \(adapters.count)")
    }

    /// `threads`, with 0 replaced by the number of available cores.
    var resolvedThreads: Int {
        threads > 0 ? threads : max(1, ProcessInfo.processInfo.activeProcessorCount)
    }
}

/// Where `make deps` puts the default model (Gemma 3 270M, Q4_K_M).
public enum DefaultModel {
    /// The file name of the default model.
    public static let fileName = "gemma-3-270m-q4_k_m.gguf"

    /// `${FUNCTIONARY_HOME:-~/.cache/functionary}`.
    public static var home: String {
        if let home = ProcessInfo.processInfo.environment["FUNCTIONARY_HOME"], !home.isEmpty { return home }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/functionary").path
    }

    /// `${FUNCTIONARY_HOME:-~/.cache/functionary}/models/gemma-3-270m-q4_k_m.gguf`.
    public static var path: String { "\(home)/models/\(fileName)" }
}
