/// Prompt format `gemma3` (protocol §3.7): Gemma turns (`model` for the assistant), tools and calls
/// as in qwen2.5, tool results as `<tool_response>` in a `tool` turn.
public struct TemplateGemma3: PromptTemplate {
    public init() {}
    public var version: TemplateVersion { .gemma3 }

    public func render(messages: [ChatMessage], tools: [Tool], addGenerationPrompt: Bool) throws(ProtocolError) -> String {
        let tools = TemplateRendering.replacingCodeInterpreter(SchemaRefResolver.resolve(tools: tools))
        let messages = TemplateRendering.wrappingPythonCode(messages)
        var out = ""
        if !tools.isEmpty {
            out += "<start_of_turn>system\n"
            out += TemplateStrings.gemmaToolsSystem
            TemplateRendering.appendToolsJSON(tools, to: &out)
            out += "<end_of_turn>\n"
        } else if let first = messages.first, first.role == "system" {
            // Without tools the first system message opens the prompt, and is shown again below:
            // the reference does so, and the model was trained on it.
            Self.appendTurn("system", try TemplateRendering.requiredContent(first, at: 0, version), into: &out)
        }
        for (index, message) in messages.enumerated() {
            switch message.role {
            case "user", "system":
                let content = try TemplateRendering.requiredContent(message, at: index, version)
                Self.appendTurn(message.role, content, into: &out)
            case "assistant":
                out += "<start_of_turn>model"
                if let content = TemplateRendering.nonEmptyContent(message) {
                    out += "\n"
                    out += content
                }
                for call in TemplateRendering.calls(message) { TemplateRendering.appendToolCallJSON(call, to: &out) }
                out += "<end_of_turn>\n"
            case "tool":
                let content = try TemplateRendering.requiredContent(message, at: index, version)
                if index == 0 || messages[index - 1].role != "tool" { out += "<start_of_turn>tool" }
                out += "\n<tool_response>\n"
                out += content
                out += "\n</tool_response>"
                if index == messages.count - 1 || messages[index + 1].role != "tool" { out += "<end_of_turn>\n" }
            default:
                continue  // other roles (legacy `function`) are not shown, as in the reference
            }
        }
        if addGenerationPrompt { out += assistantPrefix }
        return out
    }

    static func appendTurn(_ role: String, _ content: String, into out: inout String) {
        out += "<start_of_turn>"
        out += role
        out += "\n"
        out += content
        out += "<end_of_turn>\n"
    }

    public func generationPrefix(for choice: ToolChoice) -> String {
        TemplateQwen25.toolCallPrefix(for: choice)
    }

    public var assistantPrefix: String { "<start_of_turn>model\n" }
    public var stopTokens: [String] { ["<end_of_turn>"] }
}
