import FunctionaryProtocol
import Logging

extension RemoteEnginePool {
    /// How one attempt on one upstream ended.
    enum AttemptOutcome {
        /// Every choice finished; carries choice 0's text (for prefix affinity).
        case completed(String)
        /// Nothing reached the consumer: another upstream may try.
        case failedBeforeOutput(UpstreamFailure)
        /// Output had been streamed when the upstream failed.
        case failedAfterOutput(UpstreamFailure)
        /// A failure that is ours to report as is (no retry).
        case rejected(GenerationError)
        case cancelled
    }

    func drive(_ request: GenerationRequest, continuation: AsyncThrowingStream<GenerationEvent, any Error>.Continuation) async {
        do {
            try await route(request, continuation: continuation)
            continuation.finish()
        } catch {
            continuation.finish(throwing: error)
        }
    }

    private func route(_ request: GenerationRequest, continuation: AsyncThrowingStream<GenerationEvent, any Error>.Continuation)
        async throws
    {
        guard request.n >= 1 else { throw GenerationError.invalidParameter(name: "n", message: "n must be at least 1") }
        let grammar = try request.constraint.map { constraint -> String in
            let rendered = try ConstraintGrammar.render(constraint)
            if !rendered.warnings.isEmpty {
                logger.warning("grammar for the engines is incomplete", metadata: ["warnings": "\(rendered.warnings)"])
            }
            if rendered.grammar.utf8.count > options.maxGrammarBytes {
                throw GenerationError.invalidConstraint(
                    "the grammar for this request is \(rendered.grammar.utf8.count) bytes, over the limit of \(options.maxGrammarBytes) (--max-grammar-bytes)"
                )
            }
            return rendered.grammar
        }
        let hashes = options.affinity.enabled ? PrefixAffinity.blockHashes(of: request.prompt, blockSize: options.affinity.blockSize) : []
        let promptBytes = request.prompt.utf8.count
        var tried = Set<Int>()
        var lastFailure: (endpoint: UpstreamEndpoint, failure: UpstreamFailure)? = nil
        var probed = false
        while true {
            try Task.checkCancellation()
            guard let lease = await router.acquire(hashes: hashes, promptBytes: promptBytes, excluding: tried) else {
                if !probed {
                    // Nothing healthy (left): look again at once rather than waiting for the next health check,
                    // and give the engines that answer one more chance (once: `probed`).
                    probed = true
                    if await checkHealth(onlyUnhealthy: true) > 0 {
                        tried.removeAll()
                        continue
                    }
                }
                throw unavailableError(lastFailure: lastFailure)
            }
            tried.insert(lease.index)
            let upstreamGrammar: String?
            do {
                if let constraintError = unsupportedConstraint(grammar: grammar, lease: lease) { throw constraintError }
                // llama.cpp ignores ids beyond its vocabulary without a word; vLLM and SGLang refuse them themselves.
                if let vocabularySize = lease.profile.vocabularySize {
                    try request.sampling.checkLogitBias(vocabularySize: vocabularySize)
                }
                upstreamGrammar = try await grammar.asyncMap { try await resolvingTokens(in: $0, lease: lease) }
            } catch {
                await router.release(lease)
                throw error
            }
            let outcome = await attempt(request, grammar: upstreamGrammar, lease: lease, continuation: continuation)
            switch outcome {
            case .completed(let text):
                let cached = text.isEmpty ? [] : PrefixAffinity.blockHashes(of: request.prompt + text, blockSize: options.affinity.blockSize)
                await router.release(lease, cachedHashes: options.affinity.enabled ? cached : [])
                return
            case .cancelled:
                await router.release(lease)
                throw CancellationError()
            case .rejected(let error):
                await router.release(lease)
                throw error
            case .failedBeforeOutput(let failure):
                await router.release(lease)
                await noteFailure(failure, lease: lease, midStream: false)
                guard failure.isRetryable else {
                    throw UpstreamErrorMapper.generationError(
                        failure, upstream: lease.endpoint.display, requestedMaxTokens: request.sampling.maxTokens)
                }
                lastFailure = (lease.endpoint, failure)
            case .failedAfterOutput(let failure):
                await router.release(lease)
                await noteFailure(failure, lease: lease, midStream: true)
                throw GenerationError.engineFailure("the engine at \(lease.endpoint.display) failed mid-stream: \(failure)")
            }
        }
    }

    /// `no healthy engine: http://a, http://b`, with the last upstream error when there was one.
    func unavailableError(lastFailure: (endpoint: UpstreamEndpoint, failure: UpstreamFailure)?) -> GenerationError {
        var message = "no healthy engine: " + endpoints.map(\.display).joined(separator: ", ")
        if let lastFailure { message += " (last error from \(lastFailure.endpoint.display): \(lastFailure.failure))" }
        return .unavailable(message)
    }

