/// Pieces shared by the template renderers: required fields with errors naming the message, tool
/// preparation, and the qwen2.5/gemma3 code-interpreter conversions.
enum TemplateRendering {
    /// The text of a message whose content the template needs (user, system and tool messages).
    /// - Throws: `ProtocolError(.renderFailed)` naming the message when its content is null.
    static func requiredContent(_ message: ChatMessage, at index: Int, _ version: TemplateVersion) throws(ProtocolError) -> String {
        try required(
            message.text, "content", at: index,
            "(role '\(message.role)') has no content; template \(version.rawValue) needs text content in \(message.role) messages.")
    }

    /// The `name` of a tool message (v2, v2.llama3 show which function answered).
    /// - Throws: `ProtocolError(.renderFailed)` naming the message when it has no name.
    static func requiredName(_ message: ChatMessage, at index: Int, _ version: TemplateVersion) throws(ProtocolError) -> String {
        try required(
            message.name, "name", at: index,
            "(role 'tool') has no name; template \(version.rawValue) needs the name of the function a tool "
                + "result answers: set 'name', or a 'tool_call_id' matching a call of the preceding assistant message.")
    }

    /// `value`, or `ProtocolError(.renderFailed)` with `messages[index] problem` about `messages[index].field`.
    private static func required(
        _ value: String?, _ field: String, at index: Int, _ problem: @autoclosure () -> String
    ) throws(ProtocolError) -> String {
        guard let value else { throw ProtocolError(.renderFailed, "messages[\(index)] " + problem(), param: "messages[\(index)].\(field)") }
        return value
    }

    /// The content when it is non-empty text (Jinja's `message['content']` truthiness).
    static func nonEmptyContent(_ message: ChatMessage) -> String? {
        guard let text = message.text, !text.isEmpty else { return nil }
        return text
    }

    /// The tool calls of a message, empty when absent.
    static func calls(_ message: ChatMessage) -> [ToolCall] {
        message.toolCalls ?? []
    }

    /// Whether a code-interpreter tool is offered.
    static func hasCodeInterpreter(_ tools: [Tool]) -> Bool {
        tools.contains { $0.type == .codeInterpreter }
    }

    /// qwen2.5/gemma3 (§1.5): `code_interpreter` becomes the `python` function tool.
    static func replacingCodeInterpreter(_ tools: [Tool]) -> [Tool] {
        tools.map { $0.type == .codeInterpreter ? TemplateStrings.pythonTool : $0 }
    }

    /// qwen2.5/gemma3 (§1.5): the arguments of `python` calls that are not valid JSON (raw code)
    /// become `{"code": …}`, so that every rendered call carries a JSON object.
    static func wrappingPythonCode(_ messages: [ChatMessage]) -> [ChatMessage] {
        guard messages.contains(where: { $0.toolCalls?.contains { $0.function.name == "python" } == true }) else { return messages }
        return messages.map { message in
            guard var calls = message.toolCalls else { return message }
            for i in calls.indices where calls[i].function.name == "python" && !isPythonJSON(calls[i].function.arguments) {
                let wrapped: JSONValue = ["code": .string(calls[i].function.arguments)]
                calls[i].function.arguments = wrapped.pythonJSON()
            }
            var converted = message
            converted.toolCalls = calls
            return converted
        }
    }

    /// Whether Python's `json.loads` accepts the text (which also takes `NaN` and `Infinity`).
    static func isPythonJSON(_ text: String) -> Bool {
        if (try? JSONValue(parsing: text)) != nil { return true }
        let trimmed = TypeScriptSchema.pythonStrip(text)
        return trimmed == "NaN" || trimmed == "Infinity" || trimmed == "-Infinity"
    }

    /// The qwen2.5/gemma3 tools section: introduction, one JSON line per tool, closing instructions.
    static func appendToolsJSON(_ tools: [Tool], to out: inout String) {
        out += TemplateStrings.toolsIntro
        for tool in tools {
            out += "\n"
            tool.json.writePythonJSON(into: &out)
        }
        out += TemplateStrings.toolsOutro
    }

    /// One call in the qwen2.5/gemma3 format; the arguments are inserted as they are.
    static func appendToolCallJSON(_ call: ToolCall, to out: inout String) {
        out += "\n<tool_call>\n{\"name\": \""
        out += call.function.name
        out += "\", \"arguments\": "
        out += call.function.arguments
        out += "}\n</tool_call>"
    }
}
