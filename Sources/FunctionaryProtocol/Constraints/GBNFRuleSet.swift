/// A growing set of GBNF rules with unique names: the building block of the grammar sent upstream.
struct GBNFRuleSet: Sendable {
    private(set) var order: [String] = []
    private var bodies: [String: String] = [:]
    /// Names defined elsewhere (the constraint's own grammar) that generated rules must not take.
    private var reserved: Set<String>

    init(reserved: Set<String> = []) {
        self.reserved = reserved
    }

    /// Adds `name ::= body` and returns the name it got: the same name when it is free or already
    /// holds the same body, else the name with a number appended.
    mutating func add(_ name: String, _ body: String) -> String {
        let base = Self.sanitize(name)
        if let existing = bodies[base], existing == body { return base }
        if bodies[base] == nil && !reserved.contains(base) {
            insert(base, body)
            return base
        }
        var i = 0
        while true {
            let candidate = base + String(i)
            if let existing = bodies[candidate], existing == body { return candidate }
            if bodies[candidate] == nil && !reserved.contains(candidate) {
                insert(candidate, body)
                return candidate
            }
            i += 1
        }
    }

    /// Claims a fresh name whose body comes later (`define`): recursive `$ref`s need their name first.
    mutating func claim(_ name: String) -> String {
        add(name, "")
    }

    /// Sets the body of a claimed rule.
    mutating func define(_ name: String, _ body: String) {
        bodies[name] = body
    }

    /// Defines a name that was reserved for it (a schema rule the constraint grammar refers to).
    mutating func defineReserved(_ name: String, _ body: String) {
        if bodies[name] == nil { order.append(name) }
        bodies[name] = body
    }

    func contains(_ name: String) -> Bool { bodies[name] != nil }

    func body(of name: String) -> String? { bodies[name] }

    /// `name ::= body` lines in the order the rules were added.
    var text: String {
        var out = ""
        for name in order {
            out += name + " ::= " + (bodies[name] ?? "") + "\n"
        }
        return out
    }

    private mutating func insert(_ name: String, _ body: String) {
        order.append(name)
        bodies[name] = body
    }

    /// Rule names are `[a-zA-Z0-9-]+`; other runs of characters become one `-`.
    static func sanitize(_ name: String) -> String {
        var out = ""
        var lastWasDash = false
        for scalar in name.unicodeScalars {
            let ok =
                (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z") || (scalar >= "0" && scalar <= "9")
                || scalar == "-"
            if ok {
                out.unicodeScalars.append(scalar)
                lastWasDash = false
            } else if !lastWasDash {
                out += "-"
                lastWasDash = true
            }
        }
        return out.isEmpty ? "rule" : out
    }

    /// The rule names a GBNF text defines (`name ::= …` at the start of a line).
    static func definedNames(in grammar: String) -> Set<String> {
        var names = Set<String>()
        for line in grammar.split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
            guard let assign = trimmed.firstRange(of: "::=") else { continue }
            let name = String(trimmed[..<assign.lowerBound]).trimmingWhitespace()
            if !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) {
                names.insert(name)
            }
        }
        return names
    }
}

/// Pieces of GBNF text, as the converter writes them.
enum GrammarText {
    /// One character as it may stand inside `[…]`.
    static func classChar(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "]", "\\", "-", "^", "[": return "\\" + String(scalar)
        case "\n": return "\\n"
        case "\r": return "\\r"
        case "\t": return "\\t"
        case "\"": return "\\\""
        default:
            if scalar.value < 0x20 || scalar.value == 0x7F { return "\\x" + GBNF.hex(scalar.value, width: 2) }
            return String(scalar)
        }
    }

    /// `item` repeated between `min` and `max` times (`nil`: unbounded), written out without the
    /// `{m,n}` operator (which not every grammar engine reads) unless the counts are large.
    /// `item` must be one term (a name, literal, class or parenthesised group).
    static func repeated(_ item: String, min: Int, max: Int?) -> String {
        if let max {
            if max <= 0 || max < min { return "" }
            if min == 0 && max == 1 { return item + "?" }
            if min > 24 || max - min > 24 {
                return item + "{" + String(min) + "," + String(max) + "}"
            }
            var parts = Array(repeating: item, count: min)
            let optional = max - min
            if optional > 0 {
                var tail = item + "?"
                if optional > 1 {
                    for _ in 1..<optional { tail = "(" + item + " " + tail + ")?" }
                }
                parts.append(tail)
            }
            return parts.joined(separator: " ")
        }
        switch min {
        case 0: return item + "*"
        case 1: return item + "+"
        default:
            if min > 24 { return item + "{" + String(min) + ",}" }
            return (Array(repeating: item, count: min - 1) + [item + "+"]).joined(separator: " ")
        }
    }
}
