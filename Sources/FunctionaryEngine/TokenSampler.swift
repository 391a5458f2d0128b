import CLlama
import FunctionaryProtocol

/// One choice's sampler: llama.cpp's samplers that adjust logits (penalties, logit bias), then its
/// sampler chain (top-k, top-p, min-p, temperature, then a seeded draw, or greedy), and optionally a
/// grammar sampler.
///
/// With `logprobs` asked for, each step also records the chosen token's log probability and the most
/// likely alternatives (`lastLogprobs`), from the distribution after penalties and logit bias, before
/// temperature, truncation and the grammar; nothing of this is computed otherwise.
///
/// The token is first drawn from the whole vocabulary and kept if the grammar (if any) accepts it
/// and its bytes keep the output valid UTF-8 (the usual case, and cheap); otherwise the draw is
/// redone among the most likely tokens that are allowed, and only if none of those is allowed over
/// the whole vocabulary. Used only on the decode thread.
final class TokenSampler {
    private let chain: UnsafeMutablePointer<llama_sampler>
    /// Penalties and logit bias, applied to the whole vocabulary first (nil when there are none).
    private let adjust: UnsafeMutablePointer<llama_sampler>?
    /// How many alternatives to report with each token's log probability; nil: none computed.
    private let topLogprobs: Int?
    /// The adjusted logits of the last step, when `adjust` and `topLogprobs` are set.
    private var adjusted: UnsafeMutableBufferPointer<Float>?
    private var distribution: LogprobDistribution?
    /// The log probabilities of the last sampled token (when asked for).
    private(set) var lastLogprobs: TokenLogprobs?
    private let grammar: UnsafeMutablePointer<llama_sampler>?
    /// Reduces the vocabulary to the most likely tokens before a grammar check.
    private let shortlist: UnsafeMutablePointer<llama_sampler>
    private let vocabularySize: Int
    private let model: LlamaModel
    /// Whether the output so far ends inside a UTF-8 character, and which bytes may follow.
    private var utf8 = UTF8Validator()
    /// The grammar's time budget: per token, and for the whole request (`EngineConfiguration`).
    private let grammarBudget: GrammarBudget
    /// Grammar time spent so far by this choice's request (shared by its choices).
    let grammarAccount: GrammarAccount
    /// Grammar time spent so far by this choice.
    private(set) var grammarTime: Duration = .zero
    /// Grammar time spent on the token being drawn.
    private var tokenGrammarTime: Duration = .zero

    /// How many of the most likely tokens are tried against the grammar before the whole vocabulary.
    static let shortlistSize: Int32 = 256

