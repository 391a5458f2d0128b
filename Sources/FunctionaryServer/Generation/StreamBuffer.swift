import Synchronization

/// The text of one streaming response between the task that reads its generation and the one that writes to the
/// client, bounded in bytes (`--max-stream-buffer`).
///
/// The generation is read as fast as the engine produces it (so the engine's own event stream never piles up, and
/// the generation's admission place is freed when it ends, not when a slow client has read it all); what the
/// client has not accepted yet waits here. A client that falls more than the limit behind and does not catch up within
/// `drainTime` (one that reads a few bytes every now and then, never stalling long enough for the write timeout)
/// overflows it: the stream is then ended and its generation cancelled.
final class StreamBuffer: Sendable {
    private struct State {
        var pending: [String] = []
        var bytes = 0
        var finished = false
        var overflowed = false
        var waiter: CheckedContinuation<String?, Never>?
    }

    /// The most bytes waiting for the client.
    let limit: Int
    private let state = Mutex(State())

    /// How long the writer has to take a backlog over `limit` before the stream is ended.
    let drainTime: Duration

    init(limit: Int, drainTime: Duration = .seconds(5)) {
        self.limit = max(1, limit)
        self.drainTime = drainTime
    }

    /// Adds text for the client. When more than `limit` bytes are waiting, waits for the writer to take them (a
    /// burst from the engine to a client that reads at once); if the client has not taken them within `drainTime`,
    /// the buffer overflows.
    /// - Returns: false when the buffer overflowed (it is then finished), or the task was cancelled.
    func push(_ text: String) async -> Bool {
        guard !text.isEmpty else { return true }
        let waiter: CheckedContinuation<String?, Never>?? = state.withLock { state in
            guard !state.finished else { return .some(nil) }
            if let waiter = state.waiter {
                state.waiter = nil
                return .some(waiter)
            }
            state.pending.append(text)
            state.bytes += text.utf8.count
            return nil
        }
        switch waiter {
        case .some(nil): return false
        case .some(let writer?):
            // A waiting writer gets the text at once.
            writer.resume(returning: text)
            return true
        case nil: break
        }
        let deadline = ContinuousClock.now + drainTime
        while state.withLock({ $0.bytes > limit && !$0.finished }) {
            if Task.isCancelled { return false }
            if ContinuousClock.now >= deadline {
                let writer = state.withLock { state -> CheckedContinuation<String?, Never>? in
                    state.overflowed = true
                    state.finished = true
                    state.pending.removeAll()
                    state.bytes = 0
                    defer { state.waiter = nil }
                    return state.waiter
                }
                writer?.resume(returning: nil)
                return false
            }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return state.withLock { !$0.overflowed }
    }

    /// No more text will come; the writer gets what is pending, then nil.
    func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<String?, Never>? in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// All the pending text at once, waiting for some; nil once finished and drained (or overflowed).
    func next() async -> String? {
        await withCheckedContinuation { continuation in
            let ready: String?? = state.withLock { state in
                if !state.pending.isEmpty {
                    let text = state.pending.count == 1 ? state.pending[0] : state.pending.joined()
                    state.pending.removeAll(keepingCapacity: true)
                    state.bytes = 0
                    return .some(text)
                }
                if state.finished { return .some(nil) }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// Whether the client fell more than `limit` bytes behind.
    var overflowed: Bool { state.withLock { $0.overflowed } }
}