    private func unsupportedConstraint(grammar: String?, lease: UpstreamRouter.Lease) -> GenerationError? {
        guard grammar != nil, !lease.profile.kind.supportsGrammar else { return nil }
        return .invalidConstraint(
            "the engine at \(lease.endpoint.display) (kind openai) cannot enforce grammars, which tool_choice and response_format need; "
                + "serve the model with vLLM, SGLang or llama.cpp and pass --engine-kind accordingly")
    }

    private func noteFailure(_ failure: UpstreamFailure, lease: UpstreamRouter.Lease, midStream: Bool) async {
        let metadata: Logger.Metadata = ["engine": "\(lease.endpoint.display)", "error": "\(failure)", "midStream": "\(midStream)"]
        guard failure.marksUnhealthy else {
            logger.info("engine request failed", metadata: metadata)
            return
        }
        await tokenCache.forget(upstream: lease.endpoint.root)
        if await router.markUnhealthy(lease.index, reason: failure.description) {
            logger.warning("engine taken out of rotation", metadata: metadata)
        }
    }

    /// Sends the request to one upstream and streams what it returns into `continuation`.
    private func attempt(
        _ request: GenerationRequest, grammar: String?, lease: UpstreamRouter.Lease,
        continuation: AsyncThrowingStream<GenerationEvent, any Error>.Continuation
    ) async -> AttemptOutcome {
        var produced = false
        do {
            let maxTokens = try await completionBudget(request, lease: lease)
            let builder = CompletionRequestBuilder(profile: lease.profile)
            // Client text that spells special tokens goes to llama.cpp as token ids (tokenized there without special
            // parsing); other engines get it made inert (`PromptText.inert`).
            let literalTokens = lease.profile.kind == .llamaCpp ? await tokenizeLiterals(of: request.prompt, lease: lease) : nil
            let body = builder.body(for: request, grammar: grammar, maxTokens: maxTokens, literalTokens: literalTokens)
            let httpRequest = UpstreamHTTPRequest(
                method: .post, url: lease.endpoint.url(lease.profile.completionPath), body: Array(body.compactJSON().utf8),
                headers: authorizationHeaders + [("Accept", "text/event-stream")], timeout: options.requestTimeout)
            let response = try await transport.send(httpRequest)
            guard response.status == 200 else {
                let text = (try? await response.text(limit: 1 << 16)) ?? ""
                return .failedBeforeOutput(UpstreamFailure.fromBody(.status(response.status), body: text))
            }
            var sse = ServerSentEventDecoder()
            var decoder = UpstreamStreamDecoder(
                kind: lease.profile.kind, choices: request.n, topLogprobs: request.sampling.logprobs, stops: request.sampling.stop)
            var firstChoiceText = ""
            func emit(_ events: [GenerationEvent]) {
                for event in events {
                    if case .text(0, let text) = event { firstChoiceText += text }
                    continuation.yield(event)
                    produced = true
                }
            }
            while let chunk = try await response.nextChunk() {
                for event in try sse.feed(chunk) where !decoder.isDone {
                    emit(try decoder.decode(event))
                }
            }
            for event in sse.finish() where !decoder.isDone {
                emit(try decoder.decode(event))
            }
            guard decoder.isDone || decoder.allChoicesFinished else {
                let failure = UpstreamFailure(kind: .truncated, message: "the connection closed before the completion finished")
                return produced ? .failedAfterOutput(failure) : .failedBeforeOutput(failure)
            }
            emit(decoder.finishRemaining())
            continuation.yield(.usage(decoder.usage))
            return .completed(firstChoiceText)
        } catch is CancellationError {
            return .cancelled
        } catch let failure as UpstreamFailure {
            if Task.isCancelled { return .cancelled }
            return produced ? .failedAfterOutput(failure) : .failedBeforeOutput(failure)
        } catch let error as GenerationError {
            return .rejected(error)
        } catch let error as ServerSentEventError {
            let message: String
            switch error {
            case .lineTooLong(let limit): message = "an event line exceeded \(limit) bytes"
            case .eventTooLong(let limit): message = "an event's data lines exceeded \(limit) bytes"
            }
            let failure = UpstreamFailure(kind: .protocolViolation, message: message)
            return produced ? .failedAfterOutput(failure) : .failedBeforeOutput(failure)
        } catch {
            if Task.isCancelled { return .cancelled }
            let failure = UpstreamFailure(kind: .connection, message: String(describing: error))
            return produced ? .failedAfterOutput(failure) : .failedBeforeOutput(failure)
        }
    }
}
