import Hummingbird
import NIOCore
import Synchronization

/// Fires once, when a connection closes: lets a route wait for its client to leave without reading the
/// connection's inbound stream (the stream stays with Hummingbird, so the connection keeps serving its next request).
///
/// One per connection, made by `ConnectionGuard`; `ConnectionGuard` also closes the connection when the client
/// half-closes while a request is in progress, so a client that shuts down its side is seen here too.
final class ConnectionCloseSignal: Sendable {
    private struct State {
        var closed = false
        var nextID = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        /// Waits cancelled before their continuation was registered (removed again on registration).
        var cancelledEarly: Set<Int> = []
    }

    private let state = Mutex(State())

    var isClosed: Bool { state.withLock { $0.closed } }

    /// Marks the connection closed and wakes every waiter.
    func fire() {
        let waiters = state.withLock { state in
            state.closed = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns when the connection has closed, or when the calling task is cancelled.
    func wait() async {
        let id = state.withLock { state in
            defer { state.nextID &+= 1 }
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state in
                    if state.closed || state.cancelledEarly.remove(id) != nil { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                if let waiter = state.waiters.removeValue(forKey: id) { return waiter }
                // Not registered yet (and not closed, which resumes it anyway): the registration finds this mark.
                if !state.closed { state.cancelledEarly.insert(id) }
                return nil
            }
            waiter?.resume()
        }
    }

    /// Runs `operation`, cancelling it if the connection closes first.
    /// - Throws: `CancellationError` when the connection closed (the client left) before `operation` finished;
    ///   otherwise whatever `operation` throws.
    func cancelling<Value: Sendable>(_ operation: () async throws -> Value) async throws -> Value {
        try await withoutActuallyEscaping(operation) { operation in
            let transfer = OperationTransfer(operation: operation)
            return try await withThrowingTaskGroup(of: Outcome<Value>.self) { group in
                group.addTask { .value(try await transfer.operation()) }
                group.addTask {
                    await self.wait()
                    return .closed
                }
                defer { group.cancelAll() }
                switch try await group.next() {
                case .value(let value):
                    return value
                case .closed, nil:
                    throw CancellationError()
                }
            }
        }
    }

    private enum Outcome<Value: Sendable>: Sendable {
        case value(Value)
        case closed
    }

    /// The operation runs in a child task of the group that `cancelling` awaits before returning, so it never
    /// outlives the call (what `withoutActuallyEscaping` requires); the box only carries it across.
    private struct OperationTransfer<Value>: @unchecked Sendable {
        let operation: () async throws -> Value
    }
}

extension ServerRequestContext {
    /// The close signal of the connection this request came on; nil when it did not come through the server's
    /// pipeline (router tests).
    func connectionCloseSignal() async -> ConnectionCloseSignal? {
        let channel = self.channel
        return try? await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.handler(type: ConnectionGuard.self).closeSignal
        }.get()
    }
}
