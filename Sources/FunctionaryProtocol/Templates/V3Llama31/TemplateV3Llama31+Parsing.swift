/// Parsing of v3-llama3.1 output (protocol §3.5): text with `<function=NAME>ARGS</function>` calls, and
/// `<|python_tag|>CODE` to the end.
extension TemplateV3Llama31 {
    static let pythonTag = "<|python_tag|>".scalars
    static let functionOpen = "<function=".scalars
    static let functionClose = "</function>".scalars

    /// The tool_choice prefix of §3.1 (what the prompt ends with).
    static func parsingPrefix(for choice: ToolChoice) -> String {
        switch choice {
        case .auto, .none: return ""
        case .required: return "<function="
        case .function(let name): return "<function=" + name + ">"
        }
    }

    /// The name and arguments of `<function=` + `inner` + `</function>`, or `nil` when there is no `>` after a
    /// non-empty name (the reference then fails with a 500; here the whole span is text).
    static func readFunction(_ inner: ArraySlice<Unicode.Scalar>) -> (name: String, arguments: String)? {
        guard let gt = inner.firstIndex(of: [">"]) else { return nil }
        let name = inner[..<gt].pythonStripped()
        guard !name.isEmpty else { return nil }
        return (String(scalars: name), String(scalars: inner[(gt + 1)...].pythonStripped()))
    }

    /// Reads the output as the reference does (text is kept unstripped, `nil` when only whitespace), except that a
    /// `<function=…</function>` span without a name or without `>` is text instead of an error.
    public func parse(_ output: String, toolChoice: ToolChoice) -> AssistantOutput {
        let text = Self.prefixedOutput(output, toolChoice: toolChoice)
        var parsed = ParsedOutput()
        var content = Scalars()
        var i = 0
        while i < text.count {
            if text[i...].starts(with: Self.pythonTag) {
                parsed.addCall(name: "python", arguments: String(scalars: text[(i + Self.pythonTag.count)...]))
                break
            }
            guard text[i...].starts(with: Self.functionOpen) else {
                content.append(text[i])
                i += 1
                continue
            }
            let innerStart = i + Self.functionOpen.count
            guard let close = text.firstIndex(of: Self.functionClose, from: innerStart) else {
                content.append(contentsOf: text[i...])  // unterminated: text
                break
            }
            if let call = Self.readFunction(text[innerStart..<close]) {
                parsed.addCall(name: call.name, arguments: call.arguments)
            } else {
                content.append(contentsOf: text[i..<(close + Self.functionClose.count)])
            }
            i = close + Self.functionClose.count
        }
        return parsed.output(content: content.isPythonBlank ? [] : content)
    }

    public func makeStreamParser(toolChoice: ToolChoice) -> any StreamParser {
        Self.streamParser(toolChoice: toolChoice, reader: Llama31StreamReader())
    }
}