    /// - Parameters:
    ///   - parameters: the request's sampling settings.
    ///   - seed: the seed of the random draw.
    ///   - grammar: a grammar sampler this sampler takes ownership of.
    /// - Throws: `GenerationError.engineFailure` when llama.cpp cannot create a sampler.
    init(
        parameters: SamplingParameters, seed: UInt32, grammar: UnsafeMutablePointer<llama_sampler>?, model: LlamaModel,
        contextSize: Int, grammarBudget: GrammarBudget = GrammarBudget(), grammarAccount: GrammarAccount = GrammarAccount()
    ) throws(GenerationError) {
        self.grammarBudget = grammarBudget
        self.grammarAccount = grammarAccount
        var chainParams = llama_sampler_chain_default_params()
        chainParams.no_perf = true
        guard let chain = llama_sampler_chain_init(chainParams), let shortlist = llama_sampler_init_top_k(Self.shortlistSize)
        else {
            if let grammar { llama_sampler_free(grammar) }
            throw .engineFailure("llama.cpp could not create a sampler")
        }
        let penalized =
            parameters.repetitionPenalty != 1.0 || parameters.frequencyPenalty != 0 || parameters.presencePenalty != 0
        var adjust: UnsafeMutablePointer<llama_sampler>?
        if penalized || !parameters.logitBias.isEmpty, let adjustChain = llama_sampler_chain_init(chainParams) {
            adjust = adjustChain
            if penalized {
                llama_sampler_chain_add(
                    adjustChain,
                    llama_sampler_init_penalties(
                        Int32(model.vocabularySize), Int32(clamping: contextSize), Float(parameters.repetitionPenalty),
                        Float(parameters.frequencyPenalty), Float(parameters.presencePenalty)))
            }
            if !parameters.logitBias.isEmpty {
                let biases = parameters.logitBias.sorted { $0.key < $1.key }.map {
                    llama_logit_bias(token: llama_token(clamping: $0.key), bias: Float($0.value))
                }
                llama_sampler_chain_add(
                    adjustChain, llama_sampler_init_logit_bias(Int32(model.vocabularySize), Int32(biases.count), biases))
            }
        }
        if parameters.temperature <= 0 {
            llama_sampler_chain_add(chain, llama_sampler_init_greedy())
        } else {
            if parameters.topK > 0 { llama_sampler_chain_add(chain, llama_sampler_init_top_k(Int32(clamping: parameters.topK))) }
            if parameters.topP < 1.0 { llama_sampler_chain_add(chain, llama_sampler_init_top_p(Float(parameters.topP), 1)) }
            if parameters.minP > 0 { llama_sampler_chain_add(chain, llama_sampler_init_min_p(Float(parameters.minP), 1)) }
            llama_sampler_chain_add(chain, llama_sampler_init_temp(Float(parameters.temperature)))
            llama_sampler_chain_add(chain, llama_sampler_init_dist(seed))
        }
        self.chain = chain
        self.adjust = adjust
        self.grammar = grammar
        self.shortlist = shortlist
        self.vocabularySize = model.vocabularySize
        self.model = model
        self.topLogprobs = parameters.logprobs.map { max(0, $0) }
        if topLogprobs != nil, adjust != nil {
            adjusted = .allocate(capacity: model.vocabularySize)
        }
    }

    deinit {
        llama_sampler_free(chain)
        if let adjust { llama_sampler_free(adjust) }
        adjusted?.deallocate()
        if let grammar { llama_sampler_free(grammar) }
        llama_sampler_free(shortlist)
    }

    /// Draws the next token from output `index` of the last decode and records it (penalties, grammar).
    /// - Parameter candidates: scratch space for the whole vocabulary.
    /// - Throws: `GenerationError` when there are no logits or the grammar allows no token.
    func sample(
        context: OpaquePointer, index: Int32, candidates: UnsafeMutableBufferPointer<llama_token_data>
    ) throws(GenerationError) -> llama_token {
        guard let logits = llama_get_logits_ith(context, index) else {
            throw .engineFailure("no logits for output \(index)")
        }
        tokenGrammarTime = .zero
        defer { charge(tokenGrammarTime) }
        distribution = nil
        var token = try draw(logits: logits, candidates: candidates, constrained: false)
        if !isAllowed(token) {
            token = try draw(logits: logits, candidates: candidates, constrained: true)
            // llama.cpp aborts when a grammar is given a token it does not allow.
            guard isAllowed(token) else { throw .engineFailure("the sampler chose a token the grammar does not allow") }
        }
        if let distribution {
            let logit = adjusted.map { $0[Int(token)] } ?? logits[Int(token)]
            lastLogprobs = TokenLogprobs(
                token: TokenLogprob(bytes: model.piece(token), logprob: distribution.logprob(logit)),
                top: distribution.top.map { TokenLogprob(bytes: model.piece($0.token), logprob: distribution.logprob($0.logit)) })
        }
        try record(token)
        return token
    }

    /// Records an output token: penalties, the grammar, the UTF-8 state, the grammar's time budget.
    private func record(_ token: llama_token) throws(GenerationError) {
        llama_sampler_accept(chain, token)
        if let adjust { llama_sampler_accept(adjust, token) }
        if let grammar { timed { llama_sampler_accept(grammar, token) } }
        utf8 = utf8.advanced(by: model.piece(token)) ?? UTF8Validator()
        if grammar != nil { try grammarBudget.check(token: tokenGrammarTime, total: grammarAccount.spent + tokenGrammarTime) }
    }

    /// Adds grammar work to this choice's and its request's time (the request's budget is checked at the next token).
    func charge(_ time: Duration) {
        grammarTime += time
        grammarAccount.spent += time
    }

