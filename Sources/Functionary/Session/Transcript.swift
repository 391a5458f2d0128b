import FunctionaryAgent
import FunctionaryProtocol

/// What a session said and did, turn by turn: instructions, prompts, tool calls, tool outputs and responses.
/// `Codable`: save it (`JSONEncoder`) and start a session from it later (`LanguageModelSession(backend:tools:transcript:)`).
public struct Transcript: Codable, Sendable, Hashable {
    /// A tool call the model made.
    public struct ToolCall: Codable, Sendable, Hashable {
        /// The call's id (a tool output answers it with the same id).
        public var id: String
        /// The tool's name.
        public var name: String
        /// The arguments as the model wrote them (JSON).
        public var arguments: String

        /// A call of `name` with `arguments` (JSON text).
        public init(id: String, name: String, arguments: String) { (self.id, self.name, self.arguments) = (id, name, arguments) }
    }

    /// The result of a tool call, as the model saw it.
    public struct ToolOutput: Codable, Sendable, Hashable {
        /// The id of the call this answers.
        public var id: String
        /// The tool's name.
        public var name: String
        /// What the tool returned (or its error), as text.
        public var output: String

        /// The output of the call `id`.
        public init(id: String, name: String, output: String) { (self.id, self.name, self.output) = (id, name, output) }
    }

    /// One entry.
    public enum Entry: Codable, Sendable, Hashable {
        /// The session's instructions (the system message).
        case instructions(String)
        /// A prompt (a user message).
        case prompt(String)
        /// The calls of one model turn.
        case toolCalls([ToolCall])
        /// The result of one call.
        case toolOutput(ToolOutput)
        /// A response (an assistant message; JSON text for a typed response).
        case response(String)
    }

    /// The entries, oldest first.
    public var entries: [Entry]

    /// A transcript of `entries`.
    public init(entries: [Entry] = []) { self.entries = entries }

    /// The transcript of a chat history.
    public init(messages: [ChatMessage]) {
        var entries: [Entry] = []
        for message in messages {
            switch message.role {
            case "system", "developer": entries.append(.instructions(message.text ?? ""))
            case "user": entries.append(.prompt(message.text ?? ""))
            case "tool":
                entries.append(.toolOutput(ToolOutput(id: message.toolCallID ?? "", name: message.name ?? "", output: message.text ?? "")))
            default:
                if let text = message.text, !text.isEmpty { entries.append(.response(text)) }
                if let calls = message.toolCalls, !calls.isEmpty {
                    entries.append(
                        .toolCalls(calls.map { ToolCall(id: $0.id ?? "", name: $0.function.name, arguments: $0.function.arguments) }))
                }
            }
        }
        self.entries = entries
    }

    /// The chat history of the transcript (a response followed by tool calls is one assistant message).
    public var messages: [ChatMessage] {
        var messages: [ChatMessage] = []
        for entry in entries {
            switch entry {
            case .instructions(let text): messages.append(ChatMessage(role: "system", content: text))
            case .prompt(let text): messages.append(ChatMessage(role: "user", content: text))
            case .response(let text): messages.append(ChatMessage(role: "assistant", content: text))
            case .toolCalls(let calls):
                let toolCalls = calls.map { FunctionaryProtocol.ToolCall(id: $0.id, name: $0.name, arguments: $0.arguments) }
                if var last = messages.last, last.role == "assistant", last.toolCalls == nil {
                    last.toolCalls = toolCalls
                    messages[messages.count - 1] = last
                } else {
                    messages.append(ChatMessage(role: "assistant", content: nil, toolCalls: toolCalls))
                }
            case .toolOutput(let output):
                messages.append(ChatMessage(role: "tool", content: output.output, name: output.name, toolCallID: output.id))
            }
        }
        return messages
    }
}
