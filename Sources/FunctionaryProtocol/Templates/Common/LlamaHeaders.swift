/// Llama 3 turn markup shared by v2.llama3, v3.llama3 and v3-llama3.1.
enum LlamaHeaders {
    static let endOfTurn = "<|eot_id|>"

    /// `<|start_header_id|>ROLE<|end_header_id|>\n\n`.
    static func header(_ role: String) -> String {
        "<|start_header_id|>" + role + "<|end_header_id|>\n\n"
    }

    /// A whole turn: header, content, `<|eot_id|>`.
    static func appendTurn(_ role: String, _ content: String, into out: inout String) {
        out += "<|start_header_id|>"
        out += role
        out += "<|end_header_id|>\n\n"
        out += content
        out += endOfTurn
    }

    /// A call as `marker` name, a newline, arguments (v2.llama3's `<|reserved_special_token_249|>`, v3.llama3's `>>>`).
    static func appendCall(_ call: ToolCall, after marker: String, into out: inout String) {
        out += marker
        out += call.function.name
        out += "\n"
        out += call.function.arguments
    }

    /// The conversation's turns: user and system messages as they are, a tool message as `tool` makes it (role and
    /// content), any other message (the assistant's) as its text after `textPrefix` and its calls as `call` writes
    /// them, closed by `end(hasCalls)`; a message with neither text nor calls is left out.
    static func appendTurns(
        _ messages: [ChatMessage], _ version: TemplateVersion, into out: inout String, textPrefix: String = "",
        tool: (_ message: ChatMessage, _ index: Int) throws(ProtocolError) -> (role: String, content: String),
        call: (ToolCall, inout String) -> Void, end: (_ hasCalls: Bool) -> String = { _ in endOfTurn }
    ) throws(ProtocolError) {
        for (index, message) in messages.enumerated() {
            switch message.role {
            case "user", "system":
                appendTurn(message.role, try TemplateRendering.requiredContent(message, at: index, version), into: &out)
            case "tool":
                let turn = try tool(message, index)
                appendTurn(turn.role, turn.content, into: &out)
            default:
                let content = TemplateRendering.nonEmptyContent(message)
                let calls = TemplateRendering.calls(message)
                guard content != nil || !calls.isEmpty else { continue }
                out += header(message.role)
                if let content {
                    out += textPrefix
                    out += content
                }
                for item in calls { call(item, &out) }
                out += end(!calls.isEmpty)
            }
        }
    }
}
