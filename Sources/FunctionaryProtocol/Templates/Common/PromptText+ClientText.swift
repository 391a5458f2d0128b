/// Guarding of the client text in what a template renders (`PromptText.guarded`): messages, calls, tools.

extension ChatMessage {
    /// The message with its client text guarded (`PromptText.guarded`): content, name, calls.
    func guardingClientText() -> ChatMessage {
        var message = self
        switch content {
        case .text(let text)?: message.content = .text(PromptText.guarded(text))
        case .parts(let parts)?: message.content = .parts(parts.map { $0.guardingStrings() })
        case nil: break
        }
        message.name = name.map(PromptText.guarded)
        message.toolCalls = toolCalls?.map { call in
            var call = call
            call.function = call.function.guardingClientText()
            return call
        }
        message.functionCall = functionCall?.guardingClientText()
        return message
    }
}

extension FunctionCall {
    func guardingClientText() -> FunctionCall {
        FunctionCall(name: PromptText.guarded(name), arguments: PromptText.guarded(arguments))
    }
}

extension Tool {
    /// The tool with its name, description and schema strings (keys included) guarded.
    func guardingClientText() -> Tool {
        guard let function else { return self }
        return Tool(
            function: FunctionDefinition(
                name: PromptText.guarded(function.name), description: function.description.map(PromptText.guarded),
                parameters: function.parameters?.guardingStrings()))
    }
}

extension JSONValue {
    /// Every string and key guarded (`PromptText.guarded`); the structure unchanged.
    func guardingStrings() -> JSONValue {
        switch self {
        case .string(let s): return .string(PromptText.guarded(s))
        case .array(let items): return .array(items.map { $0.guardingStrings() })
        case .object(let object):
            var guarded = JSONObject()
            for (key, value) in object { guarded[PromptText.guarded(key)] = value.guardingStrings() }
            return .object(guarded)
        case .null, .bool, .number: return self
        }
    }
}
