/// Prompt states of slots whose cells were dropped, kept in host memory (llama-server's `--cache-ram`): when a
/// conversation's slot is taken by another one, its cells are saved here, and its next turn restores them instead of
/// evaluating its whole prompt again (decode thread only).
///
/// Bounded by a byte budget, least recently used first out. States are deduplicated by prefix within a cache
/// partition: a state whose tokens are a prefix of a stored one is not stored when the stored one serves every prompt
/// it would (see `Entry.minimumUsable`), and a stored one whose tokens are a prefix of a new one is replaced (an
/// earlier turn of the same conversation), as is one that differs from a new one that serves all its prefixes only
/// in its last few tokens (a turn's generated end, which the next turn's template renders differently).
struct HostPromptCache {
    struct Entry {
        /// The tokens whose cells the state holds, from position 0.
        let tokens: [Int32]
        /// Leading cells computed as canonical prompt chunks (see `Slot.canonical`): restored cells are bit for bit
        /// the ones saved, so this carries over.
        let canonical: Int
        /// The cache partition of the request that computed the cells: the state is restored only within it.
        let partition: String?
        /// `llama_state_seq_get_data_ext`'s bytes for the sequence.
        let state: [UInt8]
        /// The shortest prefix of `tokens` this state can be restored for. llama.cpp saves only the cells of a
        /// sliding-window layer that the last position still sees, so a long state of a sliding-window model lacks
        /// the earlier window a shorter prefix would need: then only `tokens.count - 1` or more of it can be used.
        /// 0 when every cell was saved.
        let minimumUsable: Int
        var lastUsed: UInt64

        /// Whether storing this state makes `older` redundant (see `HostPromptCache`).
        func supersedes(_ older: Entry) -> Bool {
            guard partition == older.partition else { return false }
            let shared = HostPromptCache.commonPrefixLength(tokens, older.tokens)
            return shared == older.tokens.count
                || (minimumUsable == 0 && shared >= HostPromptCache.tailSlack && older.tokens.count - shared < HostPromptCache.tailSlack)
        }

        /// Whether a restore of this state can serve every prompt `other` (same partition) could serve.
        func serves(_ other: Entry) -> Bool {
            partition == other.partition && other.tokens.count <= tokens.count && minimumUsable <= other.minimumUsable
                && tokens.starts(with: other.tokens)
        }
    }

    /// A stored state that differs from a new one only in fewer last tokens than this is replaced by it.
    static let tailSlack = 32

    /// Bytes the states may take together; 0 disables the cache.
    let budget: Int
    private(set) var entries: [Entry] = []
    /// Bytes of the stored states.
    private(set) var bytes = 0
    private var clock: UInt64 = 0

    init(budget: Int) {
        self.budget = max(0, budget)
    }

    var isEnabled: Bool { budget > 0 }

    /// Whether a state of `tokens` would be stored (a new state of `size` bytes, usable from `minimumUsable`):
    /// false when it exceeds the whole budget or a stored state serves it already. Saves reading a state that
    /// would be dropped.
    func wouldStore(tokens: [Int32], partition: String?, minimumUsable: Int, size: Int) -> Bool {
        guard isEnabled, size > 0, size <= budget else { return false }
        let probe = Entry(tokens: tokens, canonical: 0, partition: partition, state: [], minimumUsable: minimumUsable, lastUsed: 0)
        return !entries.contains { $0.serves(probe) }
    }

    /// Stores a state: drops the stored states it serves, then the least recently used ones until it fits.
    /// Returns whether it was stored.
    @discardableResult
    mutating func insert(tokens: [Int32], canonical: Int, partition: String?, state: [UInt8], minimumUsable: Int) -> Bool {
        guard wouldStore(tokens: tokens, partition: partition, minimumUsable: minimumUsable, size: state.count) else { return false }
        clock &+= 1
        let entry = Entry(
            tokens: tokens, canonical: min(canonical, tokens.count), partition: partition, state: state,
            minimumUsable: minimumUsable, lastUsed: clock)
        remove { entry.supersedes($0) }
        while bytes > budget - entry.state.count, let oldest = entries.indices.min(by: { entries[$0].lastUsed < entries[$1].lastUsed }) {
            bytes -= entries[oldest].state.count
            entries.remove(at: oldest)
        }
        entries.append(entry)
        bytes += entry.state.count
        return true
    }

    /// The stored state of `partition` that serves the longest prefix of `prompt`, and that prefix's length, when it
    /// is longer than `atLeast`. At most `prompt.count - 1` tokens are used (the last one is evaluated for its
    /// logits); with `seededChunk`, only canonical cells up to a multiple of it (see `Scheduler.promptChunk`).
    func bestMatch(for prompt: [Int32], partition: String?, seededChunk: Int?, atLeast: Int) -> (index: Int, length: Int)? {
        var best: (index: Int, length: Int)? = nil
        for (index, entry) in entries.enumerated() where entry.partition == partition {
            var length = min(Self.commonPrefixLength(entry.tokens, prompt), prompt.count - 1)
            if let chunk = seededChunk, chunk > 0 { length = min(length, entry.canonical) / chunk * chunk }
            guard length >= entry.minimumUsable, length > atLeast, length > (best?.length ?? 0) else { continue }
            best = (index, length)
        }
        return best
    }

    /// Marks a state as just used (it is kept longest).
    mutating func touch(_ index: Int) {
        clock &+= 1
        entries[index].lastUsed = clock
    }

    /// Drops a state (one that could not be restored).
    mutating func remove(at index: Int) {
        bytes -= entries[index].state.count
        entries.remove(at: index)
    }

    private mutating func remove(where predicate: (Entry) -> Bool) {
        for index in entries.indices.reversed() where predicate(entries[index]) {
            remove(at: index)
        }
    }

    static func commonPrefixLength(_ a: [Int32], _ b: [Int32]) -> Int {
        var i = 0
        let n = min(a.count, b.count)
        while i < n, a[i] == b[i] { i += 1 }
        return i
    }
}
