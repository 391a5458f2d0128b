/// Prompt format `gemma3` (protocol §3).
public struct TemplateGemma3: PromptTemplate {
    public init() {}
    public var version: TemplateVersion { .gemma3 }

    public func render(messages: [ChatMessage], tools: [Tool], addGenerationPrompt: Bool) throws(ProtocolError) -> String {
        throw ProtocolError(.renderFailed, "template gemma3 is not implemented yet")
    }

    public func generationPrefix(for choice: ToolChoice) -> String { "" }
    public var assistantPrefix: String { "" }
    public var stopTokens: [String] { [] }
}
