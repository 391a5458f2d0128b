/// Prompt format `v3.llama3` (protocol §3.4): Llama 3 headers, a TypeScript schema of the tools,
/// assistant turns as `>>>recipient\ncontent` blocks.
public struct TemplateV3Llama3: PromptTemplate {
    public init() {}
    public var version: TemplateVersion { .v3Llama3 }

    public func render(messages: [ChatMessage], tools: [Tool], addGenerationPrompt: Bool) throws(ProtocolError) -> String {
        let tools = SchemaRefResolver.resolve(tools: tools)
        var out = LlamaHeaders.header("system")
        out += TemplateStrings.v3SystemPreamble
        out += TypeScriptSchema.render(resolvedTools: tools)
        out += LlamaHeaders.endOfTurn
        if TemplateRendering.hasCodeInterpreter(tools) {
            LlamaHeaders.appendTurn("system", TemplateStrings.codeInterpreterSystem, into: &out)
        }
        for (index, message) in messages.enumerated() {
            switch message.role {
            case "user", "system", "tool":
                let content = try TemplateRendering.requiredContent(message, at: index, version)
                LlamaHeaders.appendTurn(message.role, content, into: &out)
            default:
                let content = TemplateRendering.nonEmptyContent(message)
                let calls = TemplateRendering.calls(message)
                guard content != nil || !calls.isEmpty else { continue }
                out += LlamaHeaders.header(message.role)
                if let content {
                    out += ">>>all\n"
                    out += content
                }
                for call in calls {
                    out += ">>>"
                    out += call.function.name
                    out += "\n"
                    out += call.function.arguments
                }
                out += LlamaHeaders.endOfTurn
            }
        }
        if addGenerationPrompt { out += assistantPrefix }
        return out
    }

    public func generationPrefix(for choice: ToolChoice) -> String {
        switch choice {
        case .auto, .required: return ""
        case .none: return "all\n"
        case .function(let name): return name + "\n"
        }
    }

    public var assistantPrefix: String { LlamaHeaders.header("assistant") + ">>>" }
    public var stopTokens: [String] { ["<|eot_id|>", "<|end_of_text|>"] }
}
