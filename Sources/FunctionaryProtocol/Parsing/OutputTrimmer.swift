/// What every parser does to a raw model output before reading it (protocol §1.1 step 8, §3.0):
/// `strip()`, then remove one trailing occurrence of each stop token (in list order, `endswith`), then `strip()` again.
///
/// The reference strips only once before removing stop tokens; the second strip makes `"Hi \n<|eot_id|>"` read as
/// `"Hi"` in every template (it only changes v3-llama3.1, whose text is otherwise kept unstripped).
///
/// The streaming form holds back the shortest suffix that could still be removed at the end — trailing whitespace and
/// what could become trailing stop tokens — and drops leading whitespace, so that the concatenation of what it
/// releases plus what `finish` releases equals `OutputTrimmer.trim(output)` for any split of the output.
struct OutputTrimmer: Sendable {
    /// The stop tokens, in the order the reference checks them.
    let stops: [Scalars]

    init(stops: [String]) {
        self.stops = stops.map(\.scalars).filter { !$0.isEmpty }
    }

    /// The trimmed output (non-streaming).
    static func trim(_ output: String, stops: [String]) -> Scalars {
        let trimmer = OutputTrimmer(stops: stops)
        return trimmer.trimTail(Scalars(output.scalars.pythonStripped()))
    }

    /// Removes the stop tokens and the whitespace around them from the end (the text has no leading whitespace
    /// that matters: it was stripped before).
    func trimTail(_ text: Scalars) -> Scalars {
        var text = Scalars(text.pythonRightStripped())
        for stop in stops where text.hasSuffix(stop) {
            text.removeLast(stop.count)
        }
        return Scalars(text.pythonRightStripped())
    }

    // MARK: Streaming

    /// A state of the automaton recognising prefixes of removable tails `ws* t_k? … t_1? ws*`
    /// (the stop tokens appear in reverse list order because the last one in the text is removed first).
    enum TailState: Hashable, Sendable {
        /// Whitespace before any stop token.
        case leading
        /// `offset` scalars of stop token `token` matched (`offset == count` means complete).
        case token(Int, offset: Int)
        /// Whitespace after a complete stop token.
        case trailing
    }

    /// Streaming state: text after the last released scalar.
    struct Stream: Sendable {
        var started = false
        var held: Scalars = []
        var heldHead = 0
        /// Absolute position (in scalars after leading whitespace) of `held[heldHead]`.
        var heldStart = 0
        /// Absolute position of the next scalar.
        var position = 0
        /// Live automaton states, each with the earliest start position that reaches it (a handful at most).
        var threads: [(state: TailState, start: Int)] = []
        var nextThreads: [(state: TailState, start: Int)] = []
    }

    /// Calls `body` with each state reached from `state` by `scalar`.
    @inline(__always)
    func advance(_ state: TailState, with scalar: Unicode.Scalar, _ body: (TailState) -> Void) {
        switch state {
        case .leading:
            if scalar.isPythonWhitespace { return body(.leading) }
            startTokens(with: scalar, below: stops.count, body)
        case .token(let t, let offset):
            let stop = stops[t]
            if offset < stop.count {
                if stop[offset] == scalar { body(.token(t, offset: offset + 1)) }
                return
            }
            if scalar.isPythonWhitespace { return body(.trailing) }
            startTokens(with: scalar, below: t, body)
        case .trailing:
            if scalar.isPythonWhitespace { body(.trailing) }
        }
    }

    @inline(__always)
    private func startTokens(with scalar: Unicode.Scalar, below limit: Int, _ body: (TailState) -> Void) {
        for t in 0..<limit where stops[t][0] == scalar { body(.token(t, offset: 1)) }
    }

    /// Consumes one scalar; appends what is now certain to be kept to `out`.
    func push(_ scalar: Unicode.Scalar, state s: inout Stream, into out: inout Scalars) {
        if !s.started {
            if scalar.isPythonWhitespace { return }
            s.started = true
        }
        if s.threads.isEmpty, !scalar.isPythonWhitespace, !stops.contains(where: { $0[0] == scalar }) {
            // Fast path: nothing is held, and this scalar cannot start a removable tail.
            out.append(scalar)
            s.position += 1
            s.heldStart = s.position
            return
        }
        var next = s.nextThreads
        s.nextThreads = []
        next.removeAll(keepingCapacity: true)
        func add(_ target: TailState, _ start: Int) {
            if let i = next.firstIndex(where: { $0.state == target }) {
                if start < next[i].start { next[i].start = start }
            } else {
                next.append((target, start))
            }
        }
        for thread in s.threads {
            advance(thread.state, with: scalar) { add($0, thread.start) }
        }
        advance(.leading, with: scalar) { add($0, s.position) }
        s.nextThreads = s.threads
        s.threads = next
        s.held.append(scalar)
        s.position += 1
        var keepFrom = s.position
        for thread in next where thread.start < keepFrom { keepFrom = thread.start }
        let release = keepFrom - s.heldStart
        if release > 0 {
            out.append(contentsOf: s.held[s.heldHead..<(s.heldHead + release)])
            s.heldHead += release
            s.heldStart = keepFrom
            if s.heldHead == s.held.count {
                s.held.removeAll(keepingCapacity: true)
                s.heldHead = 0
            } else if s.heldHead > 64 && s.heldHead * 2 > s.held.count {
                s.held.removeFirst(s.heldHead)
                s.heldHead = 0
            }
        }
    }

    /// Ends the output: appends the held text minus the removed tail.
    func finish(state s: inout Stream, into out: inout Scalars) {
        out.append(contentsOf: trimTail(Scalars(s.held[s.heldHead...])))
        s.held = []
        s.heldHead = 0
        s.threads = []
    }
}
