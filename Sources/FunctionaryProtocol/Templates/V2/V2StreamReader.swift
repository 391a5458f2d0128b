/// Incremental v2 reading (same rules as `TemplateV2.parse`): a call starts at `<|content|>` once its recipient is
/// known; its arguments stream until the next `<|from|>` with surrounding whitespace held back.
struct V2StreamReader: MarkerStreamReader {
    enum State: Sendable {
        /// Before `<|recipient|>` in a block (`assistant\n`).
        case header
        /// Between `<|recipient|>` and `<|content|>`.
        case recipient
        /// Text of an `all` block (or of a block that turned out not to be a call).
        case text
        /// Arguments of the current call.
        case arguments
    }

    private var state = State.header
    private var buffer: Scalars = []
    private var run = TextRun(.block)

    var markers: [Scalars] {
        switch state {
        case .header: return [TemplateV2.recipientMarker, TemplateV2.fromMarker]
        case .recipient: return [TemplateV2.contentMarker, TemplateV2.fromMarker]
        case .text, .arguments: return [TemplateV2.fromMarker]
        }
    }

    mutating func plain(_ scalar: Unicode.Scalar, into sink: inout EventSink) {
        switch state {
        case .header, .recipient: buffer.append(scalar)
        case .text, .arguments: run.push(scalar, into: &sink)
        }
    }

    mutating func marker(_ index: Int, into sink: inout EventSink) {
        switch (state, index) {
        case (.header, 0):
            buffer.removeAll()
            state = .recipient
        case (.recipient, 0):
            let recipient = buffer.pythonStripped()
            if recipient.isEmpty {
                run = TextRun(.block)
                run.push(contentsOf: TemplateV2.contentMarker, into: &sink)
                state = .text
            } else {
                let isText = recipient.elementsEqual("all".unicodeScalars)
                run = .after(recipient: recipient, isText: isText, into: &sink)
                state = isText ? .text : .arguments
            }
            buffer.removeAll()
        default:  // <|from|>: the block ends
            end(into: &sink)
            state = .header
        }
    }

    mutating func end(into sink: inout EventSink) {
        switch state {
        case .header, .recipient: TextRun.emitBlock(buffer, into: &sink)
        case .text, .arguments: run.end()
        }
        buffer.removeAll()
    }
}
