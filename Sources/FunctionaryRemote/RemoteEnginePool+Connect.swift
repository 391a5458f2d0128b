import FunctionaryProtocol
import Logging

extension RemoteEnginePool {
    /// Connects to the upstreams: learns each one's kind, model, context size (and for llama.cpp its
    /// slots, for vLLM its grammar field) unless the options give them. Upstreams that do not answer
    /// start out of rotation and join when their `/health` answers.
    /// - Parameters:
    ///   - urls: upstream OpenAI base URLs (`http://host:8000/v1`; without `/v1` works too).
    /// - Throws: `RemoteEngineError.invalidConfiguration` for bad URLs or an unknown context size,
    ///   `RemoteEngineError.unreachable` when no upstream answered within `options.startupTimeout`.
    public static func connect(
        urls: [String], options: RemoteEngineOptions = RemoteEngineOptions(),
        logger: Logger = Logger(label: "functionary.remote")
    ) async throws -> RemoteEnginePool {
        let endpoints = try parse(urls)
        let transport = HTTPClientTransport(connectTimeout: options.connectTimeout, readTimeout: options.readTimeout)
        do {
            return try await connect(endpoints: endpoints, options: options, transport: transport, logger: logger)
        } catch {
            try? await transport.shutdown()
            throw error
        }
    }

    static func parse(_ urls: [String]) throws -> [UpstreamEndpoint] {
        guard !urls.isEmpty else { throw RemoteEngineError.invalidConfiguration("no engine URL given (--engine-url)") }
        let endpoints = try urls.map(UpstreamEndpoint.init(url:))
        var seen = Set<String>()
        for endpoint in endpoints where !seen.insert(endpoint.root).inserted {
            throw RemoteEngineError.invalidConfiguration("engine URL \(endpoint.display) is given twice")
        }
        return endpoints
    }

    static func connect(
        endpoints: [UpstreamEndpoint], options: RemoteEngineOptions, transport: any UpstreamTransport, logger: Logger
    ) async throws -> RemoteEnginePool {
        if let size = options.contextSize, size <= 0 {
            throw RemoteEngineError.invalidConfiguration("the context size must be positive, not \(size)")
        }
        let clock = ContinuousClock()
        let deadline = clock.now + options.startupTimeout
        var results: [Result<UpstreamProfile, UpstreamFailure>]
        while true {
            results = await withTaskGroup(of: (Int, Result<UpstreamProfile, UpstreamFailure>).self) { group in
                for (index, endpoint) in endpoints.enumerated() {
                    group.addTask {
                        do {
                            return (index, .success(try await detect(endpoint, options: options, transport: transport)))
                        } catch let failure as UpstreamFailure {
                            return (index, .failure(failure))
                        } catch {
                            return (index, .failure(UpstreamFailure(kind: .connection, message: String(describing: error))))
                        }
                    }
                }
                var ordered = [Result<UpstreamProfile, UpstreamFailure>?](repeating: nil, count: endpoints.count)
                for await (index, result) in group { ordered[index] = result }
                return ordered.map { $0 ?? .failure(UpstreamFailure(kind: .connection, message: "not checked")) }
            }
            let anyAnswered = results.contains { if case .success = $0 { true } else { false } }
            if anyAnswered || (options.kind != nil && options.contextSize != nil) { break }
            if clock.now >= deadline {
                let details = zip(endpoints, results).map { endpoint, result -> String in
                    if case .failure(let failure) = result { return "\(endpoint.display) (\(failure))" }
                    return endpoint.display
                }
                throw RemoteEngineError.unreachable("no engine answered: " + details.joined(separator: ", "))
            }
            try await Task.sleep(for: .seconds(1))
        }
        let known = results.compactMap { try? $0.get() }
        let fallbackKind = options.kind ?? known.first?.kind ?? .openai
        var upstreams: [(UpstreamEndpoint, UpstreamProfile, healthy: Bool)] = []
        for (endpoint, result) in zip(endpoints, results) {
            switch result {
            case .success(let profile):
                upstreams.append((endpoint, profile, true))
                logger.info(
                    "engine connected",
                    metadata: [
                        "engine": "\(endpoint.display)", "kind": "\(profile.kind)", "model": "\(profile.model ?? "-")",
                        "context": "\(profile.contextSize.map(String.init) ?? "?")", "version": "\(profile.version ?? "?")",
                    ])
            case .failure(let failure):
                var profile = UpstreamProfile(kind: fallbackKind, model: options.model ?? known.first?.model)
                profile.grammarField = options.vllmGrammarField ?? known.first?.grammarField ?? .structuredOutputs
                upstreams.append((endpoint, profile, false))
                logger.warning("engine not reachable yet, out of rotation", metadata: ["engine": "\(endpoint.display)", "error": "\(failure)"])
            }
        }
        let reported = known.compactMap(\.contextSize)
        guard let contextSize = options.contextSize ?? reported.min() else {
            throw RemoteEngineError.invalidConfiguration(
                "the engines do not report their context size: pass it with --ctx-size")
        }
        return RemoteEnginePool(upstreams: upstreams, contextSize: contextSize, options: options, transport: transport, logger: logger)
    }

