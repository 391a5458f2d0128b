/// Prompt format `qwen2.5-text-only` (protocol §3).
public struct TemplateQwen25: PromptTemplate {
    public init() {}
    public var version: TemplateVersion { .qwen25 }

    public func render(messages: [ChatMessage], tools: [Tool], addGenerationPrompt: Bool) throws(ProtocolError) -> String {
        throw ProtocolError(.renderFailed, "template qwen2.5-text-only is not implemented yet")
    }

    public func generationPrefix(for choice: ToolChoice) -> String { "" }
    public var assistantPrefix: String { "" }
    public var stopTokens: [String] { [] }
}
