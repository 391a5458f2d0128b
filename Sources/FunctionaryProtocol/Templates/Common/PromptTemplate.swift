/// The Functionary prompt-template versions this library speaks.
public enum TemplateVersion: String, CaseIterable, Sendable, Hashable {
    /// functionary-small/medium v2, v2.1, v2.2, v2.4 (`<|from|>`, `<|recipient|>`, `<|content|>`, `<|stop|>`).
    case v2 = "v2"
    /// functionary v2.5 on Llama 3 (`<|reserved_special_token_249|>` before each call).
    case v2Llama3 = "v2.llama3"
    /// functionary v3.0, v3.2 (`>>>recipient\n`).
    case v3Llama3 = "v3.llama3"
    /// functionary v3.1 (`<function=name>{…}</function>`, `<|python_tag|>`).
    case v3Llama31 = "v3-llama3.1"
    /// Qwen 2.5 style `<tool_call>` JSON.
    case qwen25 = "qwen2.5-text-only"
    /// Gemma 3 turns with `<tool_call>` JSON.
    case gemma3 = "gemma3"

    /// The template implementation for this version.
    public var template: any PromptTemplate {
        switch self {
        case .v2: return TemplateV2()
        case .v2Llama3: return TemplateV2Llama3()
        case .v3Llama3: return TemplateV3Llama3()
        case .v3Llama31: return TemplateV3Llama31()
        case .qwen25: return TemplateQwen25()
        case .gemma3: return TemplateGemma3()
        }
    }

    /// Parses a version name, with an error listing the known ones.
    public init(name: String) throws(ProtocolError) {
        guard let version = TemplateVersion(rawValue: name) else {
            throw ProtocolError(
                .unknownTemplate,
                "unknown template '\(name)'; known templates: \(TemplateVersion.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self = version
    }
}

/// One Functionary prompt format: rendering, tool_choice prefixes, stop tokens and parsing.
public protocol PromptTemplate: Sendable {
    var version: TemplateVersion { get }

    /// Renders a conversation exactly as the reference Jinja template does (`bos_token` empty).
    ///
    /// - Parameters:
    ///   - messages: the conversation, already preprocessed (`MessagePreprocessor`).
    ///   - tools: the tools to show the model (after tool_choice filtering).
    ///   - addGenerationPrompt: append the assistant turn opener.
    /// - Throws: `ProtocolError` when a message cannot be rendered (e.g. a tool message without a name in v2).
    func render(messages: [ChatMessage], tools: [Tool], addGenerationPrompt: Bool) throws(ProtocolError) -> String

    /// What follows the generation prompt for a tool_choice (protocol §3.1).
    func generationPrefix(for choice: ToolChoice) -> String

    /// The assistant turn opener used when rendering with `addGenerationPrompt` and for training masks.
    var assistantPrefix: String { get }

    /// Strings that end generation (the template's end-of-turn tokens).
    var stopTokens: [String] { get }

    /// Parses the text generated after prompt + prefix. Never fails: what is not a call is content.
    func parse(_ output: String, toolChoice: ToolChoice) -> AssistantOutput

    /// A fresh incremental parser for one generation.
    func makeStreamParser(toolChoice: ToolChoice) -> any StreamParser
}
