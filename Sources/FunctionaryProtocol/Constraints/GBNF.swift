/// Helpers for writing and rewriting grammars in llama.cpp's GBNF.
///
/// GBNF in brief: `name ::= alternatives` rules (one per line outside parentheses), string literals
/// `"…"`, character classes `[…]` / `[^…]`, rule references (`[a-zA-Z0-9-]+`), groups, `* + ? {m,n}`,
/// `#` comments, and token references `<…>` / `!<…>` (a token by its text, or `<[id]>` by its id).
public enum GBNF {
    /// A GBNF string literal matching `text` exactly (quotes included).
    public static func literal(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            out += escaped(scalar, inClass: false)
        }
        out += "\""
        return out
    }

    /// A character class over `scalars`, negated when `negated` is true (`[^…]`).
    public static func characterClass(_ scalars: [Unicode.Scalar], negated: Bool) -> String {
        var out = negated ? "[^" : "["
        for scalar in scalars {
            out += escaped(scalar, inClass: true)
        }
        out += "]"
        return out
    }

    /// Whether `name` is a valid rule name (`[a-zA-Z0-9-]+`).
    public static func isRuleName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy(isWordByte)
    }

    static func escaped(_ scalar: Unicode.Scalar, inClass: Bool) -> String {
        switch scalar {
        case "\n": return "\\n"
        case "\r": return "\\r"
        case "\t": return "\\t"
        case "\\": return "\\\\"
        case "\"": return "\\\""
        case "[", "]", "-", "^":
            return inClass ? "\\x\(hex(scalar.value, width: 2))" : String(scalar)
        default:
            if scalar.value < 0x20 || scalar.value == 0x7F {
                return "\\x\(hex(scalar.value, width: 2))"
            }
            return String(scalar)
        }
    }

    static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    static func isWordByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-")
    }
}

extension GBNF {
    /// One lexical piece of a grammar, as `GBNF.tokens(in:)` splits it.
    public enum Piece: Sendable, Hashable {
        /// A rule name: at the start of a rule (a definition) or inside a body (a reference).
        case name(String)
        /// A token reference such as `<|from|>` or `<[12]>` (without a leading `!`).
        case token(String)
        /// Anything else, kept verbatim: literals, classes, operators, spaces, comments.
        case other(String)
    }

    /// Splits GBNF text into names, token references and everything else, so that callers can
    /// rename rules or replace token references without touching literals, classes or comments.
    /// - Throws: `GBNFError` for an unterminated literal, class or token reference.
    public static func pieces(in grammar: String) throws(GBNFError) -> [Piece] {
        let bytes = Array(grammar.utf8)
        var pieces: [Piece] = []
        var other: [UInt8] = []
        var i = 0
        func flushOther() {
            if !other.isEmpty {
                pieces.append(.other(String(decoding: other, as: UTF8.self)))
                other.removeAll()
            }
        }
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") || b == UInt8(ascii: "[") {
                let close = b == UInt8(ascii: "\"") ? UInt8(ascii: "\"") : UInt8(ascii: "]")
                var j = i + 1
                while j < bytes.count, bytes[j] != close {
                    j += bytes[j] == UInt8(ascii: "\\") ? 2 : 1
                }
                guard j < bytes.count else {
                    throw GBNFError("unterminated \(b == UInt8(ascii: "\"") ? "string literal" : "character class") at offset \(i)")
                }
                other += bytes[i...j]
                i = j + 1
            } else if b == UInt8(ascii: "{") {
                var j = i + 1
                while j < bytes.count, bytes[j] != UInt8(ascii: "}") { j += 1 }
                guard j < bytes.count else { throw GBNFError("unterminated repetition at offset \(i)") }
                other += bytes[i...j]
                i = j + 1
            } else if b == UInt8(ascii: "#") {
                var j = i
                while j < bytes.count, bytes[j] != UInt8(ascii: "\n"), bytes[j] != UInt8(ascii: "\r") { j += 1 }
                other += bytes[i..<j]
                i = j
            } else if b == UInt8(ascii: "<") {
                var j = i + 1
                while j < bytes.count, bytes[j] != UInt8(ascii: ">") { j += 1 }
                guard j < bytes.count else { throw GBNFError("unterminated token reference at offset \(i)") }
                flushOther()
                pieces.append(.token(String(decoding: bytes[(i + 1)..<j], as: UTF8.self)))
                i = j + 1
            } else if isWordByte(b) {
                var j = i
                while j < bytes.count, isWordByte(bytes[j]) { j += 1 }
                flushOther()
                pieces.append(.name(String(decoding: bytes[i..<j], as: UTF8.self)))
                i = j
            } else {
                other.append(b)
                i += 1
            }
        }
        flushOther()
        return pieces
    }

    /// Joins pieces back into GBNF text.
    public static func text(of pieces: [Piece]) -> String {
        var out = ""
        for piece in pieces {
            switch piece {
            case .name(let n): out += n
            case .token(let t): out += "<\(t)>"
            case .other(let o): out += o
            }
        }
        return out
    }

    /// Renames every rule of `grammar` (definitions and references): `root` becomes `root`, any other
    /// rule `x` becomes `prefix + x`. Used to embed a generated grammar under a unique name.
    public static func renamingRules(in grammar: String, root: String, prefix: String) throws(GBNFError) -> String {
        let renamed = try pieces(in: grammar).map { piece -> Piece in
            guard case .name(let n) = piece else { return piece }
            return .name(n == "root" ? root : prefix + n)
        }
        return text(of: renamed)
    }

    /// Replaces each token reference `<X>` (by text; `<[id]>` references are kept) with what
    /// `transform` returns for `X`: a token reference, or a string literal when `X` is not one token.
    public static func replacingTokenReferences(
        in grammar: String, _ transform: (String) -> String
    ) throws(GBNFError) -> String {
        let replaced = try pieces(in: grammar).map { piece -> Piece in
            guard case .token(let t) = piece, !t.hasPrefix("[") else { return piece }
            return .other(transform(t))
        }
        return text(of: replaced)
    }

    /// The rules `grammar` defines (a name at the start of a line followed by `::=`), in order, and
    /// the rule names its bodies refer to.
    public static func rules(in grammar: String) throws(GBNFError) -> (defined: [String], referenced: Set<String>) {
        let all = try pieces(in: grammar)
        var defined: [String] = []
        var referenced = Set<String>()
        var atLineStart = true
        for (index, piece) in all.enumerated() {
            switch piece {
            case .name(let n):
                var isDefinition = false
                if atLineStart, index + 1 < all.count, case .other(let o) = all[index + 1] {
                    isDefinition = o.drop { $0 == " " || $0 == "\t" }.hasPrefix("::=")
                }
                if isDefinition { defined.append(n) } else { referenced.insert(n) }
                atLineStart = false
            case .token:
                atLineStart = false
            case .other(let o):
                if let last = o.unicodeScalars.last(where: { $0 != " " && $0 != "\t" }) {
                    atLineStart = last == "\n" || last == "\r"
                }
            }
        }
        return (defined, referenced)
    }
}

/// A grammar that could not be read.
public struct GBNFError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
