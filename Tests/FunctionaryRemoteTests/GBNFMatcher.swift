/// A small GBNF interpreter for the tests: parses the grammar the converter writes and decides
/// whether a text is in its language, so that schema tests assert what the grammar accepts rather
/// than how it is spelled.
struct GBNFMatcher {
    indirect enum Node {
        case literal([Unicode.Scalar])
        case characterClass(negated: Bool, ranges: [ClosedRange<UInt32>])
        case reference(String)
        case group([[Node]])
        case repetition(Node, min: Int, max: Int?)
    }

    struct ParseError: Error, CustomStringConvertible {
        let description: String
    }

    private(set) var rules: [String: [[Node]]] = [:]

    init(_ text: String) throws {
        var bodies: [(String, String)] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if let range = line.firstRange(of: "::=") {
                let name = line[..<range.lowerBound].trimmingCharacters()
                bodies.append((name, String(line[range.upperBound...])))
            } else if !bodies.isEmpty {
                bodies[bodies.count - 1].1 += " " + line
            }
        }
        for (name, body) in bodies {
            var parser = Parser(scalars: Array(body.unicodeScalars))
            let alternatives = try parser.alternatives()
            parser.skipSpace()
            guard parser.atEnd else { throw ParseError(description: "rule \(name): unexpected \(parser.rest)") }
            rules[name] = alternatives
        }
        for (name, alternatives) in rules {
            for reference in Self.references(in: alternatives) where rules[reference] == nil {
                throw ParseError(description: "rule \(name) refers to undefined rule \(reference)")
            }
        }
    }

    /// Whether the whole of `text` matches `rule`.
    func accepts(_ text: String, rule: String = "root") -> Bool {
        var state = MatchState(input: Array(text.unicodeScalars), rules: rules)
        return state.matchRule(rule, at: 0).contains(state.input.count)
    }

    private static func references(in alternatives: [[Node]]) -> [String] {
        var names: [String] = []
        func walk(_ node: Node) {
            switch node {
            case .reference(let name): names.append(name)
            case .group(let alternatives): alternatives.forEach { $0.forEach(walk) }
            case .repetition(let inner, _, _): walk(inner)
            case .literal, .characterClass: break
            }
        }
        alternatives.forEach { $0.forEach(walk) }
        return names
    }

    private struct Parser {
        let scalars: [Unicode.Scalar]
        var position = 0

        var atEnd: Bool { position >= scalars.count }
        var rest: String { String(String.UnicodeScalarView(scalars[position...])) }

        mutating func skipSpace() {
            while position < scalars.count, scalars[position] == " " || scalars[position] == "\t" || scalars[position] == "\n" {
                position += 1
            }
        }

        mutating func alternatives() throws -> [[Node]] {
            var result: [[Node]] = [try sequence()]
            skipSpace()
            while position < scalars.count, scalars[position] == "|" {
                position += 1
                result.append(try sequence())
                skipSpace()
            }
            return result
        }

        mutating func sequence() throws -> [Node] {
            var nodes: [Node] = []
            while true {
                skipSpace()
                guard position < scalars.count else { return nodes }
                let c = scalars[position]
                if c == "|" || c == ")" { return nodes }
                var node = try term()
                while position < scalars.count {
                    let q = scalars[position]
                    if q == "*" { node = .repetition(node, min: 0, max: nil); position += 1 }
                    else if q == "+" { node = .repetition(node, min: 1, max: nil); position += 1 }
                    else if q == "?" { node = .repetition(node, min: 0, max: 1); position += 1 }
                    else if q == "{" { node = try braces(node) }
                    else { break }
                }
                nodes.append(node)
            }
        }

        mutating func term() throws -> Node {
            let c = scalars[position]
            if c == "\"" {
                position += 1
                var literal: [Unicode.Scalar] = []
                while position < scalars.count, scalars[position] != "\"" {
                    literal.append(try character())
                }
                guard position < scalars.count else { throw ParseError(description: "unterminated literal") }
                position += 1
                return .literal(literal)
            }
            if c == "[" {
                position += 1
                var negated = false
                if position < scalars.count, scalars[position] == "^" { negated = true; position += 1 }
                var ranges: [ClosedRange<UInt32>] = []
                while position < scalars.count, scalars[position] != "]" {
                    let low = try character()
                    if position + 1 < scalars.count, scalars[position] == "-", scalars[position + 1] != "]" {
                        position += 1
                        let high = try character()
                        guard low.value <= high.value else { throw ParseError(description: "bad range") }
                        ranges.append(low.value...high.value)
                    } else {
                        ranges.append(low.value...low.value)
                    }
                }
                guard position < scalars.count else { throw ParseError(description: "unterminated class") }
                position += 1
                return .characterClass(negated: negated, ranges: ranges)
            }
            if c == "(" {
                position += 1
                let inner = try alternatives()
                skipSpace()
                guard position < scalars.count, scalars[position] == ")" else { throw ParseError(description: "missing )") }
                position += 1
                return .group(inner)
            }
            if c == "." {
                position += 1
                return .characterClass(negated: true, ranges: [])
            }
            var name = ""
            while position < scalars.count, scalars[position].properties.isAlphabetic || ("0"..."9").contains(scalars[position])
                || scalars[position] == "-"
            {
                name.unicodeScalars.append(scalars[position])
                position += 1
            }
            guard !name.isEmpty else { throw ParseError(description: "unexpected \(rest)") }
            return .reference(name)
        }

        mutating func character() throws -> Unicode.Scalar {
            let c = scalars[position]
            position += 1
            guard c == "\\" else { return c }
            guard position < scalars.count else { throw ParseError(description: "trailing backslash") }
            let e = scalars[position]
            position += 1
            switch e {
            case "n": return "\n"
            case "r": return "\r"
            case "t": return "\t"
            case "x", "u", "U":
                let count = e == "x" ? 2 : e == "u" ? 4 : 8
                guard position + count <= scalars.count,
                    let value = UInt32(String(String.UnicodeScalarView(scalars[position..<(position + count)])), radix: 16),
                    let scalar = Unicode.Scalar(value)
                else { throw ParseError(description: "bad escape") }
                position += count
                return scalar
            default: return e
            }
        }

        mutating func braces(_ node: Node) throws -> Node {
            position += 1
            var text = ""
            while position < scalars.count, scalars[position] != "}" {
                text.unicodeScalars.append(scalars[position])
                position += 1
            }
            position += 1
            let parts = text.split(separator: ",", omittingEmptySubsequences: false)
            guard let low = Int(parts[0]) else { throw ParseError(description: "bad braces") }
            if parts.count == 1 { return .repetition(node, min: low, max: low) }
            return .repetition(node, min: low, max: parts[1].isEmpty ? nil : Int(parts[1]))
        }
    }

    private struct MatchState {
        let input: [Unicode.Scalar]
        let rules: [String: [[Node]]]
        var memo: [String: [Int: Set<Int>]] = [:]

        mutating func matchRule(_ name: String, at position: Int) -> Set<Int> {
            if let known = memo[name]?[position] { return known }
            memo[name, default: [:]][position] = []  // no left recursion in our grammars
            let result = matchAlternatives(rules[name] ?? [], at: position)
            memo[name, default: [:]][position] = result
            return result
        }

        mutating func matchAlternatives(_ alternatives: [[Node]], at position: Int) -> Set<Int> {
            var ends = Set<Int>()
            for sequence in alternatives {
                var positions: Set<Int> = [position]
                for node in sequence {
                    var next = Set<Int>()
                    for p in positions { next.formUnion(match(node, at: p)) }
                    positions = next
                    if positions.isEmpty { break }
                }
                ends.formUnion(positions)
            }
            return ends
        }

        mutating func match(_ node: Node, at position: Int) -> Set<Int> {
            switch node {
            case .literal(let scalars):
                guard position + scalars.count <= input.count, Array(input[position..<(position + scalars.count)]) == scalars else {
                    return []
                }
                return [position + scalars.count]
            case .characterClass(let negated, let ranges):
                guard position < input.count else { return [] }
                let inside = ranges.contains { $0.contains(input[position].value) }
                return inside != negated ? [position + 1] : []
            case .reference(let name):
                return matchRule(name, at: position)
            case .group(let alternatives):
                return matchAlternatives(alternatives, at: position)
            case .repetition(let inner, let min, let max):
                var result: Set<Int> = min == 0 ? [position] : []
                var positions: Set<Int> = [position]
                var count = 0
                while !positions.isEmpty {
                    if let max, count >= max { break }
                    var next = Set<Int>()
                    for p in positions { next.formUnion(match(inner, at: p)) }
                    count += 1
                    if count >= min {
                        if max == nil && count > min && next.isSubset(of: result) { break }
                        result.formUnion(next)
                    }
                    positions = next
                }
                return result
            }
        }
    }
}

extension Substring {
    func trimmingCharacters() -> String {
        String(self.drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
