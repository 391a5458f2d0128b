import CLlama
import FunctionaryProtocol

extension Scheduler {
    /// One decode step: the next token of every generating choice (with its forced and drafted tokens), then prompt
    /// chunks in what the batch leaves, in one `llama_decode`; then sampling.
    func step() {
        batch.n_tokens = 0
        var generating: [ChoiceState] = []
        for job in active where job.promptDone {
            for choice in job.choices where !choice.finished { generating.append(choice) }
        }
        if active.contains(where: { $0.pending.speculate }) { prepareDrafts(generating) }
        var budget = batchCapacity - generating.reduce(0) { $0 + 1 + $1.forced.count + $1.draft.count }
        var prompting: [ActiveJob] = []
        for job in active where !job.promptDone && budget > 0 {
            // A seeded request's chunks end at multiples of `promptChunk` (see there); others are evaluated as
            // before, in the largest chunks the batch allows (as llama-server does, so greedy outputs stay equal).
            let toBoundary = job.pending.sampling.seed != nil ? promptChunk - job.promptPosition % promptChunk : Int.max
            let count = min(job.pending.tokens.count - job.promptPosition, budget, toBoundary)
            job.promptTokensInBatch = count
            budget -= count
            prompting.append(job)
        }
        // The batch holds its tokens in sequence-id order. With one KV stream per sequence, llama.cpp
        // splits a batch into passes over runs of consecutive sequence ids (`split_equal`, sequential):
        // in any other order the generating sequences would take several passes over the weights.
        generating.sort { slots[$0.slot].sequence < slots[$1.slot].sequence }
        prompting.sort { slots[$0.primarySlot].sequence < slots[$1.primarySlot].sequence }
        var nextChoice = 0
        var nextPrompt = 0
        while nextChoice < generating.count || nextPrompt < prompting.count {
            let choiceFirst =
                nextPrompt == prompting.count
                || (nextChoice < generating.count
                    && slots[generating[nextChoice].slot].sequence < slots[prompting[nextPrompt].primarySlot].sequence)
            if choiceFirst {
                let choice = generating[nextChoice]
                nextChoice += 1
                choice.batchIndex = add(choice.nextToken, position: choice.position, slot: choice.slot, output: choice.forced.isEmpty)
                for (k, token) in choice.forced.enumerated() {
                    let last = k == choice.forced.count - 1
                    let index = add(token, position: choice.position + 1 + k, slot: choice.slot, output: last)
                    if last { choice.batchIndex = index }
                }
                let draftStart = choice.position + 1 + choice.forced.count
                choice.draftIndices = choice.draft.enumerated().map { k, token in
                    add(token, position: draftStart + k, slot: choice.slot, output: true)
                }
            } else {
                addPromptChunk(prompting[nextPrompt])
                nextPrompt += 1
            }
        }
        guard batch.n_tokens > 0 else { return }

        let status = llama_decode(context, batch)
        if status != 0 {
            failBatch(generating: generating, prompting: prompting, status: status)
            return
        }
        let solo = generating.isEmpty && prompting.count == 1
        for job in prompting {
            let start = job.promptPosition
            let end = start + job.promptTokensInBatch
            let slot = job.primarySlot
            if solo, start == slots[slot].canonical, start % promptChunk == 0,
                end - start == promptChunk || end == job.pending.tokens.count
            {
                slots[slot].canonical = end
            }
            slots[job.primarySlot].tokens += job.pending.tokens[start..<(start + job.promptTokensInBatch)]
            slots[job.primarySlot].promptCells = slots[job.primarySlot].tokens.count
            job.promptPosition += job.promptTokensInBatch
            job.promptTokensInBatch = 0
        }
        for choice in generating {
            slots[choice.slot].tokens.append(choice.nextToken)
            slots[choice.slot].tokens += choice.forced
            choice.position += 1 + choice.forced.count
            choice.forced = []
        }
        for job in prompting where job.promptPosition == job.pending.tokens.count {
            startChoices(job)
        }
        for choice in generating {
            guard let job = active.first(where: { $0.choices.contains { $0 === choice } }) else { continue }
            if choice.draft.isEmpty {
                sampleNext(job, choice, outputIndex: choice.batchIndex)
            } else {
                verifyDraft(job, choice)
            }
        }
    }

