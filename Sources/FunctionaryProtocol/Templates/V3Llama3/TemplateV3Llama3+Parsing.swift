/// Parsing of v3.llama3 output (protocol §3.4): chunks `>>>RECIPIENT\nCONTENT`, recipient `all` for text.
extension TemplateV3Llama3 {
    /// Reads the output as the reference does, except: a chunk without a newline after its recipient is text (the
    /// reference makes a call named after all but its last character), or nothing when it is just `all`; several
    /// `all` chunks are joined with `"\n"` instead of the last one winning.
    static let format = RecipientLineFormat(separator: ">>>".scalars, startsWithText: false, textRecipient: "all")

    /// The tool_choice prefix of §3.1 (what the prompt ends with, after the generation prompt's `>>>`).
    static func parsingPrefix(for choice: ToolChoice) -> String {
        switch choice {
        case .auto, .required: return ""
        case .none: return "all\n"
        case .function(let name): return name + "\n"
        }
    }
}
