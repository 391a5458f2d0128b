/// Prompt format `qwen2.5-text-only` (protocol §3.6): ChatML turns, tools as JSON lines inside
/// `<tools>`, calls as `<tool_call>` JSON, tool results as `<tool_response>` in a user turn.
public struct TemplateQwen25: ToolCallTagTemplate {
    public init() {}
    public var version: TemplateVersion { .qwen25 }

    static let turns = ToolCallTagTurns.qwen25

    /// The system turn: the first system message (or the default one), then the tools when there are any. A first
    /// system message is not shown again below.
    func header(messages: [ChatMessage], tools: [Tool]) throws(ProtocolError) -> String {
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
        return out
    }

    func appendTurn(_ message: ChatMessage, at index: Int, into out: inout String) throws(ProtocolError) {
        switch message.role {
        case "user":
            guard let content = message.content, Self.isTruthy(content) else { return }
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
                return
            }
            Self.turns.appendCalls(of: message, into: &out)
        default:
            return  // other roles (legacy `function`) are not shown, as in the reference
        }
    }

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
}
