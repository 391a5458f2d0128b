import FunctionaryProtocol
import Synchronization

/// The responses kept for `previous_response_id`, `GET /v1/responses/{id}` and `/input_items`: in memory,
/// bounded by a number of entries and a number of bytes (`--responses-store-entries`, `--responses-store-bytes`),
/// the oldest evicted first.
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
    }

    private struct State {
        var entries: [String: Entry] = [:]
        /// Ids from oldest to newest.
        var order: [String] = []
        var bytes = 0
    }

    public let maxEntries: Int
    public let maxBytes: Int
    private let state = Mutex(State())

    public init(maxEntries: Int = 1000, maxBytes: Int = 64 * 1024 * 1024) {
        self.maxEntries = max(0, maxEntries)
        self.maxBytes = max(0, maxBytes)
    }

    func entry(_ id: String) -> Entry? { state.withLock { $0.entries[id] } }

    /// Keeps a response, evicting the oldest until both bounds hold; one larger than the whole byte bound is not kept.
    func store(id: String, response: JSONValue, inputItems: [JSONValue], conversation: [ChatMessage]) {
        var bytes = response.compactJSON().utf8.count
        for item in inputItems { bytes += item.compactJSON().utf8.count }
        for message in conversation {
            bytes += (message.text?.utf8.count ?? 0) + 64
            for call in message.toolCalls ?? [] { bytes += call.function.arguments.utf8.count + call.function.name.utf8.count }
        }
        guard maxEntries > 0, bytes <= maxBytes else { return }
        let entry = Entry(response: response, inputItems: inputItems, conversation: conversation, bytes: bytes)
        state.withLock { state in
            if let old = state.entries.removeValue(forKey: id) {
                state.bytes -= old.bytes
                state.order.removeAll { $0 == id }
            }
            state.entries[id] = entry
            state.order.append(id)
            state.bytes += bytes
            var evict = 0
            while state.order.count - evict > maxEntries || state.bytes > maxBytes, evict < state.order.count {
                let oldest = state.order[evict]
                if let removed = state.entries.removeValue(forKey: oldest) { state.bytes -= removed.bytes }
                evict += 1
            }
            if evict > 0 { state.order.removeFirst(evict) }
        }
    }

    /// Forgets a response; false when it was not there.
    func delete(_ id: String) -> Bool {
        state.withLock { state in
            guard let removed = state.entries.removeValue(forKey: id) else { return false }
            state.bytes -= removed.bytes
            state.order.removeAll { $0 == id }
            return true
        }
    }

    /// How many responses and bytes are kept now.
    var usage: (entries: Int, bytes: Int) { state.withLock { ($0.entries.count, $0.bytes) } }
}
