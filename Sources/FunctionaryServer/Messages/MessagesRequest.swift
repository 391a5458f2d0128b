import FunctionaryProtocol

/// A `POST /v1/messages` body (Anthropic's Messages API) read and mapped onto the one internal request.
///
/// `system` (a string or text blocks), `messages` whose content is a string or blocks (`text`, `tool_use`,
/// `tool_result` with string or text-block content and `is_error`), `tools` (`name`, `description`,
/// `input_schema`), `tool_choice` (`auto`, `any`, `tool`, `none`, `disable_parallel_tool_use`), `max_tokens`
/// (required), `stop_sequences`, `temperature`, `top_p`, `top_k`, `stream`; `metadata` and `service_tier` are
/// accepted and ignored; `thinking` enabled, image and document blocks, and server tools are 400s.
struct MessagesRequest: Sendable {
    var model: String
    var maxTokens: Int
    var messages: [ChatMessage]
    var tools: [Tool]
    var toolChoice: JSONValue?
    var parallelToolCalls: Bool
    var stopSequences: [String]?
    var temperature: Double?
    var topP: Double?
    var topK: Int?
    var stream: Bool

    /// - Parameter requireMaxTokens: false for `count_tokens`, whose body has no `max_tokens`.
    init(_ body: JSONFields, requireMaxTokens: Bool = true) throws(OpenAIError) {
        model = try body.requiredString("model")
        if requireMaxTokens {
            guard let maxTokens = try body.int("max_tokens") else { throw JSONFields.missing("max_tokens") }
            guard maxTokens >= 1 else {
                throw OpenAIError.badRequest("max_tokens: must be at least 1, got \(maxTokens).", param: "max_tokens", code: "invalid_value")
            }
            self.maxTokens = maxTokens
        } else {
            maxTokens = 1
        }
        if let thinking = try body.objectMember("thinking"), try thinking.string("type") == "enabled" {
            throw JSONFields.unsupported("thinking", "extended thinking is not available with this model.")
        }
        var messages: [ChatMessage] = []
        if let system = body.value("system") {
            let text: String
            switch system {
            case .string(let s): text = s
            case .array(let blocks): text = try Self.blocksText(blocks, field: "system")
            default: throw JSONFields.wrongType("system", expected: "a string or an array of text blocks", got: system)
            }
            if !text.isEmpty { messages.append(ChatMessage(role: "system", content: text)) }
        }
        guard let list = try body.array("messages") else { throw JSONFields.missing("messages") }
        if list.isEmpty {
            throw OpenAIError.badRequest("messages: at least one message is required.", param: "messages", code: "invalid_value")
        }
        for (index, value) in list.enumerated() {
            try Self.add(JSONFields(value, path: "messages[\(index)]"), to: &messages)
        }
        self.messages = messages
        (tools, toolChoice, parallelToolCalls) = try Self.tools(body)
        stopSequences = try body.array("stop_sequences").map { list throws(OpenAIError) in
            var strings: [String] = []
            for (index, value) in list.enumerated() {
                guard case .string(let s) = value else {
                    throw JSONFields.wrongType("stop_sequences[\(index)]", expected: "a string", got: value)
                }
                strings.append(s)
            }
            return strings
        }
        temperature = try body.double("temperature")
        if let temperature, !(0...1).contains(temperature) {
            throw OpenAIError.badRequest(
                "temperature: must be between 0 and 1, got \(temperature).", param: "temperature", code: "invalid_value")
        }
        topP = try body.double("top_p")
        topK = try body.int("top_k")
        stream = try body.bool("stream") ?? false
    }

    func chatRequest() -> ChatCompletionRequest {
        var request = ChatCompletionRequest(
            model: model, messages: messages, tools: tools.isEmpty ? nil : tools, toolChoice: tools.isEmpty ? nil : toolChoice)
        request.parallelToolCalls = parallelToolCalls
        request.maxTokens = maxTokens
        request.stop = stopSequences.map(StopSequences.init)
        request.temperature = temperature
        request.topP = topP
        request.topK = topK
        return request
    }

    // MARK: - messages

