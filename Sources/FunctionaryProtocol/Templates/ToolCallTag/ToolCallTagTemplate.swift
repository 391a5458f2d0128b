/// A template that writes calls as `<tool_call>` JSON (qwen2.5-text-only, gemma3): the tools and calls of §3.6,
/// tool results as `<tool_response>` in one turn per run of results, and the `ToolCallTagFormat` parser. The
/// templates differ in their turns (`turns`), the system header and how they show user and system messages.
protocol ToolCallTagTemplate: EndMarkedTemplate {
    static var turns: ToolCallTagTurns { get }

    /// What the prompt starts with: the system turn with the tools, when there is one.
    /// - Parameters: the messages and tools as `render` prepared them (python code wrapped, code interpreter replaced).
    func header(messages: [ChatMessage], tools: [Tool]) throws(ProtocolError) -> String

    /// Appends message `index`, which is not a tool result (roles the template does not show add nothing).
    func appendTurn(_ message: ChatMessage, at index: Int, into out: inout String) throws(ProtocolError)
}

extension ToolCallTagTemplate {
    public func render(messages: [ChatMessage], tools: [Tool], addGenerationPrompt: Bool) throws(ProtocolError) -> String {
        let tools = TemplateRendering.replacingCodeInterpreter(SchemaRefResolver.resolve(tools: tools))
        let messages = TemplateRendering.wrappingPythonCode(messages)
        var out = try header(messages: messages, tools: tools)
        for (index, message) in messages.enumerated() {
            if message.role == "tool" {
                let content = try TemplateRendering.requiredContent(message, at: index, version)
                Self.turns.appendToolResponse(content, at: index, of: messages, into: &out)
            } else {
                try appendTurn(message, at: index, into: &out)
            }
        }
        if addGenerationPrompt { out += assistantPrefix }
        return out
    }

    public var assistantPrefix: String { Self.turns.start + Self.turns.assistantRole + "\n" }

    static var endMarkers: [String] { [turns.endMarker] }

    /// The tool_choice prefix of §3.1 (what the prompt ends with).
    static func parsingPrefix(for choice: ToolChoice) -> String {
        switch choice {
        case .auto, .none: return ""
        case .required: return "<tool_call>\n"
        case .function(let name): return "<tool_call>\n{\"name\": \"" + name + "\", \"arguments"
        }
    }

    /// Reads a whole output as the reference does, except that nothing is lost: an unterminated `<tool_call>`, a call
    /// that is not valid JSON (or has no name), and text after a call are content; a python call without a `code`
    /// string keeps its JSON arguments.
    public func parse(_ output: String, toolChoice: ToolChoice) -> AssistantOutput {
        ToolCallTagFormat.parse(Self.prefixedOutput(output, toolChoice: toolChoice))
    }

    public func makeStreamParser(toolChoice: ToolChoice) -> any StreamParser {
        Self.streamParser(toolChoice: toolChoice, reader: ToolCallTagStreamReader())
    }
}

/// The turns of a template that writes calls as `<tool_call>` JSON: `<|im_start|>`…`<|im_end|>\n` in qwen2.5,
/// `<start_of_turn>`…`<end_of_turn>\n` in gemma3.
struct ToolCallTagTurns {
    let start: String
    /// What ends a turn (before its newline): the template's one end-of-turn marker.
    let endMarker: String
    /// The role of the assistant's turns (`model` in gemma3).
    let assistantRole: String
    /// The role of the turn that holds tool results (`user` in qwen2.5).
    let toolResponseRole: String

    /// qwen2.5-text-only: ChatML turns, tool results in a user turn.
    static let qwen25 = ToolCallTagTurns(
        start: "<|im_start|>", endMarker: "<|im_end|>", assistantRole: "assistant", toolResponseRole: "user")
    /// gemma3: Gemma turns, `model` for the assistant, tool results in a `tool` turn.
    static let gemma3 = ToolCallTagTurns(
        start: "<start_of_turn>", endMarker: "<end_of_turn>", assistantRole: "model", toolResponseRole: "tool")

    /// What ends a turn: the end marker and a newline.
    var end: String { endMarker + "\n" }

    /// `start` role, a newline, the content, `end`.
    func append(_ role: String, _ content: String, into out: inout String) {
        out += start
        out += role
        out += "\n"
        out += content
        out += end
    }

    /// An assistant turn with calls: its text (when not empty) after a newline, then each call as `<tool_call>` JSON.
    func appendCalls(of message: ChatMessage, into out: inout String) {
        out += start
        out += assistantRole
        if let content = TemplateRendering.nonEmptyContent(message) {
            out += "\n"
            out += content
        }
        for call in TemplateRendering.calls(message) { TemplateRendering.appendToolCallJSON(call, to: &out) }
        out += end
    }

    /// Tool result `index` of `messages` as `<tool_response>`: consecutive results share one `toolResponseRole` turn.
    func appendToolResponse(_ content: String, at index: Int, of messages: [ChatMessage], into out: inout String) {
        if index == 0 || messages[index - 1].role != "tool" { out += start + toolResponseRole }
        out += "\n<tool_response>\n"
        out += content
        out += "\n</tool_response>"
        if index == messages.count - 1 || messages[index + 1].role != "tool" { out += end }
    }
}
