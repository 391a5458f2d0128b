import CLlama

extension Scheduler {
    /// The fewest prompt tokens a host-cache save must keep from being dropped, and a restore must add to what the
    /// slot keeps: below that, copying the state is not worth it.
    static let minimumHostCacheTokens = 32

    /// As llama-server saves and restores slot states (`server_slot::prompt_save`, `server_prompt_cache::load`): the
    /// whole sequence (full-attention and sliding-window caches), in host memory.
    private static let stateFlags = llama_state_seq_flags(LLAMA_STATE_SEQ_FLAGS_NONE)

    /// Before a slot's cells past `keeping` tokens are dropped (a request of another conversation takes it), saves
    /// its state to the host cache, with its tokens, canonical count and cache partition; when the state would be
    /// stored (enough cells dropped, within the budget, not served by a stored one).
    ///
    /// A sliding-window model's saved state holds only the window its last cell sees, so a state of more than a window
    /// that ended with generated tokens would serve only a next prompt that repeats those tokens exactly (a chat
    /// template's rendering of a tool call seldom does): such a slot is saved up to the end of its last prompt
    /// (`Slot.promptCells`), which every next turn of the conversation starts with.
    func saveToHostCache(_ slot: Int, keeping: Int) {
        guard hostCache.isEnabled else { return }
        let memory = llama_get_memory(context)
        let sequence = slots[slot].sequence
        let window = Int(llama_model_n_swa(model.pointer))
        var count = slots[slot].tokens.count
        if window > 0, count > window { count = min(count, slots[slot].promptCells) }
        guard count - keeping >= Self.minimumHostCacheTokens else { return }
        // Restored cells (`Slot.minimumUsable`) lack the start of the window already.
        let minimumUsable = window > 0 && (count > window || slots[slot].minimumUsable > 0) ? count - 1 : 0
        let tokens = Array(slots[slot].tokens[..<count])
        let partition = slots[slot].partition
        // Cheap checks first: a state a stored one serves is not read at all.
        guard hostCache.wouldStore(tokens: tokens, partition: partition, minimumUsable: minimumUsable, size: 1) else { return }
        // The cells must be the slot's tokens, from position 0 (not an emptied sequence waiting for a copy).
        guard llama_memory_seq_pos_max(memory, sequence) == llama_pos(slots[slot].tokens.count - 1) else { return }
        if count < slots[slot].tokens.count {
            guard llama_memory_seq_rm(memory, sequence, llama_pos(count), -1) else { return }
            slots[slot].tokens.removeSubrange(count...)
            slots[slot].canonical = min(slots[slot].canonical, count)
        }
        let size = llama_state_seq_get_size_ext(context, sequence, Self.stateFlags)
        guard size > 0, hostCache.wouldStore(tokens: tokens, partition: partition, minimumUsable: minimumUsable, size: size)
        else { return }
        var written = 0
        let state = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            written = llama_state_seq_get_data_ext(context, buffer.baseAddress, size, sequence, Self.stateFlags)
            // On failure nothing is trusted: the array is left empty.
            initialized = written == size ? size : 0
        }
        guard written == size, state.count == size else { return }
        hostCache.insert(
            tokens: tokens, canonical: slots[slot].canonical, partition: partition, state: state, minimumUsable: minimumUsable)
        publishHostCacheBytes()
    }

    /// When a host-cache state of the job's cache partition holds a prefix of its prompt at least
    /// `minimumHostCacheTokens` longer than `primary` keeps (`reusing` tokens), restores it into `primary`'s sequence
    /// and keeps that prefix (a seeded request: only canonical cells, up to a `promptChunk` boundary, as for a slot's
    /// own cells). Returns the prompt tokens `primary` now holds: the restored prefix, or 0 when the restore failed
    /// and left it empty; nil when nothing was worth restoring (`primary` is untouched).
    func restoreFromHostCache(_ pending: PendingJob, into primary: Int, reusing: Int) -> Int? {
        guard hostCache.isEnabled,
            let (index, length) = hostCache.bestMatch(
                for: pending.tokens, partition: pending.partition, seededChunk: pending.sampling.seed != nil ? promptChunk : nil,
                atLeast: reusing + Self.minimumHostCacheTokens - 1)
        else { return nil }
        let entry = hostCache.entries[index]
        let memory = llama_get_memory(context)
        let sequence = slots[primary].sequence
        // llama.cpp empties the sequence before it reads the state into it.
        let read = entry.state.withUnsafeBufferPointer {
            llama_state_seq_set_data_ext(context, $0.baseAddress, $0.count, sequence, Self.stateFlags)
        }
        var restored = read == entry.state.count && llama_memory_seq_rm(memory, sequence, llama_pos(length), -1)
        restored = restored && llama_memory_seq_pos_max(memory, sequence) == llama_pos(length - 1)
        if entry.minimumUsable == 0 { restored = restored && llama_memory_seq_pos_min(memory, sequence) == 0 }
        guard restored else {
            llama_memory_seq_rm(memory, sequence, -1, -1)
            slots[primary].tokens.removeAll()
            slots[primary].canonical = 0
            slots[primary].promptCells = 0
            slots[primary].minimumUsable = 0
            hostCache.remove(at: index)
            publishHostCacheBytes()
            return 0
        }
        hostCache.touch(index)
        slots[primary].tokens = Array(entry.tokens[..<length])
        slots[primary].canonical = min(entry.canonical, length)
        slots[primary].promptCells = length
        slots[primary].minimumUsable = entry.minimumUsable
        return length
    }
}
