import Synchronization

/// Tells in-flight generations that the server is shutting down: after the grace period they end at
/// their next event, cleanly (final chunk, `[DONE]`), instead of being cut off.
final class StopSignal: Sendable {
    private let deadline = Mutex<ContinuousClock.Instant?>(nil)
    let gracePeriod: Duration

    init(gracePeriod: Duration) {
        self.gracePeriod = gracePeriod
    }

    /// Starts the grace period (idempotent: the first call sets the deadline).
    func trigger() {
        let now = ContinuousClock.now
        deadline.withLock { deadline in
            if deadline == nil { deadline = now.advanced(by: gracePeriod) }
        }
    }

    /// Whether shutdown has begun.
    var isTriggered: Bool { deadline.withLock { $0 != nil } }

    /// Whether generations should end now.
    var shouldStop: Bool {
        guard let deadline = deadline.withLock({ $0 }) else { return false }
        return ContinuousClock.now >= deadline
    }
}
