import Testing

@testable import FunctionaryProtocol

@Suite struct MessagePreprocessorTests {
    static func call(_ id: String?, _ name: String) -> ToolCall {
        ToolCall(id: id, name: name, arguments: "{}")
    }

    static func result(_ id: String?, _ content: String, name: String? = nil) -> ChatMessage {
        ChatMessage(role: "tool", content: content, name: name, toolCallID: id)
    }

    /// §1.3: calls [A, B], results [B, A] → A's result first, then B's.
    @Test func reordersResultsByCallIDs() throws {
        let messages = [
            ChatMessage(role: "user", content: "compare"),
            ChatMessage(role: "assistant", content: nil, toolCalls: [Self.call("A", "price"), Self.call("B", "stock")]),
            Self.result("B", "B-result"),
            Self.result("A", "A-result"),
            ChatMessage(role: "assistant", content: "done"),
        ]
        let prepared = try MessagePreprocessor.prepare(messages)
        #expect(prepared.map { $0.text ?? "-" } == ["compare", "-", "A-result", "B-result", "done"])
        #expect(prepared[2].name == "price")
        #expect(prepared[3].name == "stock")
    }

    @Test func fillsMissingNamesAndKeepsGivenOnes() throws {
        let messages = [
            ChatMessage(role: "assistant", content: nil, toolCalls: [Self.call("A", "get_weather"), Self.call("B", "get_time")]),
            Self.result("A", "sunny"),
            Self.result("B", "noon", name: "custom"),
        ]
        let prepared = try MessagePreprocessor.prepare(messages)
        #expect(prepared[1].name == "get_weather")
        #expect(prepared[2].name == "custom")
        // and v2 can now render the result without a name
        let prompt = try TemplateV2().render(messages: prepared, tools: [], addGenerationPrompt: false)
        #expect(prompt.contains("\n<|from|>get_weather\n<|recipient|>all\n<|content|>sunny"))
    }

    @Test func unknownToolCallIDIsAnError() {
        let messages = [
            ChatMessage(role: "assistant", content: nil, toolCalls: [Self.call("A", "f"), Self.call("B", "g")]),
            Self.result("A", "ok"),
            Self.result("C", "?"),
        ]
        #expect {
            try MessagePreprocessor.prepare(messages)
        } throws: { error in
            let error = error as? ProtocolError
            return error?.code == .invalidToolCallID && error?.param == "messages[2].tool_call_id"
                && error?.message == "messages[2] has tool_call_id 'C', which matches no tool call of the preceding assistant message (ids: A, B)."
        }
    }

    @Test func toolCallIDWithoutAnyCallIsAnError() {
        let messages = [ChatMessage(role: "user", content: "hi"), Self.result("X", "?")]
        #expect {
            try MessagePreprocessor.prepare(messages)
        } throws: { error in
            let error = error as? ProtocolError
            return error?.code == .invalidToolCallID && error?.param == "messages[1].tool_call_id"
                && error?.message == "messages[1] has tool_call_id 'X', but no earlier assistant message made a tool call."
        }
    }

    @Test func unknownRoleNamesTheRoleAndTheAllowedOnes() {
        let messages = [ChatMessage(role: "user", content: "hi"), ChatMessage(role: "developer", content: "be brief")]
        #expect {
            try MessagePreprocessor.prepare(messages)
        } throws: { error in
            let error = error as? ProtocolError
            return error?.code == .invalidRole && error?.param == "messages[1].role"
                && error?.message == "Invalid role 'developer' in messages[1]; allowed roles are: system, user, assistant, tool "
                    + "(and legacy function)."
        }
    }

    @Test func callsWithoutIDsKeepTheOrder() throws {
        let messages = [
            ChatMessage(role: "assistant", content: nil, toolCalls: [Self.call(nil, "f"), Self.call(nil, "g")]),
            Self.result(nil, "second", name: "g"),
            Self.result(nil, "first", name: "f"),
        ]
        #expect(try MessagePreprocessor.prepare(messages) == messages)
        // some ids missing: order kept, names still filled where an id matches, unknown ids accepted
        let mixed = [
            ChatMessage(role: "assistant", content: nil, toolCalls: [Self.call("A", "f"), Self.call(nil, "g")]),
            Self.result("Z", "z"),
            Self.result("A", "a"),
        ]
        let prepared = try MessagePreprocessor.prepare(mixed)
        #expect(prepared.map { $0.text ?? "-" } == ["-", "z", "a"])
        #expect(prepared[1].name == nil)
        #expect(prepared[2].name == "f")
    }

    @Test func resultsWithoutIDGoAfterMatchedOnesInTheirOrder() throws {
        let messages = [
            ChatMessage(role: "assistant", content: nil, toolCalls: [Self.call("A", "f"), Self.call("B", "g")]),
            Self.result(nil, "loose 1", name: "x"),
            Self.result("B", "b"),
            Self.result(nil, "loose 2", name: "y"),
            Self.result("A", "a"),
            Self.result("A", "a again"),
        ]
        let prepared = try MessagePreprocessor.prepare(messages)
        #expect(prepared.dropFirst().map { $0.text ?? "" } == ["a", "a again", "b", "loose 1", "loose 2"])
    }

    @Test func eachRunAnswersTheLastAssistantCalls() throws {
        let messages = [
            ChatMessage(role: "assistant", content: nil, toolCalls: [Self.call("A", "f")]),
            Self.result("A", "a"),
            ChatMessage(role: "user", content: "more"),
            ChatMessage(role: "assistant", content: "plain text, no calls"),
            ChatMessage(role: "assistant", content: nil, toolCalls: [Self.call("B", "g"), Self.call("C", "h")]),
            Self.result("C", "c"),
            Self.result("B", "b"),
        ]
        let prepared = try MessagePreprocessor.prepare(messages)
        #expect(prepared.map { $0.text ?? "-" } == ["-", "a", "more", "plain text, no calls", "-", "b", "c"])
        #expect(prepared.map { $0.name ?? "-" } == ["-", "f", "-", "-", "-", "g", "h"])
        // an id of an older assistant message is not an answer to the newer calls
        var stale = messages
        stale[6] = Self.result("A", "late")
        #expect(throws: ProtocolError.self) { try MessagePreprocessor.prepare(stale) }
    }

    @Test func passesOtherMessagesThrough() throws {
        let messages = [
            ChatMessage(role: "system", content: "s"), ChatMessage(role: "user", content: "u"),
            ChatMessage(role: "function", content: "legacy result", name: "f"), ChatMessage(role: "assistant", content: "a"),
        ]
        #expect(try MessagePreprocessor.prepare(messages) == messages)
        #expect(try MessagePreprocessor.prepare([]).isEmpty)
    }
}
