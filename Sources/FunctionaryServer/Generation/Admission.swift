import Synchronization

/// Admission control in front of the engine: at most `parallel + maxQueue` generation requests in
/// flight; the next one gets 429 with `Retry-After` at once instead of waiting without bound.
final class Admission: Sendable {
    let slots: Int
    let capacity: Int
    private let inFlight = Mutex(0)

    init(slots: Int, capacity: Int) {
        self.slots = max(1, slots)
        self.capacity = max(1, capacity)
    }

    /// Takes a place, or fails when all are taken.
    /// - Returns: a ticket that gives the place back when released or deallocated.
    func admit() -> Ticket? {
        let admitted = inFlight.withLock { count -> Bool in
            guard count < capacity else { return false }
            count += 1
            return true
        }
        return admitted ? Ticket(admission: self) : nil
    }

    /// Requests admitted and not finished.
    var current: Int { inFlight.withLock { $0 } }

    fileprivate func release() {
        inFlight.withLock { $0 -= 1 }
    }

    /// One admitted request's place. Released once, explicitly or when the last reference goes away
    /// (so a response body that is never written cannot leak a place).
    final class Ticket: Sendable {
        private let admission: Admission
        private let released = Mutex(false)

        fileprivate init(admission: Admission) {
            self.admission = admission
        }

        func release() {
            let first = released.withLock { released -> Bool in
                defer { released = true }
                return !released
            }
            if first { admission.release() }
        }

        deinit { release() }
    }
}
