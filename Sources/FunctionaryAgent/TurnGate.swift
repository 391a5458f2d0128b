/// One holder at a time, the others served in the order they came: what keeps an actor's long operations (a
/// conversation's runs, an interpreter's cells) from interleaving at their suspension points.
struct TurnGate {
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    /// Takes the gate if it is free; otherwise the caller waits with `enqueue`.
    mutating func tryEnter() -> Bool {
        if busy { return false }
        busy = true
        return true
    }

    mutating func enqueue(_ waiter: CheckedContinuation<Void, Never>) {
        waiters.append(waiter)
    }

    /// Hands the gate to the next waiter, or frees it.
    mutating func leave() {
        if waiters.isEmpty {
            busy = false
        } else {
            waiters.removeFirst().resume()
        }
    }
}
