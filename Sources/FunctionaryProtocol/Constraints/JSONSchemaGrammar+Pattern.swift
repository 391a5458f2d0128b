/// String `pattern`s: anchored regular expressions (`^…$`) turned into GBNF the way llama.cpp's
/// converter does; a pattern it cannot express (lookarounds, `\d`, …) accepts any string.
extension JSONSchemaGrammar {
    enum PatternIssue: Error {
        /// Valid, but not expressible: the string is left unconstrained.
        case unsupported(String)
        /// Not a valid regular expression: the constraint fails.
        case invalid(String)
    }

    mutating func patternRule(_ pattern: String, name: String) throws -> String {
        let savedRules = rules
        let savedPrimitives = primitiveNames
        do {
            return try convertPattern(pattern, name: name)
        } catch PatternIssue.unsupported(let reason) {
            rules = savedRules
            primitiveNames = savedPrimitives
            warnings.append("pattern \(pattern) is not supported (\(reason)), accepting any string")
            return rules.add(name, primitive("string"))
        } catch PatternIssue.invalid(let reason) {
            rules = savedRules
            primitiveNames = savedPrimitives
            throw GenerationError.invalidConstraint("Invalid pattern \(pattern): \(reason)")
        }
    }

    private static let nonLiteral: Set<Unicode.Scalar> = ["|", ".", "(", ")", "[", "]", "{", "}", "*", "+", "?", "^", "$"]
    private static let escapedInRegexOnly: Set<Unicode.Scalar> = ["^", "$", ".", "[", "]", "(", ")", "|", "{", "}", "*", "+", "?"]

    /// The length of a GBNF-compatible escape at `position` (`\x41`, `\u00e9`, `\n`, `\-` …), or 0.
    static func escapeLength(_ pattern: [Unicode.Scalar], _ position: Int) -> Int {
        guard position + 1 < pattern.count, pattern[position] == "\\" else { return 0 }
        let hexCount: Int
        switch pattern[position + 1] {
        case "x": hexCount = 2
        case "u": hexCount = 4
        case "U": hexCount = 8
        case "t", "r", "n", "\\", "\"", "[", "]", "-": return 2
        default: return 0
        }
        guard position + 2 + hexCount <= pattern.count else { return 0 }
        for scalar in pattern[(position + 2)..<(position + 2 + hexCount)] where !scalar.properties.isASCIIHexDigit {
            return 0
        }
        return 2 + hexCount
    }

    private mutating func convertPattern(_ pattern: String, name: String) throws -> String {
        let all = Array(pattern.unicodeScalars)
        guard all.count >= 2, all.first == "^", all.last == "$" else {
            throw PatternIssue.unsupported("not anchored with '^' and '$'")
        }
        var parser = PatternParser(scalars: Array(all[1..<(all.count - 1)]), name: name)
        let rule = try parser.sequence(grammar: &self)
        if parser.depth != 0 { throw PatternIssue.invalid("unbalanced parentheses") }
        return rules.add(name, "\"\\\"\" (" + rule + ") \"\\\"\"")
    }

    /// A recursive-descent reading of the pattern, producing GrammarText.
    private struct PatternParser {
        let scalars: [Unicode.Scalar]
        let name: String
        var position = 0
        var depth = 0
        var subRules: [String: String] = [:]

        typealias Piece = (text: String, isLiteral: Bool)

        static func rule(_ piece: Piece) -> String { piece.isLiteral ? "\"" + piece.text + "\"" : piece.text }

        /// Reads up to the closing `)` of the current group (or the end) and returns its GrammarText.
        mutating func sequence(grammar: inout JSONSchemaGrammar) throws -> String {
            Self.rule(try group(grammar: &grammar))
        }

        private mutating func group(grammar: inout JSONSchemaGrammar) throws -> Piece {
            var pieces: [Piece] = []
            while position < scalars.count {
                let c = scalars[position]
                switch c {
                case ".":
                    pieces.append((grammar.primitive("dot"), false))
                    position += 1
                case "(":
                    position += 1
                    if position < scalars.count && scalars[position] == "?" {
                        guard position + 1 < scalars.count && scalars[position + 1] == ":" else {
                            throw PatternIssue.unsupported("unsupported group syntax")
                        }
                        position += 2
                    }
                    depth += 1
                    if depth > 100 { throw PatternIssue.unsupported("pattern nesting too deep") }
                    pieces.append(("(" + Self.rule(try group(grammar: &grammar)) + ")", false))
                case ")":
                    position += 1
                    if depth == 0 { throw PatternIssue.invalid("unbalanced parentheses") }
                    depth -= 1
                    return Self.join(pieces)
                case "^", "$":
                    throw PatternIssue.unsupported("anchor inside the pattern")
                case "[":
                    pieces.append((try characterClass(), false))
                case "|":
                    pieces.append(("|", false))
                    position += 1
                case "*", "+", "?":
                    guard let last = pieces.popLast() else { throw PatternIssue.invalid("nothing to repeat") }
                    pieces.append((Self.rule(last) + String(c), false))
                    position += 1
                case "{":
                    try repetition(&pieces, grammar: &grammar)
                default:
                    pieces.append((try literal(), true))
                }
            }
            return Self.join(pieces)
        }

