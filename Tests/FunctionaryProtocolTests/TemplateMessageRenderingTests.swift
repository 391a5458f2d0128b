import Testing

@testable import FunctionaryProtocol

private func render(_ version: TemplateVersion, _ messages: [ChatMessage]) throws -> String {
    try version.template.render(messages: messages, tools: [], addGenerationPrompt: false)
}

/// What each template writes after its system header.
private func turns(_ version: TemplateVersion, _ messages: [ChatMessage]) throws -> String {
    let header = try render(version, [])
    let full = try render(version, messages)
    #expect(full.hasPrefix(header))
    return String(full.dropFirst(header.count))
}

private func expectRenderError(_ version: TemplateVersion, _ messages: [ChatMessage], param: String, mentions: String) {
    #expect {
        try render(version, messages)
    } throws: { error in
        guard let error = error as? ProtocolError else { return false }
        return error.code == .renderFailed && error.param == param && error.message.contains(mentions)
            && error.message.contains(version.rawValue)
    }
}

/// Messages: calls, python code, tool results, legacy roles, content forms and errors (§3.2–3.8).
@Suite struct TemplateMessageRenderingTests {
    static let python = ChatMessage(
        role: "assistant", content: "Running it", toolCalls: [ToolCall(id: nil, name: "python", arguments: "print('hi')\nx = 1")])
    static let jsonPython = ChatMessage(
        role: "assistant", content: nil, toolCalls: [ToolCall(id: nil, name: "python", arguments: #"{"code": "1+1"}"#)])

    @Test func pythonCalls() throws {
        #expect(try turns(.v2, [Self.python]).contains("\n<|from|>assistant\n<|recipient|>python\n<|content|>print('hi')\nx = 1<|stop|>"))
        #expect(try turns(.v2Llama3, [Self.python]).contains("Running it<|reserved_special_token_249|>python\nprint('hi')\nx = 1<|eot_id|>"))
        #expect(try turns(.v3Llama3, [Self.python]).contains(">>>all\nRunning it>>>python\nprint('hi')\nx = 1<|eot_id|>"))
        #expect(
            try turns(.v3Llama31, [Self.python])
                == "<|start_header_id|>assistant<|end_header_id|>\n\nRunning it<|python_tag|>print('hi')\nx = 1<|eom_id|>")
        // qwen2.5 and gemma3 wrap raw code as {"code": …} and keep arguments that are already JSON
        let wrapped = #"{"name": "python", "arguments": {"code": "print('hi')\nx = 1"}}"#
        #expect(try turns(.qwen25, [Self.python]) == "<|im_start|>assistant\nRunning it\n<tool_call>\n" + wrapped + "\n</tool_call><|im_end|>\n")
        #expect(try turns(.gemma3, [Self.python]) == "<start_of_turn>model\nRunning it\n<tool_call>\n" + wrapped + "\n</tool_call><end_of_turn>\n")
        #expect(try turns(.qwen25, [Self.jsonPython]).contains(#"{"name": "python", "arguments": {"code": "1+1"}}"#))
        #expect(TemplateRendering.isPythonJSON("42") && TemplateRendering.isPythonJSON(" NaN ") && !TemplateRendering.isPythonJSON("x = 1"))
    }

    @Test func assistantTurnsWithAndWithoutContent() throws {
        let empty = ChatMessage(role: "assistant", content: "")
        let null = ChatMessage(role: "assistant", content: nil, toolCalls: [])
        for version in [TemplateVersion.v2, .v2Llama3, .v3Llama3, .v3Llama31] {
            #expect(try turns(version, [empty, null]) == "", "\(version.rawValue) writes nothing for an empty assistant turn")
        }
        #expect(try turns(.gemma3, [empty]) == "<start_of_turn>model<end_of_turn>\n")
        #expect(try turns(.qwen25, [empty]) == "<|im_start|>assistant\n<|im_end|>\n")
        let text = ChatMessage(role: "assistant", content: "ok")
        #expect(try turns(.v3Llama31, [text]) == "<|start_header_id|>assistant<|end_header_id|>\n\nok<|eot_id|>")
        let call = ChatMessage(role: "assistant", content: nil, toolCalls: [ToolCall(id: "c", name: "f", arguments: #"{"a": 1}"#)])
        #expect(try turns(.v3Llama31, [call]) == "<|start_header_id|>assistant<|end_header_id|>\n\n<function=f>{\"a\": 1}</function><|eom_id|>")
        #expect(try turns(.v2, [call]) == "\n<|from|>assistant\n<|recipient|>f\n<|content|>{\"a\": 1}<|stop|>")
        #expect(
            try turns(.qwen25, [call]) == "<|im_start|>assistant\n<tool_call>\n{\"name\": \"f\", \"arguments\": {\"a\": 1}}\n</tool_call><|im_end|>\n"
        )
    }

    @Test func toolResults() throws {
        let results = [
            ChatMessage(role: "tool", content: "r1", name: "f", toolCallID: "1"),
            ChatMessage(role: "tool", content: "r2", name: "g", toolCallID: "2"),
        ]
        #expect(try turns(.v2, results) == "\n<|from|>f\n<|recipient|>all\n<|content|>r1\n<|from|>g\n<|recipient|>all\n<|content|>r2")
        #expect(
            try turns(.v2Llama3, results)
                == "<|start_header_id|>tool<|end_header_id|>\n\nname=f\nr1<|eot_id|><|start_header_id|>tool<|end_header_id|>\n\nname=g\nr2<|eot_id|>")
        #expect(
            try turns(.v3Llama3, results)
                == "<|start_header_id|>tool<|end_header_id|>\n\nr1<|eot_id|><|start_header_id|>tool<|end_header_id|>\n\nr2<|eot_id|>")
        #expect(
            try turns(.v3Llama31, results)
                == "<|start_header_id|>ipython<|end_header_id|>\n\nr1<|eot_id|><|start_header_id|>ipython<|end_header_id|>\n\nr2<|eot_id|>")
        // consecutive results share one turn
        #expect(
            try turns(.qwen25, results)
                == "<|im_start|>user\n<tool_response>\nr1\n</tool_response>\n<tool_response>\nr2\n</tool_response><|im_end|>\n")
        #expect(
            try turns(.gemma3, results + [ChatMessage(role: "user", content: "u")])
                == "<start_of_turn>tool\n<tool_response>\nr1\n</tool_response>\n<tool_response>\nr2\n</tool_response><end_of_turn>\n<start_of_turn>user\nu<end_of_turn>\n"
        )
    }

    @Test func legacyFunctionRole() throws {
        let legacy = ChatMessage(role: "function", content: "RES", name: "f")
        #expect(try turns(.v2, [legacy]) == "\n<|from|>function\n<|recipient|>all\n<|content|>RES<|stop|>")
        #expect(try turns(.v3Llama3, [legacy]) == "<|start_header_id|>function<|end_header_id|>\n\n>>>all\nRES<|eot_id|>")
        #expect(try turns(.qwen25, [legacy]) == "")
        #expect(try turns(.gemma3, [legacy]) == "")
        // function_call on assistant messages is ignored everywhere
        let old = ChatMessage(role: "assistant", content: nil, functionCall: FunctionCall(name: "f", arguments: "{}"))
        for version in TemplateVersion.allCases where version != .gemma3 && version != .qwen25 {
            #expect(try turns(version, [old]) == "")
        }
    }

    @Test func listContent() throws {
        var message = ChatMessage(role: "user", content: nil)
        message.content = .parts([
            ["type": "text", "text": "look at "], ["type": "image_url", "image_url": ["url": "data:x"]], ["type": "text", "text": "this"],
        ])
        #expect(try turns(.qwen25, [message]) == "<|im_start|>user\nlook at <|vision_start|><|image_pad|><|vision_end|>this<|im_end|>\n")
        #expect(try turns(.v2, [message]) == "\n<|from|>user\n<|recipient|>all\n<|content|>look at this")
        #expect(try turns(.gemma3, [message]) == "<start_of_turn>user\nlook at this<end_of_turn>\n")
    }

    @Test func nullContentIsAnErrorNamingTheMessage() throws {
        let null = ChatMessage(role: "user", content: nil)
        for version in TemplateVersion.allCases where version != .qwen25 {
            expectRenderError(
                version, [ChatMessage(role: "user", content: "a"), null], param: "messages[1].content", mentions: "messages[1] (role 'user')")
            expectRenderError(version, [ChatMessage(role: "system", content: nil)], param: "messages[0].content", mentions: "role 'system'")
            expectRenderError(version, [ChatMessage(role: "tool", content: nil, name: "f")], param: "messages[0].content", mentions: "role 'tool'")
        }
        // qwen2.5 skips user messages without content, as the reference does
        #expect(try turns(.qwen25, [null, ChatMessage(role: "user", content: "")]) == "")
        expectRenderError(.qwen25, [ChatMessage(role: "system", content: nil)], param: "messages[0].content", mentions: "role 'system'")
        expectRenderError(.qwen25, [ChatMessage(role: "assistant", content: nil)], param: "messages[0].content", mentions: "role 'assistant'")
    }

    @Test func v2ToolMessagesNeedAName() throws {
        let unnamed = [ChatMessage(role: "user", content: "q"), ChatMessage(role: "tool", content: "r", toolCallID: "x")]
        for version in [TemplateVersion.v2, .v2Llama3] {
            expectRenderError(version, unnamed, param: "messages[1].name", mentions: "messages[1] (role 'tool') has no name")
        }
        for version in [TemplateVersion.v3Llama3, .v3Llama31, .qwen25, .gemma3] {
            #expect(try turns(version, unnamed).contains("r"))
        }
    }
}
