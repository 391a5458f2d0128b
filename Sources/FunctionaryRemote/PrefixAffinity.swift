/// Remembers which prompt prefixes each upstream has seen, as chained hashes of fixed-size blocks
/// of the prompt's bytes (the way vLLM hashes its KV-cache blocks), so that the next turn of a
/// conversation can go where its prefix is already cached.
struct PrefixAffinity: Sendable {
    let options: PrefixAffinityOptions
    private var tables: [BlockTable]

    init(upstreams: Int, options: PrefixAffinityOptions) {
        self.options = options
        tables = Array(repeating: BlockTable(), count: upstreams)
    }

    /// The chained hashes of the prompt's whole blocks: hash *i* covers bytes `0 ..< (i + 1) * blockSize`.
    static func blockHashes(of text: String, blockSize: Int) -> [UInt64] {
        let size = max(blockSize, 1)
        var hashes: [UInt64] = []
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var inBlock = 0
        for byte in text.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            inBlock += 1
            if inBlock == size {
                hashes.append(hash)
                inBlock = 0
            }
        }
        return hashes
    }

    /// How many leading blocks of `hashes` upstream `index` has seen.
    func matchedBlocks(_ hashes: [UInt64], upstream index: Int) -> Int {
        guard tables.indices.contains(index) else { return 0 }
        var count = 0
        for hash in hashes {
            guard tables[index].contains(hash) else { break }
            count += 1
        }
        return count
    }

    /// Whether a match of `blocks` blocks is worth routing for, for a prompt of `promptBytes` bytes.
    func isSignificant(blocks: Int, promptBytes: Int) -> Bool {
        guard blocks > 0 else { return false }
        let matched = blocks * options.blockSize
        return matched >= options.minimumMatchBytes || Double(matched) >= options.minimumMatchFraction * Double(max(promptBytes, 1))
    }

    /// Records that upstream `index` now holds these blocks in its cache.
    mutating func record(_ hashes: [UInt64], upstream index: Int) {
        guard tables.indices.contains(index), !hashes.isEmpty else { return }
        tables[index].insert(hashes, capacity: options.capacity)
    }

    /// Forgets everything about upstream `index` (it restarted or failed: its cache is gone).
    mutating func forget(upstream index: Int) {
        guard tables.indices.contains(index) else { return }
        tables[index] = BlockTable()
    }

    func blockCount(upstream index: Int) -> Int { tables.indices.contains(index) ? tables[index].count : 0 }
}

/// A set of block hashes with least-recently-used eviction.
private struct BlockTable: Sendable {
    private var lastUse: [UInt64: UInt64] = [:]
    private var clock: UInt64 = 0

    var count: Int { lastUse.count }

    func contains(_ hash: UInt64) -> Bool { lastUse[hash] != nil }

    mutating func insert(_ hashes: [UInt64], capacity: Int) {
        for hash in hashes {
            clock &+= 1
            lastUse[hash] = clock
        }
        guard lastUse.count > max(capacity, 1) else { return }
        // Evict the oldest eighth at once, so eviction stays rare.
        let keep = max(capacity - capacity / 8, 1)
        let survivors = lastUse.sorted { $0.value > $1.value }.prefix(keep)
        lastUse = Dictionary(uniqueKeysWithValues: survivors.map { ($0.key, $0.value) })
    }
}
