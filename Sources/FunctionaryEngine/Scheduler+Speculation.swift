import CLlama
import FunctionaryProtocol

/// Prompt-lookup speculation: what a tool call or a grounded answer writes is often already in its context (a city
/// from the user's message, a value from a tool result). Each step drafts the tokens that followed the latest earlier
/// occurrence of the last few tokens, evaluates them in the same decode as the token the model is about to
/// evaluate, and then samples at each drafted position in order, as if each were a step of its own: while the sampled
/// token equals the drafted one, it is kept (its cells are already computed); the first one that differs is the next
/// token, and the cells after it are dropped.
///
/// The sampler sees exactly what it sees without speculation (the same logits, penalties, logit bias, grammar and
/// random draws, in the same order), so the output is the same: at temperature 0 the greedy choice, above it the
/// same distribution. (For a draft that is one fixed token, rejection sampling reduces to this: the draft is kept with
/// the probability the model gives it, and otherwise the token is drawn from the model's distribution without it.)
/// The logits of a batch of several tokens can differ from a single token's in their last bits, as with jump-forward.
/// Before a draft is evaluated, a copy of the choice's grammar walks it: the first token the grammar (or valid UTF-8)
/// refuses ends the draft, so no position is evaluated that the sampler could never keep.
enum Speculation {
    /// The n-gram sizes looked up, longest first: a match of one token proposes too much that is rejected.
    static let ngrams = [4, 3, 2]
    /// The draft length a choice starts with and its bounds: it grows by 2 after a draft accepted whole and halves
    /// after one rejected at its first token or a miss.
    static let initialDraft = 6
    static let draftRange = 2...16
    /// After a miss, the choice drafts nothing for 2, 4, 8 … steps (doubling with each miss in a row, at most this
    /// many): where the context's n-grams lead elsewhere (a call under a schema that the prompt spells out, counting),
    /// every rejected draft costs positions in the decode.
    static let maxPause = 32
    /// A draft is a miss when the recent share of drafted tokens kept falls below this: each drafted position costs
    /// about a third of a one-token step on two CPU cores (its logits over the 262k vocabulary), so drafts that keep
    /// fewer lose time. (Counting, whose short n-grams recur with other continuations, kept 7 of 60 drafted tokens
    /// and decoded 23% slower than without speculation when only a draft rejected at its first token paused it.)
    static let minAcceptance = 1.0 / 3

    /// The tokens that followed the latest earlier occurrence of `history`'s last n tokens (n from `ngrams`, longest
    /// first), at most `limit` of them; empty when there is none.
    static func draft(_ history: [llama_token], limit: Int) -> [llama_token] {
        guard limit > 0 else { return [] }
        for n in ngrams where history.count > n {
            let suffixStart = history.count - n
            var start = suffixStart - 1
            while start >= 0 {
                var k = 0
                while k < n, history[start + k] == history[suffixStart + k] { k += 1 }
                if k == n {
                    let from = start + n
                    let to = min(from + limit, history.count)
                    if from < to { return Array(history[from..<to]) }
                }
                start -= 1
            }
        }
        return []
    }
}

extension Scheduler {
    /// Drafts for the generating choices of speculating jobs, within what the batch, the choice's token limit and the
    /// context leave.
    func prepareDrafts(_ generating: [ChoiceState]) {
        for choice in generating {
            choice.draft = []
            guard let job = active.first(where: { $0.choices.contains { $0 === choice } }), job.pending.speculate else { continue }
            if choice.draftPause > 0 {
                choice.draftPause -= 1
                continue
            }
            let pending = 1 + choice.forced.count
            let limit = min(
                choice.draftLimit, maxJump - choice.forced.count, job.pending.maxTokens - choice.generated - pending,
                contextSize - choice.position - pending - 1)
            guard limit > 0 else { continue }
            let history = slots[choice.slot].tokens + [choice.nextToken] + choice.forced
            // A drafted token the grammar refuses ends the draft: it and the ones after it are not evaluated.
            let draft = Speculation.draft(history, limit: limit)
            choice.draft = Array(draft.prefix(choice.sampler.admissiblePrefixCount(of: draft)))
        }
    }

    /// Samples at the drafted positions in order (see `Speculation`): keeps the drafted tokens the sampler agrees with,
    /// makes the first one it does not the next token, and drops the cells of the rest.
    func verifyDraft(_ job: ActiveJob, _ choice: ChoiceState) {
        let draft = choice.draft
        choice.draft = []
        job.draftedTokens += draft.count
        var index = choice.batchIndex
        var kept = 0
        for k in 0...draft.count {
            guard let token = drawAndDeliver(job, choice, outputIndex: index) else { break }
            if k < draft.count, token == draft[k] {
                // Already evaluated: its cell is at `choice.position`.
                slots[choice.slot].tokens.append(token)
                choice.position += 1
                job.acceptedDraftTokens += 1
                kept += 1
                index = choice.draftIndices[k]
                continue
            }
            setNext(token, job, choice)
            break
        }
        // `step` verifies only non-empty drafts.
        choice.draftAcceptance = (choice.draftAcceptance + Double(kept) / Double(draft.count)) / 2
        let miss = choice.draftAcceptance < Speculation.minAcceptance
        if miss {
            choice.draftMisses += 1
            choice.draftPause = min(1 << min(choice.draftMisses, 6), Speculation.maxPause)
        }
        if miss || kept == 0 {
            choice.draftLimit = max(choice.draftLimit / 2, Speculation.draftRange.lowerBound)
        } else {
            choice.draftMisses = 0
            if kept == draft.count { choice.draftLimit = min(choice.draftLimit + 2, Speculation.draftRange.upperBound) }
        }
        // The cache holds exactly the evaluated tokens: the drafted cells from the first one not kept go (the next
        // token, at `choice.position`, is evaluated in the next step).
        llama_memory_seq_rm(llama_get_memory(context), slots[choice.slot].sequence, llama_pos(choice.position), -1)
        choice.draftIndices = []
    }
}