    /// The text the grammar forces from here (every allowed continuation starts with it), at most `maxCharacters`
    /// characters, and the characters it allows right after that text (nil when they are not a small known set);
    /// empty without a grammar or when the next character is not forced.
    func forcedText(maxCharacters: Int) -> (bytes: [UInt8], next: [Unicode.Scalar]?) {
        guard let grammar, maxCharacters > 0 else { return ([], nil) }
        var buffer = [UInt8](repeating: 0, count: maxCharacters * 4 + 4)
        var next = [UInt32](repeating: 0, count: 16)
        var nextCount: Int32 = 16
        // (Not timed here: the scheduler charges the whole forced-text work, tokenization included, to the request.)
        let count =
            buffer.withUnsafeMutableBufferPointer { out in
                out.baseAddress!.withMemoryRebound(to: CChar.self, capacity: out.count) {
                    fgrammar_forced_prefix(grammar, $0, out.count, Int32(maxCharacters), &next, &nextCount)
                }
            }
        let following = nextCount < 0 ? nil : next.prefix(Int(nextCount)).compactMap(Unicode.Scalar.init)
        return (Array(buffer.prefix(count)), following)
    }

    /// Records a token that was not sampled (jump-forward: part of the forced text) as `sample` records a drawn
    /// one: penalties, the grammar, the UTF-8 state. Returns false, recording nothing, when the grammar does not
    /// allow it.
    func acceptForced(_ token: llama_token) throws(GenerationError) -> Bool {
        tokenGrammarTime = .zero
        defer { charge(tokenGrammarTime) }
        guard isAllowed(token) else { return false }
        lastLogprobs = nil
        try record(token)
        return true
    }

    /// How many of `draft`'s tokens, in order, could follow the output so far: the grammar (if any) allows each
    /// after the ones before it, and their bytes keep the output valid UTF-8. Speculation evaluates only those: the
    /// sampler could never keep a token from the first refused one on. A copy of the grammar walks the draft, so the
    /// sampler's own state is left as it was; the walk counts as this choice's grammar time.
    func admissiblePrefixCount(of draft: [llama_token]) -> Int {
        var state = utf8
        guard let grammar else {
            for (k, token) in draft.enumerated() {
                guard let next = state.advanced(by: model.piece(token)) else { return k }
                state = next
            }
            return draft.count
        }
        let started = ContinuousClock.now
        defer { charge(ContinuousClock.now - started) }
        // The first token is checked against the choice's own grammar (checking does not advance it); a copy, which
        // costs as much as the grammar's rules, is made only to walk past it.
        guard let first = draft.first, let next = state.advanced(by: model.piece(first)), allows(grammar, first) else { return 0 }
        guard draft.count > 1, let walker = llama_sampler_clone(grammar) else { return draft.count == 1 ? 1 : 0 }
        defer { llama_sampler_free(walker) }
        state = next
        llama_sampler_accept(walker, first)
        for (k, token) in draft.enumerated().dropFirst() {
            guard let next = state.advanced(by: model.piece(token)), allows(walker, token) else { return k }
            state = next
            llama_sampler_accept(walker, token)
        }
        return draft.count
    }

    /// Runs grammar work, adding its time to the token's grammar time (only the grammar's own calls count:
    /// a slow machine or a debug build does not eat into the budget).
    private func timed<T>(_ work: () -> T) -> T {
        let started = ContinuousClock.now
        defer { tokenGrammarTime += ContinuousClock.now - started }
        return work()
    }

    /// Fills `candidates` with the whole vocabulary in id order and applies penalties and logit bias.
    private func fill(_ candidates: UnsafeMutableBufferPointer<llama_token_data>, from logits: UnsafeMutablePointer<Float>)
        -> llama_token_data_array
    {
        for i in 0..<vocabularySize {
            candidates[i] = llama_token_data(id: llama_token(i), logit: logits[i], p: 0)
        }
        var array = llama_token_data_array(data: candidates.baseAddress, size: vocabularySize, selected: -1, sorted: false)
        if let adjust { llama_sampler_apply(adjust, &array) }
        return array
    }

