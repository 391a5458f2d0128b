/// Prompt format `v3-llama3.1` (protocol §3).
public struct TemplateV3Llama31: PromptTemplate {
    public init() {}
    public var version: TemplateVersion { .v3Llama31 }

    public func render(messages: [ChatMessage], tools: [Tool], addGenerationPrompt: Bool) throws(ProtocolError) -> String {
        throw ProtocolError(.renderFailed, "template v3-llama3.1 is not implemented yet")
    }

    public func generationPrefix(for choice: ToolChoice) -> String { "" }
    public var assistantPrefix: String { "" }
    public var stopTokens: [String] { [] }
}
