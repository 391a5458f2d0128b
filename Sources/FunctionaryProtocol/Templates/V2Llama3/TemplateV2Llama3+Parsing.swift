/// Parsing of v2.llama3 output (protocol §3.3): text, then calls `<|reserved_special_token_249|>NAME\nARGUMENTS`.
extension TemplateV2Llama3 {
    /// Reads the output as the reference does, except: an empty output is no content (the reference fails), and a
    /// call chunk without a newline after its name is text. The name ends at the first newline after the chunk's
    /// leading whitespace (the reference first strips the chunk, which only differs for a chunk that is just a name).
    static let format = RecipientLineFormat(separator: callMarker.scalars, startsWithText: true, textRecipient: nil)

    /// The tool_choice prefix of §3.1 (what the prompt ends with).
    static func parsingPrefix(for choice: ToolChoice) -> String {
        switch choice {
        case .auto, .none: return ""
        case .required: return callMarker
        case .function(let name): return callMarker + name + "\n"
        }
    }
}
