import FunctionaryProtocol
import Synchronization

/// A `TextGenerator` that replays a script: text deltas, finish reasons, usage, errors, and waits. It records
/// the requests it gets and counts the generations its consumer cancelled.
final class ScriptedEngine: TextGenerator, EngineStatsProviding {
    enum Step: Sendable {
        case text(Int, String)
        case finish(Int, FinishReason)
        case usage(prompt: Int, completion: Int, cached: Int = 0, restored: Int = 0)
        case fail(GenerationError)
        /// Waits until `release()` (or cancellation).
        case hold
        /// Sends `text` for `choice` every `interval` until cancelled (a generation that never ends by itself).
        case endless(Int, String, interval: Duration)
        case sleep(Duration)
        /// Log probabilities of tokens of `choice`.
        case logprobs(Int, [TokenLogprobs])
    }

    let contextSize: Int
    let slots: Int
    private let script: @Sendable (GenerationRequest) -> [Step]
    private let state = Mutex(State())

    struct State {
        var requests: [GenerationRequest] = []
        var cancellations = 0
        var active = 0
        var released = false
    }

    init(contextSize: Int = 4096, slots: Int = 4, script: @escaping @Sendable (GenerationRequest) -> [Step]) {
        self.contextSize = contextSize
        self.slots = slots
        self.script = script
    }

    /// Replays `steps` for every request.
    convenience init(contextSize: Int = 4096, steps: [Step]) {
        self.init(contextSize: contextSize, script: { _ in steps })
    }

    var requests: [GenerationRequest] { state.withLock { $0.requests } }
    var cancellations: Int { state.withLock { $0.cancellations } }
    var active: Int { state.withLock { $0.active } }

    /// Lets every `.hold` step go on.
    func release() {
        state.withLock { $0.released = true }
    }

    func stats() async -> EngineStats {
        let active = self.active
        return EngineStats(activeSlots: min(active, slots), totalSlots: slots, queuedRequests: max(0, active - slots))
    }

    func generate(_ request: GenerationRequest) -> AsyncThrowingStream<GenerationEvent, any Error> {
        state.withLock {
            $0.requests.append(request)
            $0.active += 1
        }
        let steps = script(request)
        return AsyncThrowingStream { continuation in
            let task = Task {
                defer { self.state.withLock { $0.active -= 1 } }
                do {
                    for step in steps {
                        try Task.checkCancellation()
                        try await self.perform(step, continuation)
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { termination in
                if case .cancelled = termination {
                    self.state.withLock { $0.cancellations += 1 }
                }
                task.cancel()
            }
        }
    }

    private func perform(_ step: Step, _ continuation: AsyncThrowingStream<GenerationEvent, any Error>.Continuation) async throws {
        switch step {
        case .text(let choice, let text):
            continuation.yield(.text(choice: choice, text))
        case .finish(let choice, let reason):
            continuation.yield(.finished(choice: choice, reason))
        case .usage(let prompt, let completion, let cached, let restored):
            continuation.yield(
                .usage(
                    GenerationUsage(
                        promptTokens: prompt, completionTokens: completion, cachedPromptTokens: cached, restoredPromptTokens: restored)))
        case .fail(let error):
            throw error
        case .hold:
            while !state.withLock({ $0.released }) {
                try await Task.sleep(for: .milliseconds(5))
            }
        case .endless(let choice, let text, let interval):
            while true {
                continuation.yield(.text(choice: choice, text))
                try await Task.sleep(for: interval)
            }
        case .sleep(let duration):
            try await Task.sleep(for: duration)
        case .logprobs(let choice, let entries):
            continuation.yield(.logprobs(choice: choice, entries))
        }
    }
}

extension ScriptedEngine {
    /// A script answering `text` in one choice, in pieces of `pieces`.
    static func answering(_ pieces: [String], reason: FinishReason = .stop, prompt: Int = 10) -> ScriptedEngine {
        ScriptedEngine(steps: pieces.map { .text(0, $0) } + [.finish(0, reason), .usage(prompt: prompt, completion: pieces.count)])
    }
}
