/// Prompt format `qwen2.5-text-only` (protocol §3.6): ChatML turns, tools as JSON lines inside
/// `<tools>`, calls as `<tool_call>` JSON, tool results as `<tool_response>` in a user turn.
public struct TemplateQwen25: PromptTemplate {
    public init() {}
    public var version: TemplateVersion { .qwen25 }

    public func render(messages: [ChatMessage], tools: [Tool], addGenerationPrompt: Bool) throws(ProtocolError) -> String {
        let tools = TemplateRendering.replacingCodeInterpreter(SchemaRefResolver.resolve(tools: tools))
        let messages = TemplateRendering.wrappingPythonCode(messages)
        // A first system message is shown in the header (and skipped below).
        var system = TemplateStrings.qwenDefaultSystem
        if let first = messages.first, first.role == "system" {
            system = try TemplateRendering.requiredContent(first, at: 0, version)
        }
        var out = "<|im_start|>system\n"
        out += system
        if !tools.isEmpty {
            TemplateRendering.appendToolsJSON(tools, to: &out)
        }
        out += "<|im_end|>\n"
        for (index, message) in messages.enumerated() {
            switch message.role {
            case "user":
                guard let content = message.content, Self.isTruthy(content) else { continue }
                out += "<|im_start|>user\n"
                Self.appendUserContent(content, into: &out)
                out += "<|im_end|>\n"
            case "system" where index > 0:
                let content = try TemplateRendering.requiredContent(message, at: index, version)
                Self.turns.append("system", content, into: &out)
            case "assistant":
                let calls = TemplateRendering.calls(message)
                if calls.isEmpty {
                    let content = try TemplateRendering.requiredContent(message, at: index, version)
                    Self.turns.append("assistant", content, into: &out)
                    continue
                }
                Self.turns.appendCalls(of: message, role: "assistant", into: &out)
            case "tool":
                let content = try TemplateRendering.requiredContent(message, at: index, version)
                Self.turns.appendToolResponse(content, at: index, of: messages, role: "user", into: &out)
            default:
                continue  // other roles (legacy `function`) are not shown, as in the reference
            }
        }
        if addGenerationPrompt { out += assistantPrefix }
        return out
    }

    static let turns = ToolCallTagTurns(start: "<|im_start|>", end: "<|im_end|>\n")

    /// Jinja truthiness of the content: a non-empty string or a non-empty list of parts.
    static func isTruthy(_ content: MessageContent) -> Bool {
        switch content {
        case .text(let text): return !text.isEmpty
        case .parts(let parts): return !parts.isEmpty
        }
    }

    /// A string as is; a list of parts as its text parts with each other part (an image) shown as
    /// `<|vision_start|><|image_pad|><|vision_end|>`.
    static func appendUserContent(_ content: MessageContent, into out: inout String) {
        switch content {
        case .text(let text):
            out += text
        case .parts(let parts):
            for part in parts {
                if part["type"] == .string("text") {
                    out += part["text"]?.pythonStr() ?? ""
                } else {
                    out += "<|vision_start|><|image_pad|><|vision_end|>"
                }
            }
        }
    }

    public func generationPrefix(for choice: ToolChoice) -> String {
        ToolCallTagFormat.prefix(for: choice)
    }

    public var assistantPrefix: String { "<|im_start|>assistant\n" }
    /// The end-of-turn markers, declared once: the stop tokens, what parsing trims from the end of the output, and
    /// the constraint grammar's `end` rule (`TemplateFormat`).
    static let endMarkers = ["<|im_end|>"]
    public var stopTokens: [String] { Self.endMarkers }
}
