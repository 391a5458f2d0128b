import FunctionaryProtocol
import Synchronization

/// The responses kept for `previous_response_id`, `GET /v1/responses/{id}` and `/input_items`: in memory,
/// bounded by a number of entries, a number of bytes and an age (`--responses-store-entries`,
/// `--responses-store-bytes`, `--responses-ttl`), the oldest evicted first.
///
/// Each entry belongs to the tenant that created it (`Tenant`): another tenant's lookups and deletes do not see it.
public final class ResponseStore: Sendable {
    /// One stored response.
    struct Entry: Sendable {
        /// The response object as it was returned.
        var response: JSONValue
        /// The input items of its request (with ids), in order.
        var inputItems: [JSONValue]
        /// The whole conversation up to and including this response's output, without `instructions`:
        /// what a request chained to it continues.
        var conversation: [ChatMessage]
        /// The size the bound counts: the response and input items as JSON text, plus the conversation's text.
        var bytes: Int
        /// The tenant that created it.
        var tenant: String
        /// When it was stored (it expires `maxAge` later).
        var storedAt: ContinuousClock.Instant
    }

    private struct State {
        var entries: [String: Entry] = [:]
        /// Ids from oldest to newest.
        var order: [String] = []
        var bytes = 0
    }

    public let maxEntries: Int
    public let maxBytes: Int
    /// How long an entry is kept (`--responses-ttl`).
    public let maxAge: Duration
    private let state = Mutex(State())
    private let now: @Sendable () -> ContinuousClock.Instant

    public init(
        maxEntries: Int = 1000, maxBytes: Int = 64 * 1024 * 1024, maxAge: Duration = .seconds(86_400),
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) {
        self.maxEntries = max(0, maxEntries)
        self.maxBytes = max(0, maxBytes)
        self.maxAge = max(.zero, maxAge)
        self.now = now
    }

    /// The entry `id` of `tenant`; nil when absent, expired or another tenant's.
    func entry(_ id: String, tenant: String) -> Entry? {
        let now = self.now()
        return state.withLock { state in
            guard let entry = state.entries[id], entry.tenant == tenant, now - entry.storedAt < maxAge else { return nil }
            return entry
        }
    }

    /// Keeps a response of `tenant`, evicting expired entries and then the oldest until the bounds hold; one larger
    /// than the whole byte bound is not kept.
    func store(id: String, tenant: String, response: JSONValue, inputItems: [JSONValue], conversation: [ChatMessage]) {
        var bytes = response.compactJSON().utf8.count
        for item in inputItems { bytes += item.compactJSON().utf8.count }
        for message in conversation {
            bytes += (message.text?.utf8.count ?? 0) + 64
            for call in message.toolCalls ?? [] { bytes += call.function.arguments.utf8.count + call.function.name.utf8.count }
        }
        guard maxEntries > 0, bytes <= maxBytes else { return }
        let now = self.now()
        let entry = Entry(response: response, inputItems: inputItems, conversation: conversation, bytes: bytes, tenant: tenant, storedAt: now)
        state.withLock { state in
            if let old = state.entries.removeValue(forKey: id) {
                state.bytes -= old.bytes
                state.order.removeAll { $0 == id }
            }
            state.entries[id] = entry
            state.order.append(id)
            state.bytes += bytes
            var evict = 0
            while evict < state.order.count {
                let oldest = state.order[evict]
                let expired = state.entries[oldest].map { now - $0.storedAt >= maxAge } ?? true
                guard expired || state.order.count - evict > maxEntries || state.bytes > maxBytes else { break }
                if let removed = state.entries.removeValue(forKey: oldest) { state.bytes -= removed.bytes }
                evict += 1
            }
            if evict > 0 { state.order.removeFirst(evict) }
        }
    }

    /// Forgets a response of `tenant`; false when it was not there (or expired, or another tenant's).
    func delete(_ id: String, tenant: String) -> Bool {
        let now = self.now()
        return state.withLock { state in
            guard let entry = state.entries[id], entry.tenant == tenant else { return false }
            state.entries[id] = nil
            state.bytes -= entry.bytes
            state.order.removeAll { $0 == id }
            return now - entry.storedAt < maxAge
        }
    }

    /// How many responses and bytes are kept now.
    var usage: (entries: Int, bytes: Int) { state.withLock { ($0.entries.count, $0.bytes) } }
}
