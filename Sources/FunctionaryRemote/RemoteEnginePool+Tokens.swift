import FunctionaryProtocol

extension RemoteEnginePool {
    /// The grammar with its token references settled for the engine of `lease`; llama.cpp engines are
    /// asked (once per marker) whether a marker is one token of their vocabulary.
    func resolvingTokens(in grammar: String, lease: UpstreamRouter.Lease) async throws -> String {
        try await ConstraintGrammar.resolvingTokens(in: grammar, kind: lease.profile.kind) { marker in
            await self.singleToken(marker, lease: lease)
        }
    }

    /// The id of `marker` when the llama.cpp server at `lease` reads it as one token (`/tokenize`
    /// parses special tokens), cached per engine; `nil` when it is several tokens or the engine did
    /// not answer (then not cached).
    func singleToken(_ marker: String, lease: UpstreamRouter.Lease) async -> Int? {
        switch await tokenCache.lookup(marker, upstream: lease.endpoint.root) {
        case .single(let id)?: return id
        case .several?: return nil
        case nil: break
        }
        let body = JSONValue.object(["content": .string(marker), "add_special": false, "parse_special": true])
        let request = UpstreamHTTPRequest(
            method: .post, url: lease.endpoint.url("/tokenize"), body: Array(body.compactJSON().utf8), headers: authorizationHeaders,
            timeout: options.healthCheckTimeout)
        guard let response = try? await transport.send(request), response.status == 200,
            let text = try? await response.text(limit: 1 << 16), let json = try? JSONValue(parsing: text),
            let tokens = json["tokens"]?.arrayValue
        else { return nil }
        let id: Int? = tokens.count == 1 ? (tokens[0].numberValue?.intValue ?? tokens[0]["id"]?.numberValue?.intValue) : nil
        await tokenCache.store(id, for: marker, upstream: lease.endpoint.root)
        return id
    }
}

extension RemoteEnginePool {
    /// The token ids of each literal segment of `prompt` (`PromptText`), from the llama.cpp server at `lease`
    /// tokenizing them without special-token parsing; nil when the prompt has none or the server did not answer.
    func tokenizeLiterals(of prompt: String, lease: UpstreamRouter.Lease) async -> [[Int]]? {
        guard PromptText.hasLiterals(prompt) else { return nil }
        var result: [[Int]] = []
        for segment in PromptText.segments(prompt) where segment.isLiteral {
            let body = JSONValue.object(["content": .string(segment.text), "add_special": false, "parse_special": false])
            let request = UpstreamHTTPRequest(
                method: .post, url: lease.endpoint.url("/tokenize"), body: Array(body.compactJSON().utf8),
                headers: authorizationHeaders, timeout: options.healthCheckTimeout)
            guard let response = try? await transport.send(request), response.status == 200,
                let text = try? await response.text(limit: 1 << 20), let json = try? JSONValue(parsing: text),
                let tokens = json["tokens"]?.arrayValue
            else { return nil }
            let ids = tokens.compactMap { $0.numberValue?.intValue ?? $0["id"]?.numberValue?.intValue }
            guard ids.count == tokens.count else { return nil }
            result.append(ids)
        }
        return result
    }
}

extension ConstraintGrammar {
    /// `resolvingTokens(in:tokenIDs:tokenID:)` for a remote engine of `kind`: llama.cpp servers read token ids,
    /// and are asked about each marker first (`tokenID`, which may wait for the engine); vLLM and SGLang are not.
    static func resolvingTokens(
        in grammar: String, kind: RemoteEngineKind, tokenID: (String) async -> Int?
    ) async throws -> String {
        var ids: [String: Int] = [:]
        if kind == .llamaCpp {
            for marker in try tokenMarkers(in: grammar).sorted() {
                ids[marker] = await tokenID(marker)
            }
        }
        return try resolvingTokens(in: grammar, tokenIDs: kind == .llamaCpp) { ids[$0] }
    }
}

/// Markers' token ids per engine.
actor TokenIDCache {
    /// What an engine said about a marker.
    enum Answer: Sendable, Hashable {
        case single(Int)
        case several
    }

    private var answers: [String: [String: Answer]] = [:]

    /// The stored answer, `nil` when the engine was never asked.
    func lookup(_ marker: String, upstream: String) -> Answer? {
        answers[upstream]?[marker]
    }

    func store(_ id: Int?, for marker: String, upstream: String) {
        answers[upstream, default: [:]][marker] = id.map(Answer.single) ?? .several
    }

    /// Forgets an engine's answers (it restarted, maybe with another model).
    func forget(upstream: String) {
        answers[upstream] = nil
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        switch self {
        case .some(let value): return try await transform(value)
        case .none: return nil
        }
    }
}
