/// A small GBNF interpreter for tests: parses a grammar and tells whether a whole string matches a
/// rule. Token references `<X>` match the text `<X>`. Written independently of llama.cpp's parser, so
/// that grammar tests check the language a grammar describes, not only that it parses.
public struct GBNFMatcher {
    public indirect enum Node: Sendable {
        case literal([Unicode.Scalar])
        case characterClass(negated: Bool, ranges: [ClosedRange<UInt32>])
        case any
        case reference(String)
        case sequence([Node])
        case alternatives([Node])
        case repetition(Node, min: Int, max: Int?)
    }

    public struct ParseError: Error, CustomStringConvertible {
        public var description: String
    }

    public private(set) var rules: [String: Node] = [:]

    public init(_ grammar: String) throws {
        var parser = Parser(scalars: Array(grammar.unicodeScalars))
        rules = try parser.parseGrammar()
        for (name, node) in rules { try checkReferences(node, in: name) }
    }

    private func checkReferences(_ node: Node, in rule: String) throws {
        switch node {
        case .reference(let name):
            if rules[name] == nil { throw ParseError(description: "rule '\(rule)' refers to undefined rule '\(name)'") }
        case .sequence(let items), .alternatives(let items):
            for item in items { try checkReferences(item, in: rule) }
        case .repetition(let item, _, _):
            try checkReferences(item, in: rule)
        default:
            break
        }
    }

    /// Whether all of `text` matches `rule`.
    public func matches(_ text: String, rule: String = "root") -> Bool {
        var run = Run(rules: rules, input: Array(text.unicodeScalars))
        return run.ends(.reference(rule), from: 0).contains(run.input.count)
    }

    /// The same as `matches`: the name the schema-grammar tests use.
    public func accepts(_ text: String, rule: String = "root") -> Bool { matches(text, rule: rule) }

    private struct Run {
        let rules: [String: Node]
        let input: [Unicode.Scalar]
        var memo: [String: [Int: Set<Int>]] = [:]

        mutating func ends(_ node: Node, from position: Int) -> Set<Int> {
            switch node {
            case .literal(let scalars):
                guard position + scalars.count <= input.count, Array(input[position..<(position + scalars.count)]) == scalars
                else { return [] }
                return [position + scalars.count]
            case .characterClass(let negated, let ranges):
                guard position < input.count else { return [] }
                let inClass = ranges.contains { $0.contains(input[position].value) }
                return inClass != negated ? [position + 1] : []
            case .any:
                return position < input.count ? [position + 1] : []
            case .reference(let name):
                if let known = memo[name]?[position] { return known }
                memo[name, default: [:]][position] = []
                guard let rule = rules[name] else { return [] }
                let result = ends(rule, from: position)
                memo[name, default: [:]][position] = result
                return result
            case .sequence(let items):
                var positions: Set<Int> = [position]
                for item in items {
                    var next = Set<Int>()
                    for p in positions { next.formUnion(ends(item, from: p)) }
                    positions = next
                    if positions.isEmpty { break }
                }
                return positions
            case .alternatives(let items):
                var result = Set<Int>()
                for item in items { result.formUnion(ends(item, from: position)) }
                return result
            case .repetition(let item, let min, let max):
                var result: Set<Int> = min == 0 ? [position] : []
                var current: Set<Int> = [position]
                var seen: Set<Int> = [position]
                var count = 0
                while !current.isEmpty, max.map({ count < $0 }) ?? true {
                    count += 1
                    var next = Set<Int>()
                    for p in current { next.formUnion(ends(item, from: p)) }
                    if count >= min { result.formUnion(next) }
                    current = count >= min ? next.subtracting(seen) : next
                    seen.formUnion(next)
                }
                return result
            }
        }
    }

    private struct Parser {
        let scalars: [Unicode.Scalar]
        var i = 0

        mutating func parseGrammar() throws -> [String: Node] {
            var rules: [String: Node] = [:]
            skipSpace(newlines: true)
            while i < scalars.count {
                let name = try parseName()
                skipSpace(newlines: false)
                guard i + 2 < scalars.count, String(String.UnicodeScalarView(scalars[i..<(i + 3)])) == "::=" else {
                    throw ParseError(description: "expected ::= after '\(name)'")
                }
                i += 3
                skipSpace(newlines: false)
                if rules[name] != nil { throw ParseError(description: "rule '\(name)' defined twice") }
                rules[name] = try parseAlternatives(nested: false)
                skipSpace(newlines: true)
            }
            return rules
        }

        mutating func parseAlternatives(nested: Bool) throws -> Node {
            var alternatives = [try parseSequence(nested: nested)]
            while i < scalars.count, scalars[i] == "|" {
                i += 1
                skipSpace(newlines: nested)
                alternatives.append(try parseSequence(nested: nested))
            }
            return alternatives.count == 1 ? alternatives[0] : .alternatives(alternatives)
        }

