/// Client text inside a rendered prompt: what a user, a tool, a tool description or an MCP server wrote is text,
/// never a control token, even where it spells one (`<end_of_turn>`, `<|eot_id|>`, `<|im_start|>`).
///
/// `PromptBuilder` marks every spelling in client text that could name a special token (a `<` or `[`, 1 to 64
/// characters without whitespace or another opening bracket, then the matching `>` or `]`) as a *literal*: it
/// wraps it in the noncharacters U+FDD0 … U+FDD1. The template's own markers are never wrapped. An engine then
/// honours special tokens only outside literal ranges (`LlamaEngine` tokenizes the text around the template's
/// markers with special-token parsing off, so a spelled marker costs what any lookalike text costs); remote
/// engines get the same prompt with the spellings made inert (`RemoteEnginePool`). `plain(_:)` gives the text the
/// model reads. Text without such spellings is not changed at all, so ordinary prompts tokenize as before.
public enum PromptText {
    /// Opens a literal range (a Unicode noncharacter: for internal use, never meaningful in client text).
    public static let literalStart = Unicode.Scalar(0xFDD0 as UInt32)!
    /// Closes a literal range.
    public static let literalEnd = Unicode.Scalar(0xFDD1 as UInt32)!
    /// The longest spelling that is wrapped, in scalars between the brackets.
    static let maxSpelling = 64

    /// `text` with every possible special-token spelling wrapped as a literal; literal markers the text already had
    /// become U+FFFD, so that client text cannot open or close a range.
    public static func guarded(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: "[") || $0 == 0xEF }) else { return text }
        let scalars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < scalars.count {
            let scalar = scalars[i]
            if scalar == literalStart || scalar == literalEnd {
                out.append("\u{FFFD}")
                i += 1
                continue
            }
            if let end = spellingEnd(scalars, from: i) {
                out.append(literalStart)
                for k in i...end {
                    out.append(scalars[k] == literalStart || scalars[k] == literalEnd ? "\u{FFFD}" : scalars[k])
                }
                out.append(literalEnd)
                i = end + 1
                continue
            }
            out.append(scalar)
            i += 1
        }
        return String(out)
    }

    /// The index of the bracket closing a possible special-token spelling that starts at `start`, or nil.
    private static func spellingEnd(_ scalars: [Unicode.Scalar], from start: Int) -> Int? {
        let close: Unicode.Scalar
        switch scalars[start] {
        case "<": close = ">"
        case "[": close = "]"
        default: return nil
        }
        var k = start + 1
        while k < scalars.count, k - start <= maxSpelling + 1 {
            let scalar = scalars[k]
            if scalar == close { return k - start >= 2 ? k : nil }
            if scalar == "<" || scalar == "[" || scalar.properties.isWhitespace { return nil }
            k += 1
        }
        return nil
    }

    /// Whether the prompt has literal ranges.
    public static func hasLiterals(_ prompt: String) -> Bool {
        prompt.unicodeScalars.contains { $0 == literalStart || $0 == literalEnd }
    }

    /// The text the model reads: the prompt without literal markers.
    public static func plain(_ prompt: String) -> String {
        guard hasLiterals(prompt) else { return prompt }
        var out = String.UnicodeScalarView()
        for scalar in prompt.unicodeScalars where scalar != literalStart && scalar != literalEnd { out.append(scalar) }
        return String(out)
    }

    /// The prompt for an engine that parses special tokens everywhere (vLLM, SGLang and OpenAI-style completion
    /// endpoints cannot turn that off): each literal gets a zero-width space (U+200B) after its first character, so
    /// that no tokenizer reads it as a special token; the template's markers are left as they are.
    public static func inert(_ prompt: String) -> String {
        guard hasLiterals(prompt) else { return prompt }
        var out = ""
        for segment in segments(prompt) {
            guard segment.isLiteral, let first = segment.text.unicodeScalars.first else {
                out += segment.text
                continue
            }
            out.unicodeScalars.append(first)
            out += "\u{200B}"
            out.unicodeScalars.append(contentsOf: segment.text.unicodeScalars.dropFirst())
        }
        return out
    }

    /// One piece of a prompt: template text, where special tokens count, or a literal, where they do not.
    public struct Segment: Sendable, Hashable {
        public var text: String
        public var isLiteral: Bool

        public init(text: String, isLiteral: Bool) {
            self.text = text
            self.isLiteral = isLiteral
        }
    }

    /// The prompt cut at its literal markers, in order (empty pieces left out; an unclosed range runs to the end).
    public static func segments(_ prompt: String) -> [Segment] {
        guard hasLiterals(prompt) else { return prompt.isEmpty ? [] : [Segment(text: prompt, isLiteral: false)] }
        var segments: [Segment] = []
        var current = String.UnicodeScalarView()
        var literal = false
        func flush() {
            if !current.isEmpty { segments.append(Segment(text: String(current), isLiteral: literal)) }
            current = String.UnicodeScalarView()
        }
        for scalar in prompt.unicodeScalars {
            if scalar == literalStart || scalar == literalEnd {
                flush()
                literal = scalar == literalStart
            } else {
                current.append(scalar)
            }
        }
        flush()
        return segments
    }

    /// The plain text and the UTF-8 byte ranges in it that are literals.
    public static func literalRanges(_ prompt: String) -> (text: String, literals: [Range<Int>]) {
        var text = ""
        var ranges: [Range<Int>] = []
        var offset = 0
        for segment in segments(prompt) {
            let count = segment.text.utf8.count
            if segment.isLiteral { ranges.append(offset..<(offset + count)) }
            text += segment.text
            offset += count
        }
        return (text, ranges)
    }
}
