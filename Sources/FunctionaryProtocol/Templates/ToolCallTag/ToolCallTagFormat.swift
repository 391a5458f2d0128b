/// The `<tool_call>{"name": …, "arguments": …}</tool_call>` format of qwen2.5-text-only and gemma3 (§3.6, §3.7):
/// parsing, streaming and the tool_choice prefixes, shared by both templates (they differ only in the stop token).
enum ToolCallTagFormat {
    static let open = "<tool_call>".scalars
    static let close = "</tool_call>".scalars

    /// The tool_choice prefix of §3.1 (what the prompt ends with).
    static func prefix(for choice: ToolChoice) -> String {
        switch choice {
        case .auto, .none: return ""
        case .required: return "<tool_call>\n"
        case .function(let name): return "<tool_call>\n{\"name\": \"" + name + "\", \"arguments"
        }
    }

    /// Reads a whole output as the reference does, except that nothing is lost: an unterminated `<tool_call>`, a call
    /// that is not valid JSON (or has no name), and text after a call are content; a python call without a `code`
    /// string keeps its JSON arguments.
    /// - Parameter stops: the template's end-of-turn markers, trimmed from the end of the output.
    static func parse(_ output: String, toolChoice: ToolChoice, stops: [String]) -> AssistantOutput {
        parse(prefix(for: toolChoice).scalars + OutputTrimmer.trim(output, stops: stops))
    }

    /// A fresh incremental parser with the rules of `parse(_:toolChoice:stops:)`.
    static func streamParser(toolChoice: ToolChoice, stops: [String]) -> any StreamParser {
        TemplateStreamParser(prefix: prefix(for: toolChoice), stops: stops, reader: ToolCallTagStreamReader())
    }

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

/// The turns of a template that writes calls as `<tool_call>` JSON: `<|im_start|>`…`<|im_end|>\n` in qwen2.5,
/// `<start_of_turn>`…`<end_of_turn>\n` in gemma3.
struct ToolCallTagTurns {
    let start: String
    let end: String

    /// `start` role, a newline, the content, `end`.
    func append(_ role: String, _ content: String, into out: inout String) {
        out += start
        out += role
        out += "\n"
        out += content
        out += end
    }

    /// An assistant turn with calls: its text (when not empty) after a newline, then each call as `<tool_call>` JSON.
    func appendCalls(of message: ChatMessage, role: String, into out: inout String) {
        out += start
        out += role
        if let content = TemplateRendering.nonEmptyContent(message) {
            out += "\n"
            out += content
        }
        for call in TemplateRendering.calls(message) { TemplateRendering.appendToolCallJSON(call, to: &out) }
        out += end
    }

    /// Tool result `index` of `messages` as `<tool_response>`: consecutive results share one `role` turn.
    func appendToolResponse(_ content: String, at index: Int, of messages: [ChatMessage], role: String, into out: inout String) {
        if index == 0 || messages[index - 1].role != "tool" { out += start + role }
        out += "\n<tool_response>\n"
        out += content
        out += "\n</tool_response>"
        if index == messages.count - 1 || messages[index + 1].role != "tool" { out += end }
    }
}
