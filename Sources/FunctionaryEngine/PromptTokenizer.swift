import CLlama
import FunctionaryProtocol

/// The control and unknown tokens of a vocabulary by their text: the spellings that llama.cpp's special-token
/// parsing turns into tokens and its plain tokenization leaves as text (user-defined tokens are matched either way).
struct ControlTokenTable: Sendable {
    /// Token id by the bytes of its text.
    let ids: [[UInt8]: llama_token]
    /// The lengths of those texts, longest first (llama.cpp tries longer special tokens first).
    let lengths: [Int]
    /// The first bytes of those texts.
    let firstBytes: Set<UInt8>
    /// Per token: whether llama.cpp strips whitespace to its left / right when it parses it (`LSTRIP`, `RSTRIP`).
    let strips: [llama_token: (left: Bool, right: Bool)]

    init(vocab: OpaquePointer, count: Int) {
        var ids: [[UInt8]: llama_token] = [:]
        var strips: [llama_token: (left: Bool, right: Bool)] = [:]
        let special = LLAMA_TOKEN_ATTR_CONTROL.rawValue | LLAMA_TOKEN_ATTR_UNKNOWN.rawValue
        for id in 0..<count {
            let token = llama_token(id)
            let attributes = llama_vocab_get_attr(vocab, token).rawValue
            guard attributes & special != 0, let text = llama_vocab_get_text(vocab, token) else { continue }
            let bytes = Array(String(cString: text).utf8)
            guard !bytes.isEmpty, ids[bytes] == nil else { continue }
            ids[bytes] = token
            let left = attributes & LLAMA_TOKEN_ATTR_LSTRIP.rawValue != 0
            let right = attributes & LLAMA_TOKEN_ATTR_RSTRIP.rawValue != 0
            if left || right { strips[token] = (left, right) }
        }
        self.ids = ids
        self.lengths = Set(ids.keys.map(\.count)).sorted(by: >)
        self.firstBytes = Set(ids.keys.compactMap(\.first))
        self.strips = strips
    }

    /// The control token whose text starts at `bytes[start]` (the longest), with its length, when no byte of it lies
    /// in `literals`.
    func match(_ bytes: [UInt8], at start: Int, avoiding literals: [Range<Int>]) -> (token: llama_token, length: Int)? {
        guard firstBytes.contains(bytes[start]) else { return nil }
        for length in lengths where start + length <= bytes.count {
            guard let token = ids[Array(bytes[start..<(start + length)])] else { continue }
            let range = start..<(start + length)
            if literals.contains(where: { $0.overlaps(range) }) { return nil }
            return (token, length)
        }
        return nil
    }
}

extension LlamaModel {
    /// Tokenizes a rendered prompt (`GenerationRequest.prompt`): control tokens count only where the template wrote
    /// them, never inside the literal ranges of guarded client text (`PromptText`), which are text like any other.
    ///
    /// A prompt without literals is tokenized by llama.cpp with special-token parsing on, as before. Otherwise the
    /// control tokens outside literals cut the prompt into pieces (as llama.cpp's own pre-tokenizer does, longest
    /// token first, honouring its whitespace stripping), and each piece is tokenized with special-token parsing off:
    /// a spelled `<end_of_turn>` inside client text costs what any lookalike text costs.
    func tokenizePrompt(_ prompt: String) -> [llama_token] {
        guard PromptText.hasLiterals(prompt) else { return tokenize(prompt) }
        let (text, literals) = PromptText.literalRanges(prompt)
        let bytes = Array(text.utf8)
        var tokens = tokenize("", addSpecial: true, parseSpecial: false)
        var pieceStart = 0
        var stripLeadingWhitespace = false
        func flush(upTo end: Int, stripTrailingWhitespace: Bool) {
            var lower = pieceStart
            var upper = end
            if stripLeadingWhitespace { while lower < upper, Self.isSpace(bytes[lower]) { lower += 1 } }
            if stripTrailingWhitespace { while upper > lower, Self.isSpace(bytes[upper - 1]) { upper -= 1 } }
            if lower < upper {
                tokens += tokenize(String(decoding: bytes[lower..<upper], as: UTF8.self), addSpecial: false, parseSpecial: false)
            }
        }
        var i = 0
        while i < bytes.count {
            guard let (token, length) = controlTokens.match(bytes, at: i, avoiding: literals) else {
                i += 1
                continue
            }
            let strip = controlTokens.strips[token]
            flush(upTo: i, stripTrailingWhitespace: strip?.left ?? false)
            tokens.append(token)
            i += length
            pieceStart = i
            stripLeadingWhitespace = strip?.right ?? false
        }
        flush(upTo: bytes.count, stripTrailingWhitespace: false)
        return tokens
    }

    /// C's `isspace` for one byte, as llama.cpp's pre-tokenizer strips.
    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (0x09...0x0D).contains(byte)
    }
}