    /// Adds the next `promptTokensInBatch` prompt tokens of a job to the batch, the prompt's last token
    /// with its logits.
    private func addPromptChunk(_ job: ActiveJob) {
        let tokens = job.pending.tokens
        job.promptOutputIndex = -1
        for k in 0..<job.promptTokensInBatch {
            let position = job.promptPosition + k
            let last = position == tokens.count - 1
            let index = add(tokens[position], position: position, slot: job.primarySlot, output: last)
            if last { job.promptOutputIndex = index }
        }
    }

    /// Adds a token to the batch; returns its index.
    private func add(_ token: llama_token, position: Int, slot: Int, output: Bool) -> Int32 {
        let i = Int(batch.n_tokens)
        // The batch holds `batchCapacity` tokens (llama_batch_init); writing past it would corrupt the heap.
        precondition(i < batchCapacity, "decode batch overflow: token \(i + 1) of a batch of \(batchCapacity)")
        batch.token[i] = token
        batch.pos[i] = llama_pos(position)
        batch.n_seq_id[i] = 1
        batch.seq_id[i]?.pointee = slots[slot].sequence
        batch.logits[i] = output ? 1 : 0
        batch.n_tokens += 1
        return Int32(i)
    }

    /// The prompt is in the cache: copy it to the other choices' sequences, then draw every
    /// choice's first token from the prompt's last logits.
    private func startChoices(_ job: ActiveJob) {
        job.promptDone = true
        let memory = llama_get_memory(context)
        let primary = slots[job.primarySlot]
        for choice in job.choices.dropFirst() {
            llama_memory_seq_cp(memory, primary.sequence, slots[choice.slot].sequence, -1, -1)
            slots[choice.slot].tokens = primary.tokens
            slots[choice.slot].canonical = primary.canonical
            slots[choice.slot].promptCells = primary.promptCells
            slots[choice.slot].minimumUsable = primary.minimumUsable
        }
        for choice in job.choices {
            choice.position = job.pending.tokens.count
            if job.pending.jumpForward, jumpAtStart(job, choice) { continue }
            sampleNext(job, choice, outputIndex: job.promptOutputIndex)
        }
    }

    /// Draws a choice's next token and streams its text; ends the choice at a stop, the token
    /// limit or the end of the context. With jump-forward, then appends the text the grammar forces.
    func sampleNext(_ job: ActiveJob, _ choice: ChoiceState, outputIndex: Int32) {
        guard let token = drawAndDeliver(job, choice, outputIndex: outputIndex) else { return }
        setNext(token, job, choice)
    }

    /// Draws a choice's token at `outputIndex` and streams it (going to `choice.position`); nil when the choice was
    /// already finished, or sampling or the token ended it or the job.
    func drawAndDeliver(_ job: ActiveJob, _ choice: ChoiceState, outputIndex: Int32) -> llama_token? {
        guard !choice.finished else { return nil }
        let token: llama_token
        do {
            token = try choice.sampler.sample(context: context, index: outputIndex, candidates: slots[choice.slot].candidates)
        } catch {
            end(job, error: error)
            return nil
        }
        return deliver(job, choice, token, at: choice.position) ? token : nil
    }

    /// Makes `token` the next one to evaluate; with jump-forward, appends the text the grammar forces after it.
    func setNext(_ token: llama_token, _ job: ActiveJob, _ choice: ChoiceState) {
        choice.nextToken = token
        choice.forced = []
        if job.pending.jumpForward { jumpForward(job, choice, after: token) }
    }