        mutating func parseSequence(nested: Bool) throws -> Node {
            var items: [Node] = []
            while i < scalars.count {
                let c = scalars[i]
                var item: Node
                if c == "\"" {
                    i += 1
                    var literal: [Unicode.Scalar] = []
                    while i < scalars.count, scalars[i] != "\"" { literal.append(try parseChar()) }
                    guard i < scalars.count else { throw ParseError(description: "unterminated literal") }
                    i += 1
                    item = .literal(literal)
                } else if c == "[" {
                    item = try parseClass()
                } else if c == "<" {
                    var text: [Unicode.Scalar] = []
                    while i < scalars.count, scalars[i] != ">" {
                        text.append(scalars[i])
                        i += 1
                    }
                    guard i < scalars.count else { throw ParseError(description: "unterminated token") }
                    text.append(">")
                    i += 1
                    item = .literal(text)
                } else if c == "(" {
                    i += 1
                    skipSpace(newlines: true)
                    item = try parseAlternatives(nested: true)
                    guard i < scalars.count, scalars[i] == ")" else { throw ParseError(description: "expected )") }
                    i += 1
                } else if c == "." {
                    i += 1
                    item = .any
                } else if isWord(c) {
                    item = .reference(try parseName())
                } else {
                    break
                }
                skipSpace(newlines: nested)
                while i < scalars.count, "*+?{".unicodeScalars.contains(scalars[i]) {
                    let op = scalars[i]
                    i += 1
                    switch op {
                    case "*": item = .repetition(item, min: 0, max: nil)
                    case "+": item = .repetition(item, min: 1, max: nil)
                    case "?": item = .repetition(item, min: 0, max: 1)
                    default:
                        let min = parseInt() ?? 0
                        var max: Int? = min
                        if i < scalars.count, scalars[i] == "," {
                            i += 1
                            max = parseInt()
                        }
                        guard i < scalars.count, scalars[i] == "}" else { throw ParseError(description: "expected }") }
                        i += 1
                        item = .repetition(item, min: min, max: max)
                    }
                    skipSpace(newlines: nested)
                }
                items.append(item)
            }
            return items.count == 1 ? items[0] : .sequence(items)
        }

        mutating func parseClass() throws -> Node {
            i += 1
            var negated = false
            if i < scalars.count, scalars[i] == "^" {
                negated = true
                i += 1
            }
            var ranges: [ClosedRange<UInt32>] = []
            while i < scalars.count, scalars[i] != "]" {
                let low = try parseChar()
                var high = low
                if i + 1 < scalars.count, scalars[i] == "-", scalars[i + 1] != "]" {
                    i += 1
                    high = try parseChar()
                }
                ranges.append(low.value...high.value)
            }
            guard i < scalars.count else { throw ParseError(description: "unterminated class") }
            i += 1
            return .characterClass(negated: negated, ranges: ranges)
        }

        mutating func parseChar() throws -> Unicode.Scalar {
            let c = scalars[i]
            guard c == "\\" else {
                i += 1
                return c
            }
            guard i + 1 < scalars.count else { throw ParseError(description: "dangling escape") }
            let e = scalars[i + 1]
            i += 2
            switch e {
            case "n": return "\n"
            case "t": return "\t"
            case "r": return "\r"
            case "x", "u", "U":
                let width = e == "x" ? 2 : (e == "u" ? 4 : 8)
                guard i + width <= scalars.count,
                    let value = UInt32(String(String.UnicodeScalarView(scalars[i..<(i + width)])), radix: 16),
                    let scalar = Unicode.Scalar(value)
                else { throw ParseError(description: "bad hex escape") }
                i += width
                return scalar
            case "\\", "\"", "[", "]", "-": return e
            default: throw ParseError(description: "unknown escape \\\(e)")
            }
        }

        mutating func parseName() throws -> String {
            let start = i
            while i < scalars.count, isWord(scalars[i]) { i += 1 }
            guard i > start else { throw ParseError(description: "expected a rule name at \(i)") }
            return String(String.UnicodeScalarView(scalars[start..<i]))
        }

        mutating func parseInt() -> Int? {
            let start = i
            while i < scalars.count, ("0"..."9").contains(scalars[i]) { i += 1 }
            return i > start ? Int(String(String.UnicodeScalarView(scalars[start..<i]))) : nil
        }

        mutating func skipSpace(newlines: Bool) {
            while i < scalars.count {
                let c = scalars[i]
                if c == " " || c == "\t" || (newlines && (c == "\n" || c == "\r")) {
                    i += 1
                } else if c == "#" {
                    while i < scalars.count, scalars[i] != "\n" { i += 1 }
                } else {
                    break
                }
            }
        }

        func isWord(_ c: Unicode.Scalar) -> Bool {
            ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || c == "-"
        }
    }
}

extension GBNFMatcher: CustomStringConvertible {
    public var description: String { "GBNFMatcher(\(rules.count) rules)" }
}
