import FunctionaryProtocol

/// Reassembles an OpenAI `chat.completion.chunk` stream into an assistant turn: content deltas are
/// concatenated, tool call deltas are grouped by their `index` (the header delta carries `id` and
/// `function.name`, later ones pieces of `function.arguments`), and the last chunks' `finish_reason`
/// and `usage` are kept. Only choice 0 is read.
public struct ChatChunkAssembler: Sendable {
    struct PartialCall: Sendable {
        var id: String?
        var name: String
        var arguments: String
    }

    var content: String?
    var calls: [PartialCall] = []
    /// Server index → position in `calls`.
    var positions: [Int: Int] = [:]
    public private(set) var finishReason: String?
    public private(set) var usage: GenerationUsage?
    /// `data: [DONE]` was seen.
    public private(set) var isDone = false

    public init() {}

    /// Consumes one event and returns the pieces of the turn it carried.
    /// - Throws: `AgentError` for an event that is not a JSON chunk, or an error event from the server.
    public mutating func consume(_ event: ServerSentEvent) throws -> [TurnEvent] {
        let payload = try event.jsonPayload(done: &isDone) { error, data in
            AgentError(.invalidResponse, "The server sent an event that is not JSON (\(error)): \(data)")
        }
        guard let json = payload else { return [] }
        if let error = json["error"] {
            let message = error["message"]?.stringValue ?? error.stringValue ?? error.compactJSON()
            throw AgentError(.backend, "The server reported an error during the stream: \(message)")
        }
        // A chunk, or a whole `chat.completion` (its choices' `message` read as one delta).
        let chunk: ChatCompletionChunk
        do {
            chunk = try JSONValueDecoder().decode(ChatCompletionChunk.self, from: json)
        } catch {
            let (_, reason) = JSONValueDecoder.describe(error)
            throw AgentError(
                .invalidResponse,
                "The server sent an event that is not a chat completion chunk (\(reason)): \(event.data.trimmingWhitespace().prefix(200))")
        }
        if let counts = chunk.usage, counts.promptTokens != nil, counts.completionTokens != nil { usage = counts.generationUsage }
        guard let choice = chunk.choices.first(where: { $0.index == 0 }) else { return [] }
        if let reason = choice.finishReason { finishReason = reason }
        return consume(delta: choice.delta)
    }

    mutating func consume(delta: ChatCompletionChunk.Delta) -> [TurnEvent] {
        var events: [TurnEvent] = []
        if let text = delta.content {
            content = (content ?? "") + text
            if !text.isEmpty { events.append(.text(text)) }
        }
        for call in delta.toolCalls ?? [] { events += consume(toolCall: call) }
        if let legacy = delta.functionCall {
            events += consume(toolCall: .init(index: 0, function: legacy))
        }
        return events
    }

    mutating func consume(toolCall call: ChatCompletionChunk.ToolCallDelta) -> [TurnEvent] {
        var events: [TurnEvent] = []
        let id = call.id
        let name = call.function?.name
        let arguments = call.function?.arguments ?? ""
        let serverIndex: Int
        if let index = call.index {
            serverIndex = index
        } else if let id, let known = calls.firstIndex(where: { $0.id == id }) {
            serverIndex = positions.first { $0.value == known }?.key ?? known
        } else if id != nil || name != nil || calls.isEmpty {
            serverIndex = (positions.keys.max() ?? -1) + 1  // a new call from a server that sends no index
        } else {
            serverIndex = positions.keys.max() ?? 0
        }
        let position: Int
        if let known = positions[serverIndex] {
            position = known
            if calls[position].id == nil, let id { calls[position].id = id }
            if calls[position].name.isEmpty, let name { calls[position].name = name }
        } else {
            position = calls.count
            positions[serverIndex] = position
            calls.append(PartialCall(id: id ?? ToolCallID.make(), name: name ?? "", arguments: ""))
            events.append(.toolCallStart(index: position, id: calls[position].id ?? "", name: calls[position].name))
        }
        if !arguments.isEmpty {
            calls[position].arguments += arguments
            events.append(.toolCallArguments(index: position, arguments))
        }
        return events
    }

    /// The assembled turn.
    public func turn() -> AssistantTurn {
        let toolCalls = calls.map { ToolCall(id: $0.id ?? ToolCallID.make(), name: $0.name, arguments: $0.arguments) }
        var text = content
        if !toolCalls.isEmpty, text?.isEmpty == true { text = nil }
        let message = ChatMessage(role: "assistant", content: text, toolCalls: toolCalls.isEmpty ? nil : toolCalls)
        let reason = finishReason ?? (toolCalls.isEmpty ? "stop" : "tool_calls")
        return AssistantTurn(message: message, finishReason: reason, usage: usage)
    }
}
