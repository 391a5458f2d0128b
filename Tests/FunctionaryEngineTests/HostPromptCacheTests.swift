import Testing

@testable import FunctionaryEngine

/// The host prompt cache's bookkeeping (no model): partitions, prefix deduplication, the byte budget.
@Suite struct HostPromptCacheTests {
    func state(_ bytes: Int) -> [UInt8] { [UInt8](repeating: 7, count: bytes) }

    @Test func statesAreFoundWithinTheirPartitionOnly() {
        var stored = false
        var cache = HostPromptCache(budget: 1000)
        stored = cache.insert(tokens: Array(1...50), canonical: 0, partition: "a", state: state(10), minimumUsable: 0)
        #expect(stored)
        let prompt = Array(Int32(1)...60)
        #expect(cache.bestMatch(for: prompt, partition: "b", seededChunk: nil, atLeast: 0) == nil)
        #expect(cache.bestMatch(for: prompt, partition: nil, seededChunk: nil, atLeast: 0) == nil)
        let match = cache.bestMatch(for: prompt, partition: "a", seededChunk: nil, atLeast: 0)
        #expect(match?.length == 50)
        // Never the prompt's last token (it is evaluated for its logits), and only beyond `atLeast`.
        #expect(cache.bestMatch(for: Array(1...50), partition: "a", seededChunk: nil, atLeast: 0)?.length == 49)
        #expect(cache.bestMatch(for: prompt, partition: "a", seededChunk: nil, atLeast: 50) == nil)
    }

    @Test func prefixesAreDeduplicated() {
        var stored = false
        var cache = HostPromptCache(budget: 1000)
        stored = cache.insert(tokens: Array(1...40), canonical: 0, partition: "a", state: state(10), minimumUsable: 0)
        #expect(stored)
        // A longer state of the same conversation replaces its prefix.
        stored = cache.insert(tokens: Array(1...80), canonical: 0, partition: "a", state: state(20), minimumUsable: 0)
        #expect(stored)
        #expect(cache.entries.count == 1 && cache.bytes == 20)
        // A prefix of a stored state is not stored again.
        stored = cache.insert(tokens: Array(1...60), canonical: 0, partition: "a", state: state(15), minimumUsable: 0)
        #expect(!stored)
        // Another partition's identical tokens are stored apart.
        stored = cache.insert(tokens: Array(1...60), canonical: 0, partition: "b", state: state(15), minimumUsable: 0)
        #expect(stored)
        #expect(cache.entries.count == 2 && cache.bytes == 35)
        // A long sliding-window state (usable only from its last token) does not serve a shorter prefix: a prefix of it
        // is stored apart, but it replaces the stored states that are its prefixes (earlier turns).
        stored = cache.insert(tokens: Array(1...200), canonical: 0, partition: "a", state: state(50), minimumUsable: 199)
        #expect(stored)
        stored = cache.insert(tokens: Array(1...150), canonical: 0, partition: "a", state: state(30), minimumUsable: 0)
        #expect(stored)
        #expect(cache.entries.count == 3 && cache.bytes == 95)
        #expect(cache.bestMatch(for: Array(1...160), partition: "a", seededChunk: nil, atLeast: 0)?.length == 150)
        #expect(cache.bestMatch(for: Array(1...300), partition: "a", seededChunk: nil, atLeast: 0)?.length == 200)
        stored = cache.insert(tokens: Array(1...260), canonical: 0, partition: "a", state: state(60), minimumUsable: 259)
        #expect(stored)
        #expect(cache.entries.map(\.tokens.count).sorted() == [60, 260] && cache.bytes == 75)
        #expect(cache.bestMatch(for: Array(1...180), partition: "a", seededChunk: nil, atLeast: 0) == nil)
        // A state that serves every prefix replaces one that differs from it only in its last few tokens.
        stored = cache.insert(tokens: Array(1000...1100), canonical: 0, partition: "c", state: state(5), minimumUsable: 0)
        #expect(stored)
        stored = cache.insert(tokens: Array(1000...1090) + Array(2000...2040), canonical: 0, partition: "c", state: state(6), minimumUsable: 0)
        #expect(stored)
        #expect(cache.entries.filter { $0.partition == "c" }.count == 1)
        stored = cache.insert(tokens: Array(1000...1050) + [7], canonical: 0, partition: "c", state: state(6), minimumUsable: 0)
        #expect(stored)
        #expect(cache.entries.filter { $0.partition == "c" }.count == 2, "a divergence far from the end is kept")
    }

    @Test func theBudgetEvictsTheLeastRecentlyUsed() throws {
        var stored = false
        var cache = HostPromptCache(budget: 100)
        stored = cache.insert(tokens: Array(1...10), canonical: 0, partition: nil, state: state(40), minimumUsable: 0)
        #expect(stored)
        stored = cache.insert(tokens: Array(101...110), canonical: 0, partition: nil, state: state(40), minimumUsable: 0)
        #expect(stored)
        // Using the first makes the second the least recently used.
        let first = try #require(cache.bestMatch(for: Array(1...20), partition: nil, seededChunk: nil, atLeast: 0))
        cache.touch(first.index)
        stored = cache.insert(tokens: Array(201...210), canonical: 0, partition: nil, state: state(40), minimumUsable: 0)
        #expect(stored)
        #expect(cache.bytes == 80 && cache.bytes <= cache.budget)
        #expect(cache.bestMatch(for: Array(101...120), partition: nil, seededChunk: nil, atLeast: 0) == nil)
        #expect(cache.bestMatch(for: Array(1...20), partition: nil, seededChunk: nil, atLeast: 0) != nil)
        // A state larger than the whole budget is refused, and evicts nothing.
        stored = cache.insert(tokens: Array(301...310), canonical: 0, partition: nil, state: state(101), minimumUsable: 0)
        #expect(!stored)
        #expect(cache.bytes == 80)
        // A budget of 0 disables the cache.
        var off = HostPromptCache(budget: 0)
        stored = off.insert(tokens: Array(1...10), canonical: 0, partition: nil, state: state(1), minimumUsable: 0)
        #expect(!stored)
    }

    @Test func seededRequestsUseCanonicalChunksOnly() {
        var stored = false
        var cache = HostPromptCache(budget: 1000)
        stored = cache.insert(tokens: Array(1...700), canonical: 600, partition: nil, state: state(10), minimumUsable: 0)
        #expect(stored)
        let prompt = Array(Int32(1)...800)
        #expect(cache.bestMatch(for: prompt, partition: nil, seededChunk: 256, atLeast: 0)?.length == 512)
        #expect(cache.bestMatch(for: prompt, partition: nil, seededChunk: nil, atLeast: 0)?.length == 700)
    }
}
