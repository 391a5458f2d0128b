/// The two Llama-3 formats that put a recipient on its own line after a separator: v2.llama3
/// (`TEXT<|reserved_special_token_249|>NAME\nARGS…`, text first) and v3.llama3 (`all\nTEXT>>>NAME\nARGS…`, recipient
/// `all` for text). A chunk's name ends at the first newline after its leading whitespace; a chunk with no newline
/// is text (nothing when it is just the text recipient). `RecipientLineStreamReader` reads the same incrementally.
struct RecipientLineFormat {
    /// The marker that starts a chunk.
    let separator: Scalars
    /// Whether the output begins with text (v2.llama3) rather than a recipient line (v3.llama3).
    let startsWithText: Bool
    /// The recipient that means text (`all` in v3.llama3; none in v2.llama3).
    let textRecipient: String?

    /// Non-streaming parse of the text after the prefix has been prepended and the output trimmed.
    func parse(_ text: Scalars) -> AssistantOutput {
        var parsed = ParsedOutput()
        var parts = text.split(marker: separator)[...]
        if startsWithText, let first = parts.popFirst() { parsed.addBlock(first) }
        for part in parts {
            let chunk = part.pythonLeftStripped()
            if let newline = chunk.firstIndex(of: ["\n"]) {
                let name = chunk[..<newline].pythonStripped()
                let body = chunk[(newline + 1)...]
                if isTextRecipient(name) {
                    parsed.addBlock(body)
                } else {
                    parsed.addCall(name: name, arguments: body.pythonStripped())
                }
            } else if !isTextRecipient(chunk.pythonStripped()) {
                parsed.addBlock(chunk)
            }
        }
        return parsed.blockOutput
    }

    /// A stream reader with the same rules, in its initial state.
    var streamReader: RecipientLineStreamReader {
        RecipientLineStreamReader(separator: separator, startsWithText: startsWithText, textRecipient: textRecipient)
    }

    private func isTextRecipient<C: Collection>(_ name: C) -> Bool where C.Element == Unicode.Scalar {
        guard let textRecipient else { return false }
        return name.elementsEqual(textRecipient.unicodeScalars)
    }
}

/// A template whose output is in a `RecipientLineFormat` (v2.llama3, v3.llama3): parsed with `format` after the
/// parsing prefix.
protocol RecipientLineTemplate: EndMarkedTemplate {
    static var format: RecipientLineFormat { get }
}

extension RecipientLineTemplate {
    /// Reads the output as `format` does (the template's `format` says where that departs from the reference).
    public func parse(_ output: String, toolChoice: ToolChoice) -> AssistantOutput {
        Self.format.parse(Self.prefixedOutput(output, toolChoice: toolChoice))
    }

    public func makeStreamParser(toolChoice: ToolChoice) -> any StreamParser {
        Self.streamParser(toolChoice: toolChoice, reader: Self.format.streamReader)
    }
}