    /// Counts a token of the output (going to `position`) and streams its text; false when that ended the choice
    /// (an end-of-generation token, a stop string, the token limit, the end of the context) or the job.
    func deliver(_ job: ActiveJob, _ choice: ChoiceState, _ token: llama_token, at position: Int) -> Bool {
        choice.generated += 1
        if model.isEndOfGeneration(token) || job.pending.stopTokens.contains(token) {
            finish(job, choice, reason: .stop)
            return false
        }
        let piece = model.piece(token)
        if choice.logprobs != nil, let entry = choice.sampler.lastLogprobs {
            choice.logprobs!.add(entry, byteCount: piece.count)
        }
        let (text, stopped) = choice.assembler.append(piece)
        let entries = choice.releasedLogprobs(text: text, stopped: stopped)
        if !entries.isEmpty, !emit(job, .logprobs(choice: choice.index, entries)) { return false }
        if !text.isEmpty, !emit(job, .text(choice: choice.index, text)) { return false }
        if stopped {
            if let matched = choice.assembler.matchedStop, job.pending.sampling.stop.contains(matched),
                !emit(job, .stopSequence(choice: choice.index, matched))
            {
                return false
            }
            finish(job, choice, reason: .stop)
            return false
        }
        if choice.generated >= job.pending.maxTokens || position >= contextSize {
            finish(job, choice, reason: .length)
            return false
        }
        return true
    }

    /// The most forced tokens appended at once per choice: every choice's tokens must fit in one batch.
    var maxJump: Int { max(0, min(32, batchCapacity / parallel - 1)) }

    /// Whether the last token of `text`'s tokenization stays as it is whatever character the grammar allows after
    /// `text` (`following`; nil: not known): then the tokenizer would not merge it with what the model writes next
    /// (a closing quote would merge with the colon after a key, a comma need not merge with the space after it).
    private func lastTokenStays(_ text: String, _ tokens: [llama_token], following: [Unicode.Scalar]?) -> Bool {
        guard let following else { return false }
        for scalar in following {
            let extended = model.tokenize(text + String(scalar), addSpecial: false, parseSpecial: true)
            guard extended.count > tokens.count, extended.starts(with: tokens) else { return false }
        }
        return true
    }

    /// Jump-forward before the first token: when the output must start with a fixed text (a named tool's call
    /// opening, say), its tokens (the last one left to the model) are the first ones evaluated. Returns false when
    /// nothing is forced there (the first token is then sampled as usual).
    private func jumpAtStart(_ job: ActiveJob, _ choice: ChoiceState) -> Bool {
        let limit = min(maxJump, job.pending.maxTokens - 1, contextSize - choice.position - 2)
        guard limit > 1 else { return false }
        // The forced-text work (the grammar's walk and the tokenizations) is charged to the request's grammar budget.
        let started = ContinuousClock.now
        let charge = { choice.sampler.charge(ContinuousClock.now - started) }
        let (forcedBytes, following) = choice.sampler.forcedText(maxCharacters: 4 * limit + 8)
        guard !forcedBytes.isEmpty, let text = String(validating: forcedBytes, as: UTF8.self) else {
            charge()
            return false
        }
        var tokens = model.tokenize(text, addSpecial: false, parseSpecial: true)
        guard !tokens.isEmpty else {
            charge()
            return false
        }
        if !lastTokenStays(text, tokens, following: following) { tokens.removeLast() }
        charge()
        guard let accepted = take(tokens.prefix(limit), job, choice, from: choice.position) else { return true }
        guard let first = accepted.first else { return false }
        choice.nextToken = first
        choice.forced = Array(accepted.dropFirst())
        return true
    }