        /// Consecutive literals merged into one quoted string.
        private static func join(_ pieces: [Piece]) -> Piece {
            var out: [String] = []
            var literal = ""
            for piece in pieces {
                if piece.isLiteral {
                    literal += piece.text
                } else {
                    if !literal.isEmpty { out.append("\"" + literal + "\"") }
                    literal = ""
                    out.append(piece.text)
                }
            }
            if !literal.isEmpty { out.append("\"" + literal + "\"") }
            return (out.joined(separator: " "), false)
        }

        private mutating func characterClass() throws -> String {
            var text = "["
            position += 1
            while position < scalars.count && scalars[position] != "]" {
                if scalars[position] == "\\" {
                    let length = JSONSchemaGrammar.escapeLength(scalars, position)
                    guard length > 0 else {
                        let escape = String(String.UnicodeScalarView(scalars[position..<Swift.min(position + 2, scalars.count)]))
                        throw PatternIssue.unsupported("unsupported escape in character class: " + escape)
                    }
                    text += String(String.UnicodeScalarView(scalars[position..<(position + length)]))
                    position += length
                } else {
                    text.unicodeScalars.append(scalars[position])
                    position += 1
                }
            }
            guard position < scalars.count else { throw PatternIssue.invalid("unterminated character class") }
            position += 1
            return text + "]"
        }

        private mutating func repetition(_ pieces: inout [Piece], grammar: inout JSONSchemaGrammar) throws {
            var inner = ""
            position += 1
            while position < scalars.count && scalars[position] != "}" {
                inner.unicodeScalars.append(scalars[position])
                position += 1
            }
            guard position < scalars.count else { throw PatternIssue.unsupported("unterminated curly brackets") }
            position += 1
            let numbers = inner.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingWhitespace() }
            var minTimes = 0
            var maxTimes: Int? = nil
            switch numbers.count {
            case 1:
                guard let n = Int(numbers[0]) else { throw PatternIssue.unsupported("invalid number in curly brackets") }
                minTimes = n
                maxTimes = n
            case 2:
                if !numbers[0].isEmpty {
                    guard let n = Int(numbers[0]) else { throw PatternIssue.unsupported("invalid number in curly brackets") }
                    minTimes = n
                }
                if !numbers[1].isEmpty {
                    guard let n = Int(numbers[1]) else { throw PatternIssue.unsupported("invalid number in curly brackets") }
                    maxTimes = n
                }
            default:
                throw PatternIssue.unsupported("wrong number of values in curly brackets")
            }
            guard minTimes >= 0, (maxTimes ?? 0) >= 0 else { throw PatternIssue.unsupported("invalid number in curly brackets") }
            guard let last = pieces.popLast() else { throw PatternIssue.invalid("nothing to repeat") }
            var item: String
            if last.isLiteral {
                item = "\"" + last.text + "\""
            } else if let existing = subRules[last.text] {
                item = existing
            } else {
                item = grammar.rules.add(name + "-" + String(subRules.count + 1), last.text)
                subRules[last.text] = item
            }
            pieces.append((GrammarText.repeated(item, min: minTimes, max: maxTimes), false))
        }

        /// A run of literal characters; a character followed by a quantifier stands alone.
        private mutating func literal() throws -> String {
            var text = ""
            while position < scalars.count {
                let c = scalars[position]
                if c == "\\" {
                    guard position + 1 < scalars.count else { throw PatternIssue.invalid("trailing backslash") }
                    let next = scalars[position + 1]
                    if JSONSchemaGrammar.escapedInRegexOnly.contains(next) {
                        text.unicodeScalars.append(next)
                        position += 2
                    } else {
                        let length = JSONSchemaGrammar.escapeLength(scalars, position)
                        guard length > 0 else {
                            throw PatternIssue.unsupported("unsupported escape: \\" + String(next))
                        }
                        text += String(String.UnicodeScalarView(scalars[position..<(position + length)]))
                        position += length
                    }
                } else if c == "\"" {
                    text += "\\\""
                    position += 1
                } else if !JSONSchemaGrammar.nonLiteral.contains(c)
                    && (position == scalars.count - 1 || text.isEmpty || scalars[position + 1] == "."
                        || !JSONSchemaGrammar.nonLiteral.contains(scalars[position + 1]))
                {
                    text.unicodeScalars.append(c)
                    position += 1
                } else {
                    break
                }
            }
            if text.isEmpty {
                throw PatternIssue.unsupported("unsupported character: " + String(scalars[position]))
            }
            return text
        }
    }
}
