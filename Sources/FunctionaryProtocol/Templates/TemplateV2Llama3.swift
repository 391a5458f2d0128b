/// Prompt format `v2.llama3` (protocol §3.3): Llama 3 headers, a TypeScript schema of the tools,
/// each call introduced by `<|reserved_special_token_249|>`.
public struct TemplateV2Llama3: PromptTemplate {
    public init() {}
    public var version: TemplateVersion { .v2Llama3 }

    static let callMarker = "<|reserved_special_token_249|>"

    public func render(messages: [ChatMessage], tools: [Tool], addGenerationPrompt: Bool) throws(ProtocolError) -> String {
        let tools = SchemaRefResolver.resolve(tools: tools)
        var out = LlamaHeaders.header("system")
        out += TypeScriptSchema.render(resolvedTools: tools)
        out += LlamaHeaders.endOfTurn
        out += LlamaHeaders.header("system")
        out += TemplateRendering.hasCodeInterpreter(tools) ? TemplateStrings.codeInterpreterSystem : TemplateStrings.v2DefaultSystem
        out += LlamaHeaders.endOfTurn
        for (index, message) in messages.enumerated() {
            switch message.role {
            case "user", "system":
                let content = try TemplateRendering.requiredContent(message, at: index, version)
                LlamaHeaders.appendTurn(message.role, content, into: &out)
            case "tool":
                let name = try TemplateRendering.requiredName(message, at: index, version)
                let content = try TemplateRendering.requiredContent(message, at: index, version)
                LlamaHeaders.appendTurn("tool", "name=" + name + "\n" + content, into: &out)
            default:
                let content = TemplateRendering.nonEmptyContent(message)
                let calls = TemplateRendering.calls(message)
                guard content != nil || !calls.isEmpty else { continue }
                out += LlamaHeaders.header(message.role)
                if let content { out += content }
                for call in calls {
                    out += Self.callMarker
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
        case .auto, .none: return ""
        case .required: return Self.callMarker
        case .function(let name): return Self.callMarker + name + "\n"
        }
    }

    public var assistantPrefix: String { LlamaHeaders.header("assistant") }
    public var stopTokens: [String] { ["<|eot_id|>", "<|end_of_text|>"] }
}
