#if canImport(FunctionaryRemote)
    import ArgumentParser
    import FunctionaryRemote

    /// `functionary serve` flags for remote engines (vLLM, SGLang, llama.cpp servers): see docs/remote-engines.md.
    struct RemoteEngineFlags: ParsableArguments {
        /// The library's defaults, which the flags' defaults are (but `--engine-startup-timeout`: the library does not
        /// wait by default, `serve` does).
        private static let defaults = RemoteEngineOptions()

        @Option(
            name: .customLong("engine-url"),
            help:
                "Serve through this vLLM/SGLang/llama.cpp server instead of a local model (its OpenAI base URL, e.g. http://gpu:8000/v1); repeat for several."
        )
        var urls: [String] = []

        @Option(name: .customLong("engine-kind"), help: "vllm, sglang, llama.cpp or openai (default: detected).")
        var kind: String?

        @Option(
            name: .customLong("vllm-grammar-field"), help: "structured_outputs (vLLM >= 0.10.2) or guided_grammar (default: from vLLM's /version).")
        var vllmGrammarField: String?

        @Option(name: .customLong("engine-model"), help: "The model name sent to the engines (default: the first one they list).")
        var model: String?

        @Option(name: .customLong("engine-api-key"), help: "Bearer token for the engines.")
        var apiKey: String?

        @Option(name: .customLong("engine-connect-timeout"), help: "Seconds to connect to an engine.")
        var connectTimeout = Self.defaults.connectTimeout.inSeconds

        @Option(name: .customLong("engine-read-timeout"), help: "Longest silence in seconds from an engine during a request.")
        var readTimeout = Self.defaults.readTimeout.inSeconds

        @Option(name: .customLong("engine-request-timeout"), help: "Limit in seconds for a whole engine request (default: none).")
        var requestTimeout: Double?

        @Option(name: .customLong("engine-health-interval"), help: "Seconds between health checks of the engines.")
        var healthInterval = Self.defaults.healthCheckInterval.inSeconds

        @Option(name: .customLong("engine-startup-timeout"), help: "Seconds to wait at start for an engine that is still loading.")
        var startupTimeout: Double = 300

        /// Whether remote engines are configured.
        var isEnabled: Bool { !urls.isEmpty }

        func validate() throws {
            for (name, value) in [
                ("--engine-connect-timeout", connectTimeout), ("--engine-read-timeout", readTimeout),
                ("--engine-health-interval", healthInterval), ("--engine-request-timeout", requestTimeout ?? 1),
            ] where !(value > 0) {
                throw ValidationError("\(name) must be positive.")
            }
            guard startupTimeout >= 0 else { throw ValidationError("--engine-startup-timeout must be 0 or more.") }
            _ = try options(contextSize: nil)
        }

        /// The pool settings these flags describe.
        /// - Parameter contextSize: `--ctx-size`, when given.
        func options(contextSize: Int?) throws -> RemoteEngineOptions {
            var options = RemoteEngineOptions()
            do {
                options.kind = try kind.map(RemoteEngineKind.init(flag:))
                options.vllmGrammarField = try vllmGrammarField.map(VLLMGrammarField.init(flag:))
            } catch {
                throw ValidationError("\(error)")
            }
            options.contextSize = contextSize
            options.model = model
            options.apiKey = apiKey
            options.connectTimeout = .seconds(connectTimeout)
            options.readTimeout = .seconds(readTimeout)
            options.requestTimeout = requestTimeout.map { .seconds($0) }
            options.healthCheckInterval = .seconds(healthInterval)
            options.healthCheckTimeout = .seconds(min(max(healthInterval, 2), 10))
            options.startupTimeout = .seconds(startupTimeout)
            return options
        }
    }
#endif
