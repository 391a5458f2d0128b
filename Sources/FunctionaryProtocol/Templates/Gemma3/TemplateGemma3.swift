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
            Self.turns.append("system", try TemplateRendering.requiredContent(first, at: 0, version), into: &out)
        }
        for (index, message) in messages.enumerated() {
            switch message.role {
            case "user", "system":
                let content = try TemplateRendering.requiredContent(message, at: index, version)
                Self.turns.append(message.role, content, into: &out)
            case "assistant":
                Self.turns.appendCalls(of: message, role: "model", into: &out)
            case "tool":
                let content = try TemplateRendering.requiredContent(message, at: index, version)
                Self.turns.appendToolResponse(content, at: index, of: messages, role: "tool", into: &out)
            default:
                continue  // other roles (legacy `function`) are not shown, as in the reference
            }
        }
        if addGenerationPrompt { out += assistantPrefix }
        return out
    }

    static let turns = ToolCallTagTurns(start: "<start_of_turn>", end: "<end_of_turn>\n")

    public func generationPrefix(for choice: ToolChoice) -> String {
        ToolCallTagFormat.prefix(for: choice)
    }

    public var assistantPrefix: String { "<start_of_turn>model\n" }
    /// The end-of-turn markers, declared once: the stop tokens, what parsing trims from the end of the output, and
    /// the constraint grammar's `end` rule (`TemplateFormat`).
    static let endMarkers = ["<end_of_turn>"]
    public var stopTokens: [String] { Self.endMarkers }
}