    private static func add(_ message: JSONFields, to messages: inout [ChatMessage]) throws(OpenAIError) {
        let role = try message.requiredString("role")
        guard role == "user" || role == "assistant" else {
            throw OpenAIError.badRequest(
                "\(message.name("role")): Input should be 'user' or 'assistant', got '\(role)'.", param: message.name("role"),
                code: "invalid_value")
        }
        switch message.value("content") {
        case .string(let text)?:
            messages.append(ChatMessage(role: role, content: text))
        case .array(let blocks)?:
            var texts: [String] = []
            var calls: [ToolCall] = []
            var results: [ChatMessage] = []
            for (index, value) in blocks.enumerated() {
                let block = try JSONFields(value, path: message.name("content[\(index)]"))
                let type = try block.requiredString("type")
                switch (type, role) {
                case ("text", _):
                    texts.append(try block.requiredString("text"))
                case ("tool_use", "assistant"):
                    let id = try block.requiredString("id")
                    let name = try block.requiredString("name")
                    guard let input = block.value("input"), case .object = input else {
                        throw JSONFields.wrongType(block.name("input"), expected: "an object", got: block.value("input") ?? .null)
                    }
                    calls.append(ToolCall(id: id, name: name, arguments: input.pythonJSON()))
                case ("tool_result", "user"):
                    let id = try block.requiredString("tool_use_id")
                    var content: String
                    switch block.value("content") {
                    case nil: content = ""
                    case .string(let s)?: content = s
                    case .array(let parts)?: content = try blocksText(parts, field: block.name("content"))
                    case let other?: throw JSONFields.wrongType(block.name("content"), expected: "a string or text blocks", got: other)
                    }
                    if try block.bool("is_error") == true { content = "Error: " + content }
                    results.append(ChatMessage(role: "tool", content: content, toolCallID: id))
                case ("thinking", "assistant"), ("redacted_thinking", "assistant"):
                    continue
                case ("tool_use", _), ("tool_result", _):
                    throw OpenAIError.badRequest(
                        "\(block.name("type")): '\(type)' blocks are not allowed in \(role) messages.", param: block.name("type"),
                        code: "invalid_value")
                default:
                    throw JSONFields.unsupported(block.name("type"), "'\(type)' blocks are not supported; this model reads text only.")
                }
            }
            messages += results
            if role == "assistant" {
                let text = texts.joined(separator: "\n")
                messages.append(ChatMessage(role: "assistant", content: text.isEmpty ? nil : text, toolCalls: calls.isEmpty ? nil : calls))
            } else if !texts.isEmpty || results.isEmpty {
                messages.append(ChatMessage(role: "user", content: texts.joined(separator: "\n")))
            }
        case let other?:
            throw JSONFields.wrongType(message.name("content"), expected: "a string or an array of content blocks", got: other)
        case nil:
            throw JSONFields.missing(message.name("content"))
        }
    }

    private static func blocksText(_ blocks: [JSONValue], field: String) throws(OpenAIError) -> String {
        var texts: [String] = []
        for (index, value) in blocks.enumerated() {
            let block = try JSONFields(value, path: "\(field)[\(index)]")
            let type = try block.requiredString("type")
            guard type == "text" else {
                throw JSONFields.unsupported(block.name("type"), "'\(type)' blocks are not supported here; send text blocks.")
            }
            texts.append(try block.requiredString("text"))
        }
        return texts.joined(separator: "\n")
    }

    // MARK: - tools

    private static func tools(_ body: JSONFields) throws(OpenAIError) -> ([Tool], JSONValue?, Bool) {
        var tools: [Tool] = []
        for (index, value) in (try body.array("tools") ?? []).enumerated() {
            let tool = try JSONFields(value, path: "tools[\(index)]")
            if let type = try tool.string("type"), type != "custom" {
                throw JSONFields.unsupported(
                    tool.name("type"), "server tools such as '\(type)' are not available; define client tools with 'input_schema'.")
            }
            let name = try tool.requiredString("name")
            guard let schema = tool.value("input_schema") else { throw JSONFields.missing(tool.name("input_schema")) }
            guard case .object = schema else { throw JSONFields.wrongType(tool.name("input_schema"), expected: "a JSON Schema object", got: schema) }
            tools.append(Tool(function: FunctionDefinition(name: name, description: try tool.string("description"), parameters: schema)))
        }
        guard let choice = try body.objectMember("tool_choice") else { return (tools, nil, true) }
        let parallel = !(try choice.bool("disable_parallel_tool_use") ?? false)
        let type = try choice.requiredString("type")
        let mapped: JSONValue
        switch type {
        case "auto": mapped = "auto"
        case "any": mapped = "required"
        case "none": mapped = "none"
        case "tool": mapped = ["type": "function", "function": ["name": .string(try choice.requiredString("name"))]]
        default:
            throw OpenAIError.badRequest(
                "tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none', got '\(type)'.", param: "tool_choice.type",
                code: "invalid_value")
        }
        if tools.isEmpty, type == "any" || type == "tool" {
            throw OpenAIError.badRequest("tool_choice: '\(type)' requires 'tools'.", param: "tool_choice", code: "invalid_value")
        }
        return (tools, mapped, parallel)
    }
}
