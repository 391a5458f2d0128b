import CLlama
import FunctionaryProtocol

extension Scheduler {
    /// Gives a job its slots: for the prompt, the free slot of the job's cache partition whose cache shares the
    /// longest prefix with it (the cache beyond that prefix is dropped); for further choices, the least recently used.
    /// A slot that holds another partition's cells counts as sharing nothing: its cells are dropped, never reused.
    func admit(_ pending: PendingJob) {
        let free = slots.indices.filter { !slots[$0].busy }
        guard free.count >= pending.choiceCount else {
            pending.continuation.finish(throwing: GenerationError.engineFailure("no free slot"))
            return
        }
        let prefixes = free.map { slot -> Int in
            guard slots[slot].partition == pending.partition else { return 0 }
            let length = commonPrefixLength(slots[slot].tokens, pending.tokens)
            // Cells restored from a sliding-window state serve only prefixes from `minimumUsable` on.
            return min(length, pending.tokens.count - 1) >= slots[slot].minimumUsable ? length : 0
        }
        var primary = free[0]
        var best = -1
        for (slot, length) in zip(free, prefixes) {
            if length > best || (length == best && slots[slot].lastUsed < slots[primary].lastUsed) {
                primary = slot
                best = length
            }
        }
        let others = free.filter { $0 != primary }.sorted { slots[$0].lastUsed < slots[$1].lastUsed }
        let chosen = [primary] + others.prefix(pending.choiceCount - 1)

        let memory = llama_get_memory(context)
        // At least the last prompt token is evaluated, for its logits. A match of a token or two (BOS)
        // saves nothing; clearing instead lays the prompt out as in a fresh context.
        var reused = min(best, pending.tokens.count - 1)
        if pending.sampling.seed != nil {
            // Reproducible: only canonical cells, up to a chunk boundary (see `Scheduler.promptChunk`).
            reused = min(reused, slots[primary].canonical) / promptChunk * promptChunk
        }
        if reused < 3 || reused < slots[primary].minimumUsable { reused = 0 }
        // Before cells are dropped, the host cache saves what the slots held (another conversation's, most often).
        saveToHostCache(primary, keeping: reused)
        for slot in chosen.dropFirst() { saveToHostCache(slot, keeping: 0) }
        let sequence = slots[primary].sequence
        if reused <= 0 || !llama_memory_seq_rm(memory, sequence, llama_pos(reused), -1)
            || (slots[primary].minimumUsable == 0 && llama_memory_seq_pos_min(memory, sequence) != 0)
        {
            llama_memory_seq_rm(memory, sequence, -1, -1)
            reused = 0
            slots[primary].minimumUsable = 0
        }
        slots[primary].tokens.removeSubrange(reused...)
        slots[primary].canonical = min(slots[primary].canonical, reused)
        slots[primary].promptCells = min(slots[primary].promptCells, reused)
        var restored = 0
        if let result = restoreFromHostCache(pending, into: primary, reusing: reused) {
            restored = result
            reused = result
        }
        var copied = 0
        if let result = copySharedPrefix(pending, into: primary, reusing: reused, excluding: Set(chosen)) {
            copied = result
            reused = result
            restored = 0
        }
        for slot in chosen.dropFirst() {
            llama_memory_seq_rm(memory, slots[slot].sequence, -1, -1)
            slots[slot].tokens.removeAll()
            slots[slot].canonical = 0
            slots[slot].promptCells = 0
            slots[slot].minimumUsable = 0
        }

        var choices: [ChoiceState] = []
        let account = GrammarAccount()
        do {
            for (index, slot) in chosen.enumerated() {
                let grammar: UnsafeMutablePointer<llama_sampler>?
                if let compiled = pending.grammar {
                    guard let sampler = compiled.makeSampler() else {
                        throw GenerationError.engineFailure("llama.cpp could not copy the grammar")
                    }
                    grammar = sampler
                } else {
                    grammar = nil
                }
                let sampler = try TokenSampler(
                    parameters: pending.sampling, seed: pending.seed &+ UInt32(truncatingIfNeeded: index), grammar: grammar,
                    model: model, contextSize: contextSize, grammarBudget: grammarBudget, grammarAccount: account)
                let choice = ChoiceState(index: index, slot: slot, sampler: sampler, stops: pending.stopStrings)
                if pending.sampling.logprobs != nil { choice.logprobs = LogprobTracker() }
                choices.append(choice)
            }
        } catch {
            pending.continuation.finish(throwing: error)
            return
        }
        tick += 1
        for slot in chosen {
            slots[slot].partition = pending.partition
            slots[slot].busy = true
            slots[slot].lastUsed = tick
        }
        let job = ActiveJob(pending: pending, choices: choices, cachedPromptTokens: reused)
        job.copiedPromptTokens = copied
        job.restoredPromptTokens = restored
        active.append(job)
    }

    /// The fewest extra prompt tokens a copy from another slot must save: copying a sequence moves its whole KV
    /// stream (llama.cpp copies between streams only whole), about as long as evaluating a few dozen tokens.
    static let minimumSharedPrefixGain = 64

    /// When another slot (running or not) of the job's cache partition holds a longer prefix of the prompt than
    /// `primary` keeps (`reusing`
    /// tokens), copies that slot's cells into `primary`'s sequence and keeps the shared prefix: a new conversation
    /// with the system prompt and tool definitions another conversation already has starts after them. Returns the
    /// prompt tokens `primary` now holds: the copied prefix, or 0 when the copy failed and left it empty; nil when
    /// there was nothing worth copying (`primary` is untouched).
    private func copySharedPrefix(_ pending: PendingJob, into primary: Int, reusing: Int, excluding: Set<Int>) -> Int? {
        var donor: Int? = nil
        var length = reusing
        for slot in slots.indices where !excluding.contains(slot) && slots[slot].partition == pending.partition {
            var shared = min(commonPrefixLength(slots[slot].tokens, pending.tokens), pending.tokens.count - 1)
            if pending.sampling.seed != nil { shared = min(shared, slots[slot].canonical) / promptChunk * promptChunk }
            if shared > length, shared >= slots[slot].minimumUsable {
                donor = slot
                length = shared
            }
        }
        guard let donor, length - reusing >= Self.minimumSharedPrefixGain else { return nil }
        let memory = llama_get_memory(context)
        let sequence = slots[primary].sequence
        llama_memory_seq_rm(memory, sequence, -1, -1)
        // Whole-stream copy (performed by llama.cpp before the next decode), then the part after the prefix goes.
        llama_memory_seq_cp(memory, slots[donor].sequence, sequence, -1, -1)
        guard llama_memory_seq_rm(memory, sequence, llama_pos(length), -1),
            slots[donor].minimumUsable > 0 || llama_memory_seq_pos_min(memory, sequence) == 0
        else {
            llama_memory_seq_rm(memory, sequence, -1, -1)
            slots[primary].tokens.removeAll()
            slots[primary].canonical = 0
            slots[primary].promptCells = 0
            slots[primary].minimumUsable = 0
            return 0
        }
        slots[primary].tokens = Array(slots[donor].tokens[..<length])
        slots[primary].canonical = min(slots[donor].canonical, length)
        slots[primary].promptCells = min(slots[donor].promptCells, length)
        slots[primary].minimumUsable = slots[donor].minimumUsable
        return length
    }

    private func commonPrefixLength(_ a: [llama_token], _ b: [llama_token]) -> Int {
        var i = 0
        let n = min(a.count, b.count)
        while i < n, a[i] == b[i] { i += 1 }
        return i
    }
}
