import ArgumentParser
import FunctionaryEngine
import FunctionaryProtocol

/// Engine flags shared by the commands that run a model (`serve`, `chat`, `generate`).
struct EngineOptions: ParsableArguments {
    @Option(name: .long, help: "GGUF model file (default: the Gemma 3 270M model that `make deps` installs).")
    var model: String?

    @Option(
        name: .long,
        help: "Prompt template: auto (told from the model) or one of \(TemplateArgument.versionNames).")
    var template = TemplateArgument.auto

    @Option(name: .customLong("ctx-size"), help: "Context size per sequence in tokens (0: the model's, at most 8192).")
    var contextSize: Int = 0

    @Option(name: .long, help: "CPU threads (0: one per core).")
    var threads: Int = 0

    @Option(name: .customLong("n-gpu-layers"), help: "Layers to offload to the GPU (-1: all).")
    var gpuLayers: Int = -1

    @Option(name: .long, help: "Sequences decoded together (slots).")
    var parallel: Int = 4

    @Option(
        name: .long,
        help: ArgumentHelp(
            "A LoRA adapter GGUF to apply, as PATH or PATH:SCALE (repeatable; scale 1 by default).", valueName: "path[:scale]"))
    var lora: [String] = []

    /// The project's adapter (models/) on the default model: on unless `--no-default-adapter`.
    @Flag(
        name: .customLong("default-adapter"), inversion: .prefixedNo,
        help: "Apply the project's LoRA adapter (models/) to the default model (it makes the base model call tools by itself).")
    var defaultAdapter = true

    /// Adapters folded into a cached copy of the weights (on unless `--no-merge-lora`).
    @Flag(
        name: .customLong("merge-lora"), inversion: .prefixedNo,
        help: ArgumentHelp(
            "Fold LoRA adapters into a cached copy of the model's weights (models/merged/ in the model cache), so they cost nothing per token.",
            discussion: "With --no-merge-lora, llama.cpp applies them at every token instead (slower; no extra file)."))
    var mergeLora = true

    @Option(
        name: .customLong("jump-forward"),
        help: ArgumentHelp(
            "Jump-forward decoding, on or off: text the grammar forces (a tool call's keys, punctuation, the rest of an enum value) is appended in one step instead of sampled token by token.",
            valueName: "on|off"))
    var jumpForward = OnOff.on

    @Option(
        name: .customLong("speculation"),
        help: ArgumentHelp(
            "Speculative decoding, lookup or off: each step drafts the tokens that followed the output's last tokens where they occurred earlier in the context (the user's words, a tool result) and verifies them in the same decode; the output does not change.",
            valueName: "lookup|off"))
    var speculation = SpeculationMode.off

    @Option(
        name: .customLong("cache-ram"),
        help: ArgumentHelp(
            "Host memory for the prompt states of slots another conversation takes, in MiB (0: off); a conversation's next turn restores its state instead of evaluating its prompt again.",
            valueName: "MiB"))
    var cacheRam: Int = EngineConfiguration.defaultHostCacheBytes >> 20

    func validate() throws {
        try template.validateForEngine()
        if contextSize < 0 { throw ValidationError("--ctx-size must be 0 or positive") }
        if threads < 0 { throw ValidationError("--threads must be 0 or positive") }
        if gpuLayers < -1 { throw ValidationError("--n-gpu-layers must be -1 or more") }
        if parallel < 1 || parallel > 64 { throw ValidationError("--parallel must be between 1 and 64") }
        if lora.count > 15 { throw ValidationError("at most 15 --lora adapters") }
        // MiB to bytes must not overflow (1 PiB at most).
        if cacheRam < 0 || cacheRam > 1 << 30 { throw ValidationError("--cache-ram must be between 0 (off) and \(1 << 30) MiB") }
        for flag in lora {
            do {
                _ = try LoraAdapterSpec(flag: flag)
            } catch {
                throw ValidationError(error.message)
            }
        }
    }

    /// The adapters to apply: the project's adapter first when the model is the default one (unless
    /// `--no-default-adapter`, and when an adapter is installed), then each `--lora`.
    var adapters: [LoraAdapterSpec] {
        var specs: [LoraAdapterSpec] = []
        if model == nil, defaultAdapter, let path = DefaultAdapter.path {
            specs.append(LoraAdapterSpec(path: path))
        }
        // validate() has checked every flag
        specs += lora.compactMap { try? LoraAdapterSpec(flag: $0) }
        return specs
    }

    /// The engine configuration these flags describe.
    var configuration: EngineConfiguration { configuration(maxQueue: 64) }

    /// The engine configuration these flags describe, with `maxQueue` requests allowed to wait for a slot.
    func configuration(maxQueue: Int) -> EngineConfiguration {
        var configuration = EngineConfiguration(
            modelPath: model ?? DefaultModel.path, contextSize: contextSize, threads: threads, gpuLayers: gpuLayers,
            parallel: parallel, maxQueue: maxQueue, adapters: adapters)
        configuration.mergeAdapters = mergeLora
        configuration.jumpForward = jumpForward.isOn
        configuration.speculation = speculation == .lookup
        configuration.hostCacheBytes = cacheRam << 20
        return configuration
    }

    /// Loads the model and settles the prompt template (`--template`, or told from the model).
    /// - Parameter maxQueue: requests that may wait for a slot (`serve --max-queue`).
    /// - Throws: `EngineError` when the model cannot be loaded or the template cannot be told.
    func loadEngine(
        maxQueue: Int = 64, adjust: (inout EngineConfiguration) -> Void = { _ in }
    ) throws -> (engine: LlamaEngine, template: TemplateVersion) {
        var configuration = configuration(maxQueue: maxQueue)
        adjust(&configuration)
        let engine = try LlamaEngine(configuration: configuration)
        if let version = template.namedVersion {
            return (engine, version)
        }
        do {
            return (engine, try engine.template())
        } catch {
            engine.shutdown()
            throw error
        }
    }
}
