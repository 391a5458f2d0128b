import FunctionaryAgent
import FunctionaryProtocol

#if canImport(FunctionaryEngine)
    import FunctionaryEngine

    /// A model running in this process on the embedded llama.cpp engine: the default model (with the project's
    /// LoRA adapter, as `functionary chat` runs it) or any GGUF file.
    ///
    /// ```swift
    /// let model = try EmbeddedModel()                  // ~/.cache/functionary/models, `make deps` puts it there
    /// defer { model.shutdown() }
    /// let session = LanguageModelSession(backend: model.backend, tools: [FlipCoin()])
    /// ```
    public final class EmbeddedModel: Sendable {
        /// The engine (shared by every session over `backend`).
        public let engine: LlamaEngine
        /// A backend for `LanguageModelSession` and `Conversation`.
        public let backend: EngineBackend

        /// Loads a model.
        /// - Parameters:
        ///   - path: a GGUF file; nil: the default model, with its adapter when it is installed.
        ///   - contextSize: tokens of context per slot; 0: the engine's default.
        ///   - parallel: requests the engine runs at once.
        /// - Throws: `EngineError` when the model cannot be loaded or its prompt format cannot be told.
        public init(path: String? = nil, contextSize: Int = 0, parallel: Int = 2) throws {
            let adapters = path == nil ? (DefaultAdapter.path.map { [LoraAdapterSpec(path: $0)] } ?? []) : []
            let configuration = EngineConfiguration(
                modelPath: path ?? DefaultModel.path, contextSize: contextSize, parallel: parallel, adapters: adapters)
            let engine = try LlamaEngine(configuration: configuration)
            do {
                self.backend = EngineBackend(generator: engine, template: try engine.template().template)
            } catch {
                engine.shutdown()
                throw error
            }
            self.engine = engine
        }

        /// Stops the engine (sessions over it fail afterwards).
        public func shutdown() { engine.shutdown() }
    }
#endif
