/// Prompt format `v2` (protocol §3).
public struct TemplateV2: PromptTemplate {
    public init() {}
    public var version: TemplateVersion { .v2 }

    public func render(messages: [ChatMessage], tools: [Tool], addGenerationPrompt: Bool) throws(ProtocolError) -> String {
        throw ProtocolError(.renderFailed, "template v2 is not implemented yet")
    }

    public func generationPrefix(for choice: ToolChoice) -> String { "" }
    public var assistantPrefix: String { "" }
    public var stopTokens: [String] { [] }
}
