/// Checks roles and tool results and puts tool results in the order of the calls that asked for
/// them (protocol §1.3), so every template sees a well-formed conversation.
public enum MessagePreprocessor {
    /// The roles a request may use.
    public static let allowedRoles = ["system", "user", "assistant", "tool", "function"]

    /// Validates and normalises messages.
    ///
    /// - Roles must be one of `allowedRoles`.
    /// - Each run of consecutive tool messages answers the tool calls of the last assistant message
    ///   that made calls. When all those calls carry ids, the run is put in the order of the calls
    ///   (results without `tool_call_id` go last, in their order); otherwise the order is kept.
    /// - A tool message without `name` gets the name of the call its `tool_call_id` matches.
    /// - A `tool_call_id` matching none of those calls (when all of them have ids), or given when no
    ///   assistant message made a call before, is an error.
    /// - Throws: `ProtocolError` naming the message (`messages[3]`) and the problem.
    public static func prepare(_ messages: [ChatMessage]) throws(ProtocolError) -> [ChatMessage] {
        for (index, message) in messages.enumerated() where !allowedRoles.contains(message.role) {
            throw ProtocolError(
                .invalidRole,
                "Invalid role '\(message.role)' in messages[\(index)]; allowed roles are: system, user, assistant, tool "
                    + "(and legacy function).",
                param: "messages[\(index)].role")
        }
        var out: [ChatMessage] = []
        out.reserveCapacity(messages.count)
        var calls: [ToolCall] = []  // the calls of the last assistant message that made some
        var index = 0
        while index < messages.count {
            let message = messages[index]
            guard message.role == "tool" else {
                if message.role == "assistant", let made = message.toolCalls, !made.isEmpty { calls = made }
                out.append(message)
                index += 1
                continue
            }
            var end = index
            while end < messages.count, messages[end].role == "tool" { end += 1 }
            out += try orderResults(messages[index..<end], answering: calls)
            index = end
        }
        return out
    }

    /// One run of tool results (`run` keeps the message indices), named and ordered by `calls`.
    static func orderResults(_ run: ArraySlice<ChatMessage>, answering calls: [ToolCall]) throws(ProtocolError) -> [ChatMessage] {
        let ids = calls.compactMap(\.id)
        let allCallsHaveIDs = !calls.isEmpty && ids.count == calls.count
        var matched: [(callIndex: Int, message: ChatMessage)] = []
        var unmatched: [ChatMessage] = []
        for (index, message) in zip(run.indices, run) {
            guard let id = message.toolCallID else {
                unmatched.append(message)
                continue
            }
            guard let callIndex = calls.firstIndex(where: { $0.id == id }) else {
                if calls.isEmpty {
                    throw ProtocolError(
                        .invalidToolCallID,
                        "messages[\(index)] has tool_call_id '\(id)', but no earlier assistant message made a tool call.",
                        param: "messages[\(index)].tool_call_id")
                }
                if allCallsHaveIDs {
                    throw ProtocolError(
                        .invalidToolCallID,
                        "messages[\(index)] has tool_call_id '\(id)', which matches no tool call of the preceding assistant "
                            + "message (ids: \(ids.joined(separator: ", "))).",
                        param: "messages[\(index)].tool_call_id")
                }
                unmatched.append(message)  // some calls have no id: cannot tell, keep it
                continue
            }
            var named = message
            if named.name == nil { named.name = calls[callIndex].function.name }
            if allCallsHaveIDs {
                matched.append((callIndex, named))
            } else {
                unmatched.append(named)
            }
        }
        guard allCallsHaveIDs else { return unmatched }
        // A stable sort by call position keeps several results for one call in their order.
        let ordered = matched.enumerated().sorted { ($0.element.callIndex, $0.offset) < ($1.element.callIndex, $1.offset) }
        return ordered.map(\.element.message) + unmatched
    }
}
