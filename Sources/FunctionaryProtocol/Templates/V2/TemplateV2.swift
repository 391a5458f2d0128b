/// Prompt format `v2` (protocol §3.2): `<|from|>` / `<|recipient|>` / `<|content|>` blocks, a
/// TypeScript schema of the tools, `<|stop|>` after each assistant turn.
public struct TemplateV2: EndMarkedTemplate {
    public init() {}
    public var version: TemplateVersion { .v2 }

    public func render(messages: [ChatMessage], tools: [Tool], addGenerationPrompt: Bool) throws(ProtocolError) -> String {
        let tools = SchemaRefResolver.resolve(tools: tools)
        var out = "<|from|>system\n<|recipient|>all\n<|content|>"
        out += TypeScriptSchema.render(resolvedTools: tools)
        out += "\n<|from|>system\n<|recipient|>all\n<|content|>"
        out += TemplateRendering.hasCodeInterpreter(tools) ? TemplateStrings.codeInterpreterSystem : TemplateStrings.v2DefaultSystem
        for (index, message) in messages.enumerated() {
            switch message.role {
            case "user", "system":
                let content = try TemplateRendering.requiredContent(message, at: index, version)
                Self.appendBlock(from: message.role, to: "all", content, into: &out)
            case "tool":
                let name = try TemplateRendering.requiredName(message, at: index, version)
                let content = try TemplateRendering.requiredContent(message, at: index, version)
                Self.appendBlock(from: name, to: "all", content, into: &out)
            default:
                // assistant, and any other role (legacy `function`) rendered the same way
                var printed = false
                if let content = TemplateRendering.nonEmptyContent(message) {
                    Self.appendBlock(from: message.role, to: "all", content, into: &out)
                    printed = true
                }
                for call in TemplateRendering.calls(message) {
                    Self.appendBlock(from: message.role, to: call.function.name, call.function.arguments, into: &out)
                    printed = true
                }
                if printed { out += "<|stop|>" }
            }
        }
        if addGenerationPrompt { out += "\n<|from|>assistant\n<|recipient|>" }
        return out
    }

    static func appendBlock(from sender: String, to recipient: String, _ content: String, into out: inout String) {
        out += "\n<|from|>"
        out += sender
        out += "\n<|recipient|>"
        out += recipient
        out += "\n<|content|>"
        out += content
    }

    public func generationPrefix(for choice: ToolChoice) -> String {
        switch choice {
        case .auto, .required: return ""
        case .none: return "all\n<|content|>"
        case .function(let name): return name + "\n<|content|>"
        }
    }

    public var assistantPrefix: String { "<|from|>assistant\n<|recipient|>" }
    static let endMarkers = ["<|stop|>"]
}
