/// Prompt format `gemma3` (protocol §3.7): Gemma turns (`model` for the assistant), tools and calls
/// as in qwen2.5, tool results as `<tool_response>` in a `tool` turn.
public struct TemplateGemma3: ToolCallTagTemplate {
    public init() {}
    public var version: TemplateVersion { .gemma3 }

    static let turns = ToolCallTagTurns.gemma3

    func header(messages: [ChatMessage], tools: [Tool]) throws(ProtocolError) -> String {
        var out = ""
        if !tools.isEmpty {
            out += "<start_of_turn>system\n"
            out += TemplateStrings.gemmaToolsSystem
            TemplateRendering.appendToolsJSON(tools, to: &out)
            out += "<end_of_turn>\n"
        } else if let first = messages.first, first.role == "system" {
            // Without tools the first system message opens the prompt, and is shown again below:
            // the reference does so, and the model was trained on it.
            Self.turns.append("system", try TemplateRendering.requiredContent(first, at: 0, version), into: &out)
        }
        return out
    }

    func appendTurn(_ message: ChatMessage, at index: Int, into out: inout String) throws(ProtocolError) {
        switch message.role {
        case "user", "system":
            let content = try TemplateRendering.requiredContent(message, at: index, version)
            Self.turns.append(message.role, content, into: &out)
        case "assistant":
            Self.turns.appendCalls(of: message, into: &out)
        default:
            return  // other roles (legacy `function`) are not shown, as in the reference
        }
    }
}
