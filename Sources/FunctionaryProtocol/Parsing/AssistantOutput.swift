/// The result of parsing a finished model output: text content and tool calls.
public struct AssistantOutput: Sendable, Hashable {
    public var content: String?
    public var toolCalls: [ToolCall]

    public init(content: String?, toolCalls: [ToolCall]) {
        self.content = content
        self.toolCalls = toolCalls
    }

    /// As an assistant `ChatMessage` (`tool_calls` nil when there are none).
    public var message: ChatMessage {
        ChatMessage(role: "assistant", content: content, toolCalls: toolCalls.isEmpty ? nil : toolCalls)
    }
}
