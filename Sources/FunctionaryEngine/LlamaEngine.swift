import CLlama
import Foundation
import FunctionaryProtocol
import Synchronization

/// The embedded inference engine: a GGUF model run by llama.cpp in this process, with continuous
/// batching over `parallel` sequences, a per-sequence prompt cache and grammar-constrained sampling.
///
/// Create one per model; it is safe to use from any task. Call `shutdown()` (or drop it) to stop.
public final class LlamaEngine: TextGenerator, EngineStatsProviding {
    /// The configuration, with automatic values resolved (`contextSize`, `threads`).
    public let configuration: EngineConfiguration
    /// The context size per sequence, in tokens.
    public let contextSize: Int
    /// The model's name: its file name without `.gguf`.
    public let modelName: String
    /// The prompt template told from the model's metadata, or nil (see `templateDetectionFailure`).
    public let detectedTemplate: TemplateVersion?
    /// Why the template could not be told, when `detectedTemplate` is nil.
    public let templateDetectionFailure: String?
    /// The LoRA adapters applied on top of the model, in order (empty: the model alone).
    public let adapters: [LoraAdapterSpec]
    /// How the adapters apply: `"merged"` (folded into a cached copy of the weights, see `LoraMerger`),
    /// `"runtime"` (llama.cpp's adapter API, every token), or nil without adapters.
    public let adapterMode: String?
    /// Why the adapters were not merged although merging was asked for (nil when they were, or not asked).
    public let adapterMergeFailure: String?

    let model: LlamaModel
    private let loadedAdapters: [LoadedLoraAdapter]
    private let scheduler: Scheduler
    private let grammars: GrammarCompiler
    private let nextID = Atomic<UInt64>(1)

    /// Loads the model and starts the decode thread.
    /// - Throws: `EngineError` for a missing, truncated or non-GGUF file, a model llama.cpp cannot
    ///   load, a context it cannot create, or settings out of range.
    public init(configuration: EngineConfiguration) throws(EngineError) {
        try configuration.validate()
        var modelPath = configuration.modelPath
        var runtimeAdapters = configuration.adapters
        var mergeFailure: String? = nil
        if configuration.mergeAdapters, !configuration.adapters.isEmpty {
            let summary = try GGUFInspector(path: modelPath).inspect()
            for spec in configuration.adapters {
                try LoadedLoraAdapter.check(spec, modelPath: modelPath, modelArchitecture: summary.strings["general.architecture"])
            }
            let active = configuration.adapters.filter { $0.scale != 0 }
            if active.isEmpty {
                runtimeAdapters = []
            } else {
                do {
                    modelPath = try LoraMerger.mergedModel(
                        model: modelPath, adapters: active, cacheFolder: configuration.mergedModelFolder)
                    runtimeAdapters = []
                } catch {
                    switch error {
                    case .mismatch(let message): throw EngineError(.adapterLoadFailed, message)
                    case .unsupported(let message), .io(let message): mergeFailure = message
                    }
                }
            }
        }
        self.adapters = configuration.adapters
        self.adapterMode = configuration.adapters.isEmpty ? nil : (runtimeAdapters.isEmpty ? "merged" : "runtime")
        self.adapterMergeFailure = mergeFailure
        let model = try LlamaModel(path: modelPath, gpuLayers: configuration.gpuLayers)
        let contextSize = configuration.contextSize > 0 ? configuration.contextSize : min(max(model.trainedContext, 512), 8192)
        var resolved = configuration
        resolved.contextSize = contextSize
        resolved.threads = configuration.resolvedThreads
        self.configuration = resolved
        self.contextSize = contextSize
        self.model = model
        var adapters: [LoadedLoraAdapter] = []
        for spec in runtimeAdapters {
            adapters.append(try LoadedLoraAdapter(spec: spec, model: model))
        }
        self.loadedAdapters = adapters
        self.scheduler = try Scheduler(model: model, configuration: resolved, contextSize: contextSize, adapters: adapters)
        self.grammars = GrammarCompiler(model: model, maxGrammarBytes: resolved.maxGrammarBytes)
        var name = URL(fileURLWithPath: configuration.modelPath).lastPathComponent
        if name.lowercased().hasSuffix(".gguf") { name.removeLast(5) }
        self.modelName = name
        switch TemplateDetector(model: model).detect() {
        case .success(let version):
            detectedTemplate = version
            templateDetectionFailure = nil
        case .failure(let error):
            detectedTemplate = nil
            templateDetectionFailure = error.message
        }
    }

