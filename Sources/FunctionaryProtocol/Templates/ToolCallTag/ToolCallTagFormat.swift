/// The `<tool_call>{"name": …, "arguments": …}</tool_call>` format of qwen2.5-text-only and gemma3 (§3.6, §3.7):
/// parsing and streaming, shared by both templates (they differ only in the stop token).
enum ToolCallTagFormat {
    static let open = "<tool_call>".scalars
    static let close = "</tool_call>".scalars

    /// What the text between `<tool_call>` and `</tool_call>` is.
    enum Reading {
        /// Only whitespace: dropped, as the reference does.
        case empty
        case call(name: String, arguments: String)
        /// Not a call: the whole `<tool_call>…</tool_call>` span is text.
        case text
    }

    /// Reads a call body: a JSON object with a non-empty string `name` and `arguments` (missing means `{}`).
    /// Arguments are re-serialised as Python's `json.dumps(ensure_ascii=False)` would; a string holding JSON is read
    /// first. For `python`, a string `code` member (or a string that is not JSON) is the raw code.
    static func read<C: BidirectionalCollection>(_ body: C) -> Reading where C.Element == Unicode.Scalar {
        let stripped = body.pythonStripped()
        if stripped.isEmpty { return .empty }
        guard let value = try? JSONValue(parsing: String(scalars: stripped)),
            let name = value["name"]?.stringValue, !name.isEmpty
        else { return .text }
        var arguments = value["arguments"] ?? .object(JSONObject())
        if name == "python" {
            if let code = arguments["code"]?.stringValue { return .call(name: name, arguments: code) }
            if let code = arguments.stringValue, (try? JSONValue(parsing: code)) == nil {
                return .call(name: name, arguments: code)
            }
        }
        if let string = arguments.stringValue, let inner = try? JSONValue(parsing: string) {
            arguments = inner
        }
        return .call(name: name, arguments: arguments.pythonJSON())
    }

    /// Non-streaming parse of the text after the prefix has been prepended and the output trimmed. Content is all
    /// text outside calls (including text after a call and spans that are not calls), stripped, `nil` when empty.
    static func parse(_ text: Scalars) -> AssistantOutput {
        var parsed = ParsedOutput()
        var content = Scalars()
        let parts = text.split(marker: open)
        content.append(contentsOf: parts[0])
        for part in parts.dropFirst() {
            guard let end = part.firstIndex(of: close) else {
                content.append(contentsOf: open + part)  // unterminated: text
                continue
            }
            switch read(part[..<end]) {
            case .empty: break
            case .call(let name, let arguments): parsed.addCall(name: name, arguments: arguments)
            case .text: content.append(contentsOf: open + part[..<end] + close)
            }
            content.append(contentsOf: part[(end + close.count)...])
        }
        return parsed.output(content: Scalars(content.pythonStripped()))
    }
}
