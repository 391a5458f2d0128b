import CLlama
import FunctionaryProtocol

typealias EventContinuation = AsyncThrowingStream<GenerationEvent, any Error>.Continuation

/// A request ready for the scheduler: tokenized, checked, its grammar compiled.
struct PendingJob: Sendable {
    let id: UInt64
    let tokens: [llama_token]
    let sampling: SamplingParameters
    let choiceCount: Int
    let grammar: CompiledGrammar?
    /// Completion tokens allowed per choice.
    let maxTokens: Int
    /// Template end-of-turn markers that are single tokens.
    let stopTokens: Set<llama_token>
    /// Template end-of-turn markers and the request's stop strings, matched on the text.
    let stopStrings: [String]
    let seed: UInt32
    /// Jump over text the grammar forces (a grammar, no log probabilities asked for, and the setting on).
    var jumpForward = false
    /// The prompt-cache partition (`GenerationRequest.cachePartition`): cells are reused and copied only within it.
    var partition: String? = nil
    /// Draft tokens by prompt lookup and verify them in the decode batch (`EngineConfiguration.speculation`).
    var speculate = false
    let continuation: EventContinuation
}

/// A KV-cache sequence and the tokens it holds.
struct Slot {
    let sequence: llama_seq_id
    /// The tokens whose keys and values are in the cache for `sequence`, in order from position 0.
    var tokens: [llama_token] = []
    /// How many leading cells of `tokens` were computed as canonical prompt chunks (see `Scheduler.promptChunk`):
    /// a seeded request reuses only those, so that its output does not depend on what the cache held.
    var canonical = 0
    /// How many leading cells of `tokens` are prompt cells (the rest were generated): where a saved state of a
    /// sliding-window model ends (see `Scheduler.saveToHostCache`).
    var promptCells = 0
    /// The shortest prefix of `tokens` whose cells can be kept alone: 0, unless the cells came from a saved state of a
    /// sliding-window model, which holds only the window its last cell saw (see `HostPromptCache.Entry.minimumUsable`):
    /// a shorter prefix would lack cells of its own window.
    var minimumUsable = 0
    /// The cache partition of the request that computed `tokens` (see `PendingJob.partition`).
    var partition: String? = nil
    var busy = false
    /// When the slot was last taken or released (a counter), to keep recently used caches.
    var lastUsed: UInt64 = 0
    /// Scratch space for sampling over the whole vocabulary.
    let candidates: UnsafeMutableBufferPointer<llama_token_data>
}

/// One choice of a running request (decode thread only).
final class ChoiceState {
    let index: Int
    let slot: Int
    let sampler: TokenSampler
    var assembler: TextAssembler
    /// Log probabilities waiting for their text (when the request asked for them).
    var logprobs: LogprobTracker?
    /// The sampled token to evaluate next, at `position`.
    var nextToken: llama_token = 0
    /// Tokens of forced text to evaluate after `nextToken`, in the same decode (jump-forward).
    var forced: [llama_token] = []
    var position = 0
    var generated = 0
    var finished = false
    /// The output index of this choice's token in the current batch, or -1.
    var batchIndex: Int32 = -1
    /// Drafted tokens evaluated after `nextToken` and `forced` in the current batch (speculation), and the output
    /// index of each: the logits there predict the token after it.
    var draft: [llama_token] = []
    var draftIndices: [Int32] = []
    /// The longest draft for the next step (adapted to how many of the last draft the model accepted).
    var draftLimit = Speculation.initialDraft
    /// Misses in a row (see `Speculation.minAcceptance`), and the steps left without drafting.
    var draftMisses = 0
    var draftPause = 0
    /// The share of drafted tokens kept, averaged over the recent drafts (each draft weighs half).
    var draftAcceptance = 1.0

    init(index: Int, slot: Int, sampler: TokenSampler, stops: [String]) {
        self.index = index
        self.slot = slot
        self.sampler = sampler
        self.assembler = TextAssembler(stops: stops)
    }

    /// The log-probability entries to send with text that was just released (`stopped`: the output ended at a
    /// stop string after `text`).
    func releasedLogprobs(text: String, stopped: Bool) -> [TokenLogprobs] {
        guard logprobs != nil else { return [] }
        if stopped { return logprobs!.finish(textBytes: text.utf8.count) }
        return logprobs!.release(heldBytes: assembler.pendingByteCount)
    }
}

/// A running request (decode thread only): its prompt evaluation, then its choices.
final class ActiveJob {
    let pending: PendingJob
    let choices: [ChoiceState]
    /// The slot whose sequence evaluates the prompt (choice 0's slot).
    var primarySlot: Int { choices[0].slot }
    /// The next prompt token to evaluate.
    var promptPosition: Int
    /// Prompt tokens taken from the cache.
    let cachedPromptTokens: Int
    /// Of those, the ones copied from another slot's sequence.
    var copiedPromptTokens = 0
    /// Of those, the ones restored from a state saved in host memory (`HostPromptCache`).
    var restoredPromptTokens = 0
    /// Speculation: tokens drafted and, of those, accepted (`GenerationUsage.draftedTokens`).
    var draftedTokens = 0
    var acceptedDraftTokens = 0
    /// Prompt tokens in the current batch, and the output index of the last prompt token (or -1).
    var promptTokensInBatch = 0
    var promptOutputIndex: Int32 = -1
    var promptDone = false

    init(pending: PendingJob, choices: [ChoiceState], cachedPromptTokens: Int) {
        self.pending = pending
        self.choices = choices
        self.promptPosition = cachedPromptTokens
        self.cachedPromptTokens = cachedPromptTokens
    }

    var isFinished: Bool { choices.allSatisfy(\.finished) }
    var completionTokens: Int { choices.reduce(0) { $0 + $1.generated } }
}
