import FunctionaryProtocol

/// Why a run ended.
public enum RunEnd: Sendable, Hashable, CustomStringConvertible {
    /// The model answered in text.
    case answered
    /// The model was still calling tools after `maxSteps` turns.
    case maxStepsReached(Int)
    /// The run was cancelled.
    case cancelled

    public var description: String {
        switch self {
        case .answered: return "answered"
        case .maxStepsReached(let steps): return "stopped after \(steps) steps: the model was still calling tools"
        case .cancelled: return "cancelled"
        }
    }
}

/// A tool call about to run.
public struct ToolCallStarted: Sendable, Hashable {
    /// The call's position in its turn.
    public var index: Int
    public var id: String
    public var name: String
    /// The arguments as the model wrote them (JSON, or raw code for `python`).
    public var arguments: String

    public init(index: Int, id: String, name: String, arguments: String) {
        self.index = index
        self.id = id
        self.name = name
        self.arguments = arguments
    }
}

/// What a run reports, in order, while it goes.
public enum ConversationEvent: Sendable, Hashable {
    /// More text of the assistant's answer (or of the text before its tool calls).
    case textDelta(String)
    /// A tool call is about to run (all calls of a turn are announced before they run together).
    case toolCallStarted(ToolCallStarted)
    /// A tool call finished (calls of one turn finish in any order; `index` is the call's position).
    case toolResult(index: Int, ToolResult)
    /// Token counts of one model turn.
    case usage(GenerationUsage)
    /// The final assistant message (the text answer).
    case finalMessage(ChatMessage)
    /// The run is over; always the last event.
    case finished(RunEnd)
}
