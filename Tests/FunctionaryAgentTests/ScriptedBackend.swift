import Foundation
import FunctionaryAgent
import FunctionaryProtocol

/// A backend that plays scripted turns: `script(step, request)` returns the turn for each call, and the
/// requests are recorded for assertions.
final class ScriptedBackend: ChatBackend, @unchecked Sendable {
    // @unchecked Sendable: `recorded` is only touched under `lock`.
    private let lock = NSLock()
    private var recorded: [TurnRequest] = []
    let script: @Sendable (Int, TurnRequest) async throws -> AssistantTurn

    init(_ script: @escaping @Sendable (Int, TurnRequest) async throws -> AssistantTurn) {
        self.script = script
    }

    var requests: [TurnRequest] {
        lock.lock()
        defer { lock.unlock() }
        return recorded
    }

    func respond(to request: TurnRequest, onEvent: @escaping @Sendable (TurnEvent) -> Void) async throws -> AssistantTurn {
        let step = lock.withLock {
            recorded.append(request)
            return recorded.count - 1
        }
        let turn = try await script(step, request)
        if let text = turn.message.text, !text.isEmpty { onEvent(.text(text)) }
        for (index, call) in turn.toolCalls.enumerated() {
            onEvent(.toolCallStart(index: index, id: call.id ?? "", name: call.function.name))
            onEvent(.toolCallArguments(index: index, call.function.arguments))
        }
        return turn
    }

    static func text(_ text: String) -> AssistantTurn {
        AssistantTurn(
            message: ChatMessage(role: "assistant", content: text), finishReason: "stop",
            usage: GenerationUsage(promptTokens: 10, completionTokens: 3))
    }

    static func calls(_ calls: [(id: String, name: String, arguments: String)]) -> AssistantTurn {
        let toolCalls = calls.map { ToolCall(id: $0.id, name: $0.name, arguments: $0.arguments) }
        return AssistantTurn(
            message: ChatMessage(role: "assistant", content: nil, toolCalls: toolCalls), finishReason: "tool_calls",
            usage: GenerationUsage(promptTokens: 10, completionTokens: 5))
    }
}

/// Collects the events of a run.
final class EventLog: @unchecked Sendable {
    // @unchecked Sendable: `items` is only touched under `lock`.
    private let lock = NSLock()
    private var items: [ConversationEvent] = []

    func append(_ event: ConversationEvent) {
        lock.lock()
        items.append(event)
        lock.unlock()
    }

    var events: [ConversationEvent] {
        lock.lock()
        defer { lock.unlock() }
        return items
    }

    var results: [ToolResult] {
        events.compactMap { if case .toolResult(_, let result) = $0 { return result } else { return nil } }
    }
}

/// A tool that sleeps, then answers its name.
func sleepingTool(_ name: String, seconds: Double) -> AgentTool {
    AgentTool(name: name, description: "sleeps", parameters: ["type": "object", "properties": [:]]) { _ in
        try await Task.sleep(for: .seconds(seconds))
        return "\(name) done"
    }
}
