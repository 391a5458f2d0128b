/// Incremental reading of the two Llama-3 formats that put a recipient on its own line after a separator:
/// v2.llama3 (`TEXT<|reserved_special_token_249|>NAME\nARGS…`, text first) and v3.llama3 (`all\nTEXT>>>NAME\nARGS…`,
/// recipient `all` for text). Same rules as their `parse`: a chunk's name ends at the first newline after its
/// leading whitespace; a chunk with no newline is text (nothing when it is just `all`).
struct RecipientLineStreamReader: MarkerStreamReader {
    enum State: Sendable {
        case text
        case name
        case arguments
    }

    let separator: Scalars
    /// The recipient that means text (`all` in v3.llama3; none in v2.llama3).
    let textRecipient: Scalars?
    private var state: State
    private var buffer: Scalars = []
    private var run = TextRun(.block)

    /// - Parameters:
    ///   - separator: the marker that starts a chunk.
    ///   - startsWithText: whether the output begins with text (v2.llama3) rather than a recipient line (v3.llama3).
    ///   - textRecipient: the recipient that means text.
    init(separator: Scalars, startsWithText: Bool, textRecipient: String?) {
        self.separator = separator
        self.textRecipient = textRecipient?.scalars
        self.state = startsWithText ? .text : .name
    }

    private func isTextRecipient<C: Collection>(_ name: C) -> Bool where C.Element == Unicode.Scalar {
        guard let textRecipient else { return false }
        return name.elementsEqual(textRecipient)
    }

    var markers: [Scalars] { [separator] }

    mutating func plain(_ scalar: Unicode.Scalar, into sink: inout EventSink) {
        switch state {
        case .text, .arguments:
            run.push(scalar, into: &sink)
        case .name:
            if buffer.isEmpty && scalar.isPythonWhitespace { return }
            guard scalar == "\n" else {
                buffer.append(scalar)
                return
            }
            let name = buffer.pythonStripped()
            let isText = isTextRecipient(name)
            run = .after(recipient: name, isText: isText, into: &sink)
            state = isText ? .text : .arguments
            buffer.removeAll()
        }
    }

    mutating func marker(_ index: Int, into sink: inout EventSink) {
        end(into: &sink)
        state = .name
    }

    mutating func end(into sink: inout EventSink) {
        switch state {
        case .text, .arguments:
            run.end()
        case .name:
            if !isTextRecipient(buffer.pythonStripped()) {
                TextRun.emitBlock(buffer, into: &sink)
            }
            buffer.removeAll()
        }
    }
}