    /// Records the distribution of this step (once per step, from the first fill: ids in order, adjusted logits).
    private func recordDistribution(_ array: llama_token_data_array, logits: UnsafeMutablePointer<Float>) {
        guard let topLogprobs, distribution == nil, let data = array.data, array.size == vocabularySize else { return }
        if let adjusted {
            for i in 0..<vocabularySize { adjusted[i] = data[i].logit }
            distribution = LogprobDistribution(logits: UnsafeBufferPointer(adjusted), top: topLogprobs)
        } else {
            distribution = LogprobDistribution(logits: UnsafeBufferPointer(start: logits, count: vocabularySize), top: topLogprobs)
        }
    }

    private func draw(
        logits: UnsafeMutablePointer<Float>, candidates: UnsafeMutableBufferPointer<llama_token_data>, constrained: Bool
    ) throws(GenerationError) -> llama_token {
        var array = fill(candidates, from: logits)
        recordDistribution(array, logits: logits)
        if constrained {
            // Try the most likely tokens first: applying a grammar to a whole vocabulary is slow.
            llama_sampler_apply(shortlist, &array)
            if let grammar { timed { llama_sampler_apply(grammar, &array) } }
            removeRejected(&array)
            if array.size == 0 {
                // The grammar refused every likely token: the whole vocabulary goes through it, and that whole pass
                // (refill and filtering included) is grammar work, charged to the budget.
                timed {
                    array = fill(candidates, from: logits)
                    if let grammar { llama_sampler_apply(grammar, &array) }
                    removeRejected(&array)
                }
                guard array.size > 0 else {
                    throw .invalidConstraint("the grammar allows no token here (the output cannot be completed)")
                }
            }
        }
        llama_sampler_apply(chain, &array)
        guard array.selected >= 0, array.selected < array.size, let data = array.data else {
            throw .engineFailure("the sampler selected no token")
        }
        return data[Int(array.selected)].id
    }

    /// Drops the tokens the grammar rejected (logit -inf) and those that would make invalid UTF-8,
    /// keeping the order of the others, so that the chain's samplers see only allowed tokens (and a
    /// sorted array stays sorted).
    private func removeRejected(_ array: inout llama_token_data_array) {
        guard let data = array.data else {
            array.size = 0
            return
        }
        var kept = 0
        for i in 0..<array.size where data[i].logit.isFinite && utf8.advanced(by: model.piece(data[i].id)) != nil {
            data[kept] = data[i]
            kept += 1
        }
        array.size = kept
        array.selected = -1
    }

    /// Whether the grammar (if any) allows `token` and its bytes keep the output valid UTF-8.
    private func isAllowed(_ token: llama_token) -> Bool {
        guard utf8.advanced(by: model.piece(token)) != nil else { return false }
        guard let grammar else { return true }
        return timed { allows(grammar, token) }
    }

    private func allows(_ grammar: UnsafeMutablePointer<llama_sampler>, _ token: llama_token) -> Bool {
        var single = llama_token_data(id: token, logit: 1, p: 0)
        return withUnsafeMutablePointer(to: &single) { pointer in
            var array = llama_token_data_array(data: pointer, size: 1, selected: -1, sorted: false)
            llama_sampler_apply(grammar, &array)
            return pointer.pointee.logit.isFinite
        }
    }
}

/// The grammar time one request has spent: every choice's tokens and jump-forward's forced-text work (decode thread
/// only).
final class GrammarAccount {
    var spent: Duration = .zero
}

/// How much time a grammar may take: per token, and for all tokens of all choices of one request together.
struct GrammarBudget: Sendable {
    var perToken: Duration = .seconds(1)
    var perRequest: Duration = .seconds(10)

    /// - Throws: `GenerationError.invalidConstraint` naming the limit, when one token or the choice took too long.
    func check(token: Duration, total: Duration) throws(GenerationError) {
        if token > perToken {
            throw .invalidConstraint(
                "the grammar took \(Self.milliseconds(token)) ms for one token, over the limit of \(Self.milliseconds(perToken)) ms (--max-grammar-ms-per-token); the schema is too ambiguous to enforce"
            )
        }
        if total > perRequest {
            throw .invalidConstraint(
                "the grammar took \(Self.milliseconds(total)) ms in all, over the limit of \(Self.milliseconds(perRequest)) ms per request (--max-grammar-ms-per-request)"
            )
        }
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds &* 1000 &+ attoseconds / 1_000_000_000_000_000
    }
}
