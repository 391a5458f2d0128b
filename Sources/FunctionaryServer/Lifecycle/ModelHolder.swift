import FunctionaryProtocol
import Synchronization

/// A model ready to serve: the engine and the prompt template its output is parsed with.
public struct LoadedModel<Engine: TextGenerator>: Sendable {
    public var engine: Engine
    public var template: any PromptTemplate
    /// What the ready log line calls the model (its file, usually).
    public var displayName: String
    /// The model names clients may use when `ServerConfiguration.servedModelNames` is empty (names only known
    /// once the model is there, such as a remote engine's model).
    public var servedNames: [String]
    /// The LoRA adapters applied on top of the model (`name` or `name:scale`); `/v1/models` and the ready line
    /// list them.
    public var adapters: [String]

    public init(
        engine: Engine, template: any PromptTemplate, displayName: String, servedNames: [String] = [], adapters: [String] = []
    ) {
        self.engine = engine
        self.template = template
        self.displayName = displayName
        self.servedNames = servedNames
        self.adapters = adapters
    }

    /// The names clients may use for `model`: the configuration's `servedModelNames`, else the model's `servedNames`.
    func modelNames(_ configuration: ServerConfiguration) -> [String] {
        configuration.servedModelNames.isEmpty ? servedNames : configuration.servedModelNames
    }
}

/// Where the server finds its model. The HTTP server starts before the model is loaded, so `/health`
/// can answer 503 while it loads; requests that need the model get 503 until `ready` is called.
public final class ModelHolder<Engine: TextGenerator>: Sendable {
    enum State: Sendable {
        case loading
        case ready(LoadedModel<Engine>)
        case failed(String)
    }

    private let state: Mutex<State>

    /// A holder still waiting for its model.
    public init() {
        state = Mutex(.loading)
    }

    /// A holder with its model already loaded (tests, remote engines).
    public init(_ model: LoadedModel<Engine>) {
        state = Mutex(.ready(model))
    }

    /// Publishes the loaded model; requests use it from now on.
    public func ready(_ model: LoadedModel<Engine>) {
        state.withLock { $0 = .ready(model) }
    }

    /// Records that loading failed (the server then answers 503 with this message until it exits).
    public func failed(_ message: String) {
        state.withLock { $0 = .failed(message) }
    }

    /// The model, or `nil` while it loads or when loading failed.
    public var model: LoadedModel<Engine>? {
        state.withLock { state in
            if case .ready(let model) = state { return model }
            return nil
        }
    }

    var isReady: Bool { model != nil }

    /// The model, or a 503 error saying why there is none.
    func requireModel(retryAfter: Int) throws(OpenAIError) -> LoadedModel<Engine> {
        let current = state.withLock { $0 }
        switch current {
        case .ready(let model): return model
        case .loading: throw OpenAIError.unavailable("The model is still loading; retry shortly.", retryAfter: retryAfter)
        case .failed(let message): throw OpenAIError.unavailable("The model failed to load: \(message)", retryAfter: nil)
        }
    }
}