    /// Learns what one upstream is from `/v1/models`, llama.cpp's `/props` and vLLM's `/version`.
    static func detect(_ endpoint: UpstreamEndpoint, options: RemoteEngineOptions, transport: any UpstreamTransport) async throws
        -> UpstreamProfile
    {
        let headers = options.apiKey.map { [("Authorization", "Bearer " + $0)] } ?? []
        func get(_ path: String) async throws -> JSONValue? {
            let request = UpstreamHTTPRequest(method: .get, url: endpoint.url(path), headers: headers, timeout: options.healthCheckTimeout)
            let response = try await transport.send(request)
            let text = try await response.text(limit: 4 << 20)
            if response.status == 503 || response.status >= 500 {
                throw UpstreamFailure.fromBody(.status(response.status), body: text)
            }
            guard response.status == 200 else { return nil }
            return try? JSONValue(parsing: text)
        }
        let models = try await get("/v1/models")
        let card = models?["data"]?.arrayValue?.first
        var profile = UpstreamProfile(kind: options.kind ?? .openai)
        var props: JSONValue? = nil
        if options.kind == nil {
            if let owner = card?["owned_by"]?.stringValue, let kind = RemoteEngineKind.fromOwner(owner) {
                profile.kind = kind
            } else if let answer = try await get("/props"), answer["default_generation_settings"] != nil {
                profile.kind = .llamaCpp
                props = answer
            }
        }
        profile.model = options.model ?? card?["id"]?.stringValue
        profile.contextSize = card?["max_model_len"]?.numberValue?.intValue
        switch profile.kind {
        case .llamaCpp:
            if props == nil { props = try await get("/props") }
            profile.contextSize =
                props?["default_generation_settings"]?["n_ctx"]?.numberValue?.intValue
                ?? card?["meta"]?["n_ctx"]?.numberValue?.intValue ?? profile.contextSize
            profile.slots = props?["total_slots"]?.numberValue?.intValue
            profile.vocabularySize = card?["meta"]?["n_vocab"]?.numberValue?.intValue
            profile.version = props?["build_info"]?.stringValue
        case .vllm:
            if let field = options.vllmGrammarField {
                profile.grammarField = field
            } else {
                let version = (try? await get("/version"))?["version"]?.stringValue
                profile.version = version
                profile.grammarField = version.map(VLLMGrammarField.forVersion) ?? .structuredOutputs
            }
        case .sglang:
            if profile.contextSize == nil {
                for path in ["/server_info", "/get_server_info", "/get_model_info"] {
                    if let info = try? await get(path), let size = info["context_length"]?.numberValue?.intValue {
                        profile.contextSize = size
                        break
                    }
                }
            }
        case .openai:
            break
        }
        if let size = profile.contextSize, size <= 0 { profile.contextSize = nil }
        return profile
    }
}
