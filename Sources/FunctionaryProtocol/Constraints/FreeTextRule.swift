/// GBNF rules for free text that never contains any of a set of markers (a template's separators),
/// so that text can only end where the grammar continues with a marker.
///
/// The rules form a deterministic automaton over the markers' prefixes (Aho–Corasick without output
/// states): rule `NAME-k` is "the text so far ends with prefix k of some marker"; reading a character
/// moves to the longest marker prefix that is a suffix of the text; a character that would complete a
/// marker has no transition. Every state may end the text. Right recursion keeps llama.cpp's grammar
/// stacks flat, and one state per marker character keeps the grammar small.
struct FreeTextRule {
    /// The name of the start rule.
    let name: String
    /// The markers the text must not contain.
    let markers: [String]

    init(name: String, markers: [String]) {
        self.name = name
        self.markers = Array(Set(markers.filter { !$0.isEmpty })).sorted()
    }

    /// The rules, one per line; the first defines `name`.
    var rules: String {
        let markerScalars = markers.map { Array($0.unicodeScalars) }
        if markerScalars.isEmpty {
            return "\(name) ::= [^\\x00]*\n"
        }
        // States: the distinct proper prefixes of the markers, the empty prefix first.
        var states: [[Unicode.Scalar]] = [[]]
        var index: [[Unicode.Scalar]: Int] = [[]: 0]
        for m in markerScalars {
            for length in 1..<m.count where index[Array(m[0..<length])] == nil {
                index[Array(m[0..<length])] = states.count
                states.append(Array(m[0..<length]))
            }
        }
        var alphabet: [Unicode.Scalar] = []
        for m in markerScalars {
            for s in m where !alphabet.contains(s) { alphabet.append(s) }
        }
        alphabet.sort { $0.value < $1.value }

        var out = ""
        for (stateIndex, state) in states.enumerated() {
            // Group the alphabet by target; `nil` target = forbidden (completes a marker).
            var targets: [Int: [Unicode.Scalar]] = [:]
            var excluded: [Unicode.Scalar] = []
            for c in alphabet {
                let next = transition(from: state, reading: c, markers: markerScalars, index: index)
                switch next {
                case nil:
                    excluded.append(c)
                case 0?:
                    break
                case let t?:
                    targets[t, default: []].append(c)
                    excluded.append(c)
                }
            }
            // The empty alternative comes first: llama.cpp's parser reads past a newline after `|`. A state may end
            // the text only when no marker written after it would straddle the end: text ending in `>>` and then
            // `>>>` would read as `>>>` two characters early, and text ending in `<|eot_id|` then `>>>` as the end
            // of the turn. Of the six templates only v3.llama3 has such states: its text cannot end in `>`, `>>`,
            // `<|eot_id|` or `<|end_of_text|` (it may go on, and end after any other character).
            var alternatives: [String] = mayEnd(state, markers: markerScalars) ? [""] : []
            let others = excluded.isEmpty ? "[^\\x00]" : GBNF.characterClass(excluded, negated: true)
            alternatives.append("\(others) \(ruleName(0))")
            for (target, chars) in targets.sorted(by: { $0.key < $1.key }) {
                alternatives.append("\(GBNF.characterClass(chars, negated: false)) \(ruleName(target))")
            }
            out += "\(ruleName(stateIndex)) ::= \(alternatives.joined(separator: " | "))\n"
        }
        return out
    }

    /// Whether the text may end in `state`: with any marker appended, no marker starts inside `state`.
    private func mayEnd(_ state: [Unicode.Scalar], markers: [[Unicode.Scalar]]) -> Bool {
        guard !state.isEmpty else { return true }
        for following in markers {
            let joined = state + following
            for start in 0..<state.count {
                for m in markers where joined.count - start >= m.count && Array(joined[start..<(start + m.count)]) == m {
                    return false
                }
            }
        }
        return true
    }

    private func ruleName(_ state: Int) -> String {
        state == 0 ? name : "\(name)-\(state)"
    }

    /// The next state after reading `c` in `state`, or nil when the text would then end with a marker.
    private func transition(
        from state: [Unicode.Scalar], reading c: Unicode.Scalar, markers: [[Unicode.Scalar]], index: [[Unicode.Scalar]: Int]
    ) -> Int? {
        let text = state + [c]
        for m in markers where text.count >= m.count && Array(text[(text.count - m.count)...]) == m {
            return nil
        }
        for start in 0..<text.count {
            if let i = index[Array(text[start...])] { return i }
        }
        return 0
    }
}
