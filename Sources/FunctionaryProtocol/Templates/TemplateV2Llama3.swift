/// Prompt format `v2.llama3` (protocol §3).
public struct TemplateV2Llama3: PromptTemplate {
    public init() {}
    public var version: TemplateVersion { .v2Llama3 }

    public func render(messages: [ChatMessage], tools: [Tool], addGenerationPrompt: Bool) throws(ProtocolError) -> String {
        throw ProtocolError(.renderFailed, "template v2.llama3 is not implemented yet")
    }

    public func generationPrefix(for choice: ToolChoice) -> String { "" }
    public var assistantPrefix: String { "" }
    public var stopTokens: [String] { [] }
}
