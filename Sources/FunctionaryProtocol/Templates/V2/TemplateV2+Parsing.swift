/// Parsing of v2 output (protocol §3.2): blocks `<|from|>assistant\n<|recipient|>NAME\n<|content|>TEXT`.
extension TemplateV2 {
    static let fromMarker = "<|from|>".scalars
    static let recipientMarker = "<|recipient|>".scalars
    static let contentMarker = "<|content|>".scalars
    /// The reference parser's own prefix: the assistant block opener, plus the recipient the tool_choice forced.
    static func parsingPrefix(for choice: ToolChoice) -> String {
        let opener = "<|from|>assistant\n<|recipient|>"
        switch choice {
        case .none: return opener + "all\n<|content|>"
        case .function(let name): return opener + name + "\n<|content|>"
        case .auto, .required: return opener
        }
    }

    /// Reads the output as the reference does, except that nothing is lost: a block without `<|recipient|>`, without
    /// `<|content|>` after it, or with an empty recipient is text (what follows `<|recipient|>`, or the whole block);
    /// several `all` blocks are joined with `"\n"` instead of the last one winning; an empty output is no content.
    public func parse(_ output: String, toolChoice: ToolChoice) -> AssistantOutput {
        let text = Self.prefixedOutput(output, toolChoice: toolChoice)
        var parsed = ParsedOutput()
        for piece in text.split(marker: Self.fromMarker) {
            guard let r = piece.firstIndex(of: Self.recipientMarker) else {
                parsed.addBlock(piece)
                continue
            }
            let afterRecipient = piece[(r + Self.recipientMarker.count)...]
            guard let c = afterRecipient.firstIndex(of: Self.contentMarker) else {
                parsed.addBlock(afterRecipient)
                continue
            }
            let recipient = afterRecipient[..<c].pythonStripped()
            let body = afterRecipient[(c + Self.contentMarker.count)...]
            if recipient.isEmpty {
                parsed.addBlock(afterRecipient)
            } else if recipient.elementsEqual("all".unicodeScalars) {
                parsed.addBlock(body)
            } else {
                parsed.addCall(name: recipient, arguments: body.pythonStripped())
            }
        }
        return parsed.blockOutput
    }

    public func makeStreamParser(toolChoice: ToolChoice) -> any StreamParser {
        Self.streamParser(toolChoice: toolChoice, reader: V2StreamReader())
    }
}
