import FunctionaryProtocol

/// One generation's event stream as a request consumes it, with its bookkeeping: the admission ticket,
/// time to first token, usage, and the shutdown stop.
///
/// A streaming request reads the first event in its handler (so that an engine error such as a context
/// overflow can still be answered with its HTTP status), and the rest in the response body writer.
///
/// `@unchecked Sendable`: the cursor is used by one request at a time, never concurrently. The handler
/// awaits `next()` (inside `ConnectionCloseSignal.cancelling`, whose child task has ended before the handler
/// returns); the body writer, which Hummingbird runs after the handler returns, in the same
/// task, reads on. The mutable state is only touched from those sequential steps.
final class GenerationCursor: @unchecked Sendable {
    private var iterator: AsyncThrowingStream<GenerationEvent, any Error>.AsyncIterator?
    private var ticket: Admission.Ticket?
    private let metrics: ServerMetrics
    private let record: RequestRecord
    private let stop: StopSignal
    private let retryAfter: Int
    let started: ContinuousClock.Instant
    private var sawText = false
    /// The engine's usage, once it has been sent.
    private(set) var usage: GenerationUsage?
    /// The generation was ended by the server's shutdown, not by the engine.
    private(set) var stoppedByShutdown = false

    /// The finish reason of a choice the engine did not finish: `length` when the server's shutdown cut it, else `stop`.
    var unfinishedReason: FinishReason { stoppedByShutdown ? .length : .stop }

    init(
        stream: AsyncThrowingStream<GenerationEvent, any Error>, ticket: Admission.Ticket, metrics: ServerMetrics,
        record: RequestRecord, stop: StopSignal, retryAfter: Int, started: ContinuousClock.Instant
    ) {
        self.iterator = stream.makeAsyncIterator()
        self.ticket = ticket
        self.metrics = metrics
        self.record = record
        self.stop = stop
        self.retryAfter = retryAfter
        self.started = started
    }

    /// The next event, or `nil` at the end (also when the consuming task was cancelled or the server stops).
    /// - Throws: `OpenAIError` for an engine error.
    func next() async throws(OpenAIError) -> GenerationEvent? {
        guard iterator != nil else { return nil }
        if stop.shouldStop {
            stoppedByShutdown = true
            close()
            return nil
        }
        let event: GenerationEvent?
        do {
            event = try await iterator?.next()
        } catch let error as GenerationError {
            close()
            throw OpenAIError(error, retryAfter: retryAfter)
        } catch is CancellationError {
            close()
            return nil
        } catch {
            close()
            throw OpenAIError.internalError("Engine failure: \(error)")
        }
        guard let event else {
            close()
            return nil
        }
        observe(event)
        return event
    }

    /// Ends the generation: drops the engine stream (which cancels it if it is still running) and frees the admission place.
    func close() {
        iterator = nil
        ticket?.release()
        ticket = nil
    }

    private func observe(_ event: GenerationEvent) {
        switch event {
        case .text:
            if !sawText {
                sawText = true
                metrics.recordTimeToFirstToken(ContinuousClock.now - started)
            }
        case .usage(let usage):
            self.usage = usage
            metrics.recordUsage(usage)
            record.update {
                $0.promptTokens = usage.promptTokens
                $0.completionTokens = usage.completionTokens
                $0.cachedPromptTokens = usage.cachedPromptTokens
            }
        case .finished, .logprobs, .stopSequence:
            break
        }
    }

    deinit {
        ticket?.release()
    }
}