    /// Jump-forward: when every continuation the grammar allows after `token` starts with the same text, that
    /// text's tokens are accepted and streamed now and evaluated with `token` in the next decode, instead of being
    /// sampled one decode step each.
    ///
    /// The token boundary: the forced text is tokenized together with the sampled token's text, and used only when
    /// the sampled token comes out first (else the model would see a split of the text the tokenizer never makes,
    /// so nothing is forced this time); the last token of the forced text is left for the model to write unless
    /// no character the grammar allows next would join it (`lastTokenStays`).
    func jumpForward(_ job: ActiveJob, _ choice: ChoiceState, after token: llama_token) {
        let limit = min(maxJump, job.pending.maxTokens - choice.generated - 1, contextSize - choice.position - 2)
        guard limit > 0 else { return }
        let started = ContinuousClock.now
        let charge = { choice.sampler.charge(ContinuousClock.now - started) }
        let (forcedBytes, following) = choice.sampler.forcedText(maxCharacters: 4 * limit + 8)
        guard !forcedBytes.isEmpty, let text = String(validating: model.piece(token) + forcedBytes, as: UTF8.self) else {
            charge()
            return
        }
        var tokens = model.tokenize(text, addSpecial: false, parseSpecial: true)
        guard tokens.count >= 2, tokens.first == token else {
            charge()
            return
        }
        if !lastTokenStays(text, tokens, following: following) { tokens.removeLast() }
        tokens.removeFirst()
        charge()
        guard let accepted = take(tokens.prefix(limit), job, choice, from: choice.position + 1) else { return }
        choice.forced = accepted
    }

    /// Accepts and streams forced tokens, the first going to `position`, up to one the grammar does not allow or
    /// one that would end the output (the model samples that one); nil when the choice or the job ended on the way.
    private func take(_ tokens: ArraySlice<llama_token>, _ job: ActiveJob, _ choice: ChoiceState, from position: Int) -> [llama_token]? {
        var accepted: [llama_token] = []
        for forced in tokens {
            if model.isEndOfGeneration(forced) || job.pending.stopTokens.contains(forced) { break }
            do {
                guard try choice.sampler.acceptForced(forced) else { break }
            } catch {
                end(job, error: error)
                return nil
            }
            guard deliver(job, choice, forced, at: position + accepted.count) else { return nil }
            accepted.append(forced)
        }
        return accepted
    }

    private func finish(_ job: ActiveJob, _ choice: ChoiceState, reason: FinishReason) {
        choice.finished = true
        let rest = choice.assembler.finish()
        if let entries = choice.logprobs?.finishAll(), !entries.isEmpty, !emit(job, .logprobs(choice: choice.index, entries)) {
            return
        }
        if !rest.isEmpty, !emit(job, .text(choice: choice.index, rest)) { return }
        _ = emit(job, .finished(choice: choice.index, reason))
    }

    /// Sends an event; when the consumer has gone, ends the job. Returns whether the job goes on.
    private func emit(_ job: ActiveJob, _ event: GenerationEvent) -> Bool {
        if case .terminated = job.pending.continuation.yield(event) {
            end(job, error: .cancelled)
            return false
        }
        return true
    }

    /// Sends the usage of finished jobs and frees their slots.
    func finishCompletedJobs() {
        for job in active where job.isFinished {
            var usage = GenerationUsage(
                promptTokens: job.pending.tokens.count, completionTokens: job.completionTokens,
                cachedPromptTokens: job.cachedPromptTokens, copiedPromptTokens: job.copiedPromptTokens,
                restoredPromptTokens: job.restoredPromptTokens)
            usage.draftedTokens = job.draftedTokens
            usage.acceptedDraftTokens = job.acceptedDraftTokens
            job.pending.continuation.yield(.usage(usage))
            job.pending.continuation.finish()
            release(job)
        }
    }

    private func failBatch(generating: [ChoiceState], prompting: [ActiveJob], status: Int32) {
        let memory = llama_get_memory(context)
        var failed: [ActiveJob] = prompting
        for choice in generating {
            if let job = active.first(where: { $0.choices.contains { $0 === choice } }), !failed.contains(where: { $0 === job }) {
                failed.append(job)
            }
        }
        for job in failed {
            for choice in job.choices {
                llama_memory_seq_rm(memory, slots[choice.slot].sequence, -1, -1)
                slots[choice.slot].tokens.removeAll()
                slots[choice.slot].canonical = 0
                slots[choice.slot].promptCells = 0
                slots[choice.slot].minimumUsable = 0
            }
            end(job, error: .engineFailure("llama_decode failed with status \(status)"))
        }
    }
}
