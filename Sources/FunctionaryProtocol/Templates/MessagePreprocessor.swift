/// Checks roles and tool results and puts tool results in the order of the calls that asked for
/// them (protocol §1.3), so every template sees a well-formed conversation.
public enum MessagePreprocessor {
    /// The roles a request may use.
    public static let allowedRoles = ["system", "user", "assistant", "tool", "function"]

    /// Validates and normalises messages.
    ///
    /// - Roles must be one of `allowedRoles`.
    /// - After an assistant message with tool calls that carry ids, the following tool messages are
    ///   reordered to the order of those ids; a tool message without `name` gets the name of its call.
    /// - A tool message whose `tool_call_id` matches no call of the preceding assistant message is an error.
    /// - Throws: `ProtocolError` naming the message (`messages[3]`) and the problem.
    public static func prepare(_ messages: [ChatMessage]) throws(ProtocolError) -> [ChatMessage] {
        for (i, message) in messages.enumerated() where !allowedRoles.contains(message.role) {
            throw ProtocolError(
                .invalidRole,
                "Invalid role '\(message.role)' in messages[\(i)]; allowed roles are: system, user, assistant, tool (and legacy function).",
                param: "messages[\(i)].role")
        }
        var out: [ChatMessage] = []
        out.reserveCapacity(messages.count)
        var i = 0
        var openCalls: [ToolCall] = []  // calls of the last assistant message, for tool results further on
        while i < messages.count {
            let message = messages[i]
            if message.role == "assistant", let calls = message.toolCalls, !calls.isEmpty {
                out.append(message)
                openCalls = calls
                i += 1
                let ids = calls.compactMap(\.id)
                guard ids.count == calls.count else { continue }  // calls without ids: keep order as given
                // The run of tool messages that follows.
                var results: [(offset: Int, message: ChatMessage)] = []
                while i < messages.count, messages[i].role == "tool" {
                    results.append((i, messages[i]))
                    i += 1
                }
                var byID: [String: [(Int, ChatMessage)]] = [:]
                var unmatched: [(Int, ChatMessage)] = []
                for (offset, result) in results {
                    guard let id = result.toolCallID else {
                        unmatched.append((offset, result))
                        continue
                    }
                    guard ids.contains(id) else {
                        throw ProtocolError(
                            .invalidToolCallID,
                            "messages[\(offset)] has tool_call_id '\(id)', which matches no tool call of the preceding assistant message (ids: \(ids.joined(separator: ", "))).",
                            param: "messages[\(offset)].tool_call_id")
                    }
                    byID[id, default: []].append((offset, result))
                }
                for call in calls {
                    for (_, var result) in byID[call.id!] ?? [] {
                        if result.name == nil { result.name = call.function.name }
                        out.append(result)
                    }
                    byID[call.id!] = nil
                }
                for (_, result) in unmatched { out.append(result) }
                continue
            }
            if message.role == "tool", let id = message.toolCallID, !openCalls.isEmpty {
                var result = message
                if let call = openCalls.first(where: { $0.id == id }) {
                    if result.name == nil { result.name = call.function.name }
                } else if openCalls.allSatisfy({ $0.id != nil }) {
                    throw ProtocolError(
                        .invalidToolCallID,
                        "messages[\(i)] has tool_call_id '\(id)', which matches no tool call of the preceding assistant message.",
                        param: "messages[\(i)].tool_call_id")
                }
                out.append(result)
            } else if message.role == "tool", let id = message.toolCallID, openCalls.isEmpty {
                throw ProtocolError(
                    .invalidToolCallID,
                    "messages[\(i)] has tool_call_id '\(id)', but no earlier assistant message made a tool call.",
                    param: "messages[\(i)].tool_call_id")
            } else {
                out.append(message)
            }
            i += 1
        }
        return out
    }
}
