import GBNFTestSupport

/// Generates strings from a GBNF grammar by a seeded random walk: the instances the grammar allows, to check
/// that what a model could generate under a type's grammar decodes as the type.
struct GrammarSampler {
    let matcher: GBNFMatcher
    var state: UInt64

    init(_ matcher: GBNFMatcher, seed: UInt64) {
        self.matcher = matcher
        self.state = seed &+ 0x9E37_79B9_7F4A_7C15
    }

    /// SplitMix64.
    mutating func next(_ bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(max(bound, 1)))
    }

    mutating func sample(rule: String = "root") -> String {
        var out = String.UnicodeScalarView()
        walk(.reference(rule), depth: 0, into: &out)
        return String(out)
    }

    /// Characters a negated class or `.` may give (printable, no JSON specials).
    static let alphabet: [Unicode.Scalar] = Array("abcXYZ019 é-_".unicodeScalars)

    mutating func walk(_ node: GBNFMatcher.Node, depth: Int, into out: inout String.UnicodeScalarView) {
        let deep = depth > 40
        switch node {
        case .literal(let scalars): out.append(contentsOf: scalars)
        case .any: out.append(Self.alphabet[next(Self.alphabet.count)])
        case .characterClass(let negated, let ranges):
            if negated {
                let allowed = Self.alphabet.filter { scalar in !ranges.contains { $0.contains(scalar.value) } }
                out.append(allowed[next(allowed.count)])
            } else {
                let range = ranges[next(ranges.count)]
                let width = Int(range.upperBound - range.lowerBound)
                var value = range.lowerBound + UInt32(next(min(width, 60) + 1))
                if (0xD800...0xDFFF).contains(value) { value = range.lowerBound }
                out.append(Unicode.Scalar(value) ?? "a")
            }
        case .reference(let name):
            if let rule = matcher.rules[name] { walk(rule, depth: depth + 1, into: &out) }
        case .sequence(let items):
            for item in items { walk(item, depth: depth, into: &out) }
        case .alternatives(let items):
            // Deep in the grammar, the first alternative without references ends the recursion.
            let simple = items.firstIndex { !Self.refers($0) }
            let index = deep ? (simple ?? 0) : next(items.count)
            walk(items[index], depth: depth, into: &out)
        case .repetition(let item, let min, let max):
            let extra = deep ? 0 : next(3)
            let count = Swift.min(min + extra, max ?? Int.max)
            for _ in 0..<count { walk(item, depth: depth, into: &out) }
        }
    }

    static func refers(_ node: GBNFMatcher.Node) -> Bool {
        switch node {
        case .reference: return true
        case .sequence(let items), .alternatives(let items): return items.contains(where: refers)
        case .repetition(let item, _, _): return refers(item)
        default: return false
        }
    }
}