    deinit {
        scheduler.shutdown()
    }

    /// The detected template.
    /// - Throws: `EngineError.unknownTemplate` saying why it cannot be told and asking for `--template`.
    public func template() throws(EngineError) -> TemplateVersion {
        guard let detectedTemplate else {
            throw EngineError(.unknownTemplate, templateDetectionFailure ?? "cannot tell the prompt template; pass --template")
        }
        return detectedTemplate
    }

    /// Starts a generation; see `TextGenerator`. Errors (`GenerationError`) are thrown by the stream:
    /// invalid parameters, a prompt that does not fit (`contextOverflow`, before any decoding), an
    /// invalid constraint, a full queue. Ending the consumer (task cancellation, dropping the
    /// stream) cancels the request within one decode step.
    public func generate(_ request: GenerationRequest) -> AsyncThrowingStream<GenerationEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: GenerationEvent.self, throwing: (any Error).self)
        do {
            let job = try prepare(request, continuation: continuation)
            let id = job.id
            continuation.onTermination = { [weak scheduler] termination in
                if case .cancelled = termination { scheduler?.cancel(id) }
            }
            try scheduler.submit(job)
        } catch {
            continuation.finish(throwing: error)
        }
        return stream
    }

    /// The engine's load: busy slots, all slots, waiting requests.
    public func stats() async -> EngineStats {
        scheduler.stats()
    }

    /// `stats()` without suspending.
    public func currentStats() -> EngineStats {
        scheduler.stats()
    }

    /// Stops the decode thread; waiting and running requests end with `GenerationError.unavailable`.
    public func shutdown() {
        scheduler.shutdown()
    }

    /// The tokens of `text` with llama.cpp's tokenizer (special markers parsed everywhere, BOS added when the model
    /// wants one).
    public func tokenize(_ text: String) -> [Int32] {
        model.tokenize(text)
    }

    /// The tokens of a prompt as `generate` evaluates them: special markers count only outside the literal ranges
    /// of guarded client text (`PromptText`); a prompt without literals tokenizes as `tokenize(_:)` does.
    public func tokenizePrompt(_ prompt: String) -> [Int32] {
        model.tokenizePrompt(prompt)
    }

    /// The tokens of `text` read as text: special-token spellings are not parsed, no BOS.
    public func tokenizeText(_ text: String) -> [Int32] {
        model.tokenize(text, addSpecial: false, parseSpecial: false)
    }

    /// The texts of the vocabulary's control and unknown tokens: what special-token parsing would read in a prompt.
    public var controlTokenSpellings: [String] {
        model.controlTokens.ids.keys.map { String(decoding: $0, as: UTF8.self) }.sorted()
    }

    /// The text of one token (special tokens rendered).
    public func tokenText(_ token: Int32) -> String {
        String(decoding: model.piece(token), as: UTF8.self)
    }

    /// The complete GBNF grammar the engine uses for a constraint (schema rules generated, tokens
    /// resolved against this model's vocabulary), after checking that llama.cpp accepts it.
    /// - Throws: `GenerationError.invalidConstraint`.
    public func compiledGrammar(for constraint: OutputConstraint) throws(GenerationError) -> String {
        try grammars.compile(constraint).text
    }

    private func prepare(_ request: GenerationRequest, continuation: EventContinuation) throws(GenerationError) -> PendingJob {
        let sampling = request.sampling
        try Self.validate(sampling, n: request.n, parallel: configuration.parallel)
        try sampling.checkLogitBias(vocabularySize: model.vocabularySize)
        let tokens = model.tokenizePrompt(request.prompt)
        guard !tokens.isEmpty else { throw .invalidParameter(name: "messages", message: "The prompt is empty.") }
        // Compared as `maxTokens > context - prompt`: `prompt + maxTokens` overflows for max_tokens = Int.max.
        if tokens.count >= contextSize || (sampling.maxTokens ?? 0) > contextSize - tokens.count {
            throw .contextOverflow(promptTokens: tokens.count, maxTokens: sampling.maxTokens ?? 0, contextSize: contextSize)
        }
        let grammar = try request.constraint.map { constraint throws(GenerationError) in try grammars.compile(constraint) }
        var stopTokens = Set<llama_token>()
        for marker in request.templateStops {
            if let token = model.singleToken(marker) { stopTokens.insert(token) }
        }
        var job = PendingJob(
            id: nextID.wrappingAdd(1, ordering: .relaxed).oldValue, tokens: tokens, sampling: sampling, choiceCount: request.n,
            grammar: grammar, maxTokens: min(sampling.maxTokens ?? contextSize, contextSize - tokens.count),
            stopTokens: stopTokens, stopStrings: request.templateStops + sampling.stop,
            seed: sampling.seed ?? UInt32.random(in: 0...UInt32.max), continuation: continuation)
        // Forced tokens are not sampled, so they have no log probabilities: a request that asks for them decodes
        // every token.
        job.jumpForward = grammar != nil && sampling.logprobs == nil && (request.jumpForward ?? configuration.jumpForward)
        job.partition = request.cachePartition
        job.speculate = request.speculation ?? configuration.speculation
        return job
    }

    /// The most alternatives a token's log probability may come with.
    public static let maxTopLogprobs = 20

    static func validate(_ sampling: SamplingParameters, n: Int, parallel: Int) throws(GenerationError) {
        func check(_ ok: Bool, _ name: String, _ message: String) throws(GenerationError) {
            if !ok { throw .invalidParameter(name: name, message: message) }
        }
        try check(n >= 1, "n", "n must be at least 1, got \(n).")
        try check(n <= parallel, "n", "n must be at most \(parallel) (the engine's parallel sequences), got \(n).")
        try check(sampling.temperature.isFinite && sampling.temperature >= 0, "temperature", "temperature must be 0 or more.")
        try check(sampling.topP > 0 && sampling.topP <= 1, "top_p", "top_p must be in (0, 1], got \(sampling.topP).")
        try check(sampling.topK >= 0, "top_k", "top_k must be 0 (disabled) or more, got \(sampling.topK).")
        try check(sampling.minP >= 0 && sampling.minP <= 1, "min_p", "min_p must be in [0, 1], got \(sampling.minP).")
        try check((sampling.maxTokens ?? 1) >= 1, "max_tokens", "max_tokens must be at least 1.")
        try check(
            sampling.repetitionPenalty.isFinite && sampling.repetitionPenalty > 0, "repetition_penalty",
            "repetition_penalty must be greater than 0.")
        try check(sampling.presencePenalty.isFinite, "presence_penalty", "presence_penalty must be a finite number.")
        try check(sampling.frequencyPenalty.isFinite, "frequency_penalty", "frequency_penalty must be a finite number.")
        if let logprobs = sampling.logprobs {
            try check(
                (0...maxTopLogprobs).contains(logprobs), "top_logprobs",
                "top_logprobs must be between 0 and \(maxTopLogprobs), got \(logprobs).")
        }
    }
}

extension LlamaEngine: TokenCounting {
    /// The prompt's token count, from the model's tokenizer (no generation), as `generate` tokenizes it.
    public func countTokens(in prompt: String) async throws -> Int { model.tokenizePrompt(prompt).count }
}
