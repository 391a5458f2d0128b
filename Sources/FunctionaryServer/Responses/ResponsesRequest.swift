import FunctionaryProtocol

/// A `POST /v1/responses` body read and mapped onto the one internal request (`ChatCompletionRequest`).
///
/// Supported: `model`, `input` (a string, or `message`, `function_call` and `function_call_output` items),
/// `instructions`, function `tools`, `tool_choice`, `parallel_tool_calls`, `max_output_tokens`, `temperature`,
/// `top_p`, `text.format`, `metadata`, `store`, `previous_response_id`, `stream`, `user`. Fields that would change
/// behaviour the server cannot deliver (`reasoning` with an effort, `include`, `background`, built-in tools…) are
/// 400s; fields with no effect here (`service_tier`, `truncation: "disabled"`, `prompt_cache_key`…) are ignored.
struct ResponsesRequest: Sendable {
    var model: String
    /// The conversation this request adds (its input as chat messages), without `instructions`.
    var inputMessages: [ChatMessage]
    /// The input items as the API lists them back (`/input_items`), each with an id.
    var inputItems: [JSONValue]
    var instructions: String?
    var tools: [Tool]
    /// The tools as the response object echoes them.
    var toolsJSON: [JSONValue]
    var toolChoice: JSONValue?
    var toolChoiceJSON: JSONValue
    var parallelToolCalls: Bool
    var maxOutputTokens: Int?
    var temperature: Double?
    var topP: Double?
    /// `text.format` as a chat `response_format`.
    var responseFormat: JSONValue?
    var textJSON: JSONValue
    var metadata: JSONValue
    var store: Bool
    var previousResponseID: String?
    var stream: Bool
    var user: String?
    /// With `include: ["message.output_text.logprobs"]`: how many alternatives each token comes with
    /// (`top_logprobs`, 0–20); nil when log probabilities were not asked for.
    var logprobs: Int?

    /// Fields the server refuses because honouring them is not possible here.
    static let refused: [String: String] = [
        "background": "background responses are not supported; send the request without 'background'.",
        "conversation": "conversations are not supported; chain responses with 'previous_response_id'.",
        "prompt": "prompt templates are not supported.",
        "max_tool_calls": "'max_tool_calls' is not supported.",
    ]

    /// The one `include` value served: log probabilities of the output text's tokens.
    static let includeLogprobs = "message.output_text.logprobs"

    init(_ body: JSONFields) throws(OpenAIError) {
        model = try body.requiredString("model")
        for (key, message) in Self.refused where body.value(key) != nil {
            if key == "background", try body.bool(key) == false { continue }
            throw JSONFields.unsupported(key, message)
        }
        if let reasoning = try body.objectMember("reasoning") {
            if reasoning.value("effort") != nil || reasoning.value("summary") != nil || reasoning.value("generate_summary") != nil {
                throw JSONFields.unsupported("reasoning", "this model does not reason; send the request without 'reasoning'.")
            }
        }
        var includeLogprobs = false
        for (index, value) in (try body.array("include") ?? []).enumerated() {
            guard value == .string(Self.includeLogprobs) else {
                throw JSONFields.unsupported(
                    "include[\(index)]", "\(value.compactJSON()) is not available from this server; only '\(Self.includeLogprobs)' is.")
            }
            includeLogprobs = true
        }
        let topLogprobs = try body.int("top_logprobs")
        if let topLogprobs, !(0...SamplingFields.maxTopLogprobs).contains(topLogprobs) {
            throw OpenAIError.badRequest(
                "Invalid value for 'top_logprobs': \(topLogprobs); it must be between 0 and \(SamplingFields.maxTopLogprobs).",
                param: "top_logprobs", code: "invalid_value")
        }
        // As on OpenAI, `top_logprobs` alone returns nothing: the entries come with the `include` value.
        logprobs = includeLogprobs ? (topLogprobs ?? 0) : nil
        if let truncation = try body.string("truncation"), truncation != "disabled", truncation != "auto" {
            throw JSONFields.unsupported("truncation", "expected 'disabled' or 'auto', got '\(truncation)'.")
        }
        instructions = try body.string("instructions")
        (inputMessages, inputItems) = try Self.input(body)
        (tools, toolsJSON) = try Self.tools(body)
        (toolChoice, toolChoiceJSON) = try Self.toolChoice(body)
        parallelToolCalls = try body.bool("parallel_tool_calls") ?? true
        maxOutputTokens = try body.int("max_output_tokens")
        temperature = try body.double("temperature")
        topP = try body.double("top_p")
        (responseFormat, textJSON) = try Self.textFormat(body)
        metadata = try Self.checkedMetadata(body)
        store = try body.bool("store") ?? true
        previousResponseID = try body.string("previous_response_id")
        stream = try body.bool("stream") ?? false
        user = try body.string("user")
    }

    /// The chat request for this input after `history` (the chained conversation, when there is one).
    func chatRequest(history: [ChatMessage]) -> ChatCompletionRequest {
        var messages: [ChatMessage] = []
        if let instructions, !instructions.isEmpty { messages.append(ChatMessage(role: "system", content: instructions)) }
        messages += history
        messages += inputMessages
        // Without tools, "auto" and "none" mean nothing; any other choice is checked (and refused) as on chat.
        let harmless = toolChoice == nil || toolChoice == "auto" || toolChoice == "none"
        var request = ChatCompletionRequest(
            model: model, messages: messages, tools: tools.isEmpty ? nil : tools,
            toolChoice: tools.isEmpty && harmless ? nil : toolChoice)
        request.parallelToolCalls = parallelToolCalls
        request.maxCompletionTokens = maxOutputTokens
        request.temperature = temperature
        request.topP = topP
        request.responseFormat = responseFormat
        request.user = user
        if let logprobs {
            request.logprobs = true
            request.topLogprobs = logprobs
        }
        return request
    }

    // MARK: - input

    private static func input(_ body: JSONFields) throws(OpenAIError) -> ([ChatMessage], [JSONValue]) {
        guard let input = body.value("input") else { throw JSONFields.missing("input") }
        switch input {
        case .string(let text):
            let item: JSONValue = [
                "id": .string(APIIdentifier.make("msg_")), "type": "message", "role": "user",
                "content": [["type": "input_text", "text": .string(text)]],
            ]
            return ([ChatMessage(role: "user", content: text)], [item])
        case .array(let items):
            var messages: [ChatMessage] = []
            var listed: [JSONValue] = []
            for (index, item) in items.enumerated() {
                let fields = try JSONFields(item, path: "input[\(index)]")
                try add(fields, to: &messages, listed: &listed)
            }
            return (messages, listed)
        default:
            throw JSONFields.wrongType("input", expected: "a string or an array of input items", got: input)
        }
    }

    private static func add(_ item: JSONFields, to messages: inout [ChatMessage], listed: inout [JSONValue]) throws(OpenAIError) {
        let type = try item.string("type") ?? (item.value("role") != nil ? "message" : nil)
        var entry = item.object
        switch type {
        case "message"?:
            let role = try item.requiredString("role")
            guard ["user", "system", "developer", "assistant"].contains(role) else {
                throw OpenAIError.badRequest(
                    "Invalid value for '\(item.name("role"))': '\(role)'. Supported values are: 'user', 'system', 'developer' and 'assistant'.",
                    param: item.name("role"), code: "invalid_value")
            }
            let text = try messageText(item)
            messages.append(ChatMessage(role: role == "developer" ? "system" : role, content: text))
            entry["type"] = "message"
            if entry["id"]?.stringValue == nil { entry["id"] = .string(APIIdentifier.make("msg_")) }
            if case .string(let s)? = entry["content"] {
                entry["content"] = [["type": .string(role == "assistant" ? "output_text" : "input_text"), "text": .string(s)]]
            }
        case "function_call"?:
            let callID = try item.requiredString("call_id")
            let name = try item.requiredString("name")
            let arguments = try item.requiredString("arguments")
            let call = ToolCall(id: callID, name: name, arguments: arguments)
            if var last = messages.last, last.role == "assistant", messages.count > 0 {
                last.toolCalls = (last.toolCalls ?? []) + [call]
                messages[messages.count - 1] = last
            } else {
                messages.append(ChatMessage(role: "assistant", content: nil, toolCalls: [call]))
            }
            if entry["id"]?.stringValue == nil { entry["id"] = .string(APIIdentifier.make("fc_")) }
            if entry["status"] == nil { entry["status"] = "completed" }
        case "function_call_output"?:
            let callID = try item.requiredString("call_id")
            let output: String
            switch item.value("output") {
            case .string(let s)?: output = s
            case .array(let parts)?: output = try partsText(parts, field: item.name("output"))
            case let other?: throw JSONFields.wrongType(item.name("output"), expected: "a string", got: other)
            case nil: throw JSONFields.missing(item.name("output"))
            }
            messages.append(ChatMessage(role: "tool", content: output, toolCallID: callID))
            if entry["id"]?.stringValue == nil { entry["id"] = .string(APIIdentifier.make("fco_")) }
            if entry["status"] == nil { entry["status"] = "completed" }
        case let other?:
            throw JSONFields.unsupported(
                item.name("type"),
                "input items of type '\(other)' are not supported; use 'message', 'function_call' or 'function_call_output'.")
        case nil:
            throw JSONFields.missing(item.name("type"))
        }
        listed.append(storedItem(entry, type: type ?? "message"))
    }

    /// A message item's content: a string, or `input_text` / `output_text` parts joined.
    private static func messageText(_ item: JSONFields) throws(OpenAIError) -> String {
        switch item.value("content") {
        case .string(let s)?: return s
        case .array(let parts)?: return try partsText(parts, field: item.name("content"))
        case let other?: throw JSONFields.wrongType(item.name("content"), expected: "a string or an array of content parts", got: other)
        case nil: throw JSONFields.missing(item.name("content"))
        }
    }

    private static func partsText(_ parts: [JSONValue], field: String) throws(OpenAIError) -> String {
        var text = ""
        for (index, part) in parts.enumerated() {
            let fields = try JSONFields(part, path: "\(field)[\(index)]")
            let type = try fields.requiredString("type")
            guard ["input_text", "output_text", "text", "refusal"].contains(type) else {
                throw JSONFields.unsupported(fields.name("type"), "content parts of type '\(type)' are not supported; this model reads text only.")
            }
            text += try fields.string(type == "refusal" ? "refusal" : "text") ?? ""
        }
        return text
    }

    // MARK: - tools

    private static func tools(_ body: JSONFields) throws(OpenAIError) -> ([Tool], [JSONValue]) {
        guard let list = try body.array("tools") else { return ([], []) }
        var tools: [Tool] = []
        var echoed: [JSONValue] = []
        for (index, value) in list.enumerated() {
            let tool = try JSONFields(value, path: "tools[\(index)]")
            let type = try tool.requiredString("type")
            guard type == "function" else {
                throw JSONFields.unsupported(
                    tool.name("type"), "'\(type)' tools are not available on this server; only 'function' tools are supported.")
            }
            let name = try tool.requiredString("name")
            let parameters = tool.value("parameters")
            if let parameters, case .object = parameters {
            } else if let parameters {
                throw JSONFields.wrongType(tool.name("parameters"), expected: "a JSON Schema object", got: parameters)
            }
            let description = try tool.string("description")
            tools.append(Tool(function: FunctionDefinition(name: name, description: description, parameters: parameters)))
            echoed.append([
                "type": "function", "name": .string(name), "description": description.map(JSONValue.string) ?? .null,
                "parameters": parameters ?? .null, "strict": .bool(try tool.bool("strict") ?? true),
            ])
        }
        return (tools, echoed)
    }

    /// `tool_choice` as the chat request spells it, and as the response echoes it.
    private static func toolChoice(_ body: JSONFields) throws(OpenAIError) -> (JSONValue?, JSONValue) {
        switch body.value("tool_choice") {
        case nil: return (nil, "auto")
        case .string(let s)?:
            guard ["auto", "none", "required"].contains(s) else {
                throw OpenAIError.badRequest(
                    "Invalid value for 'tool_choice': '\(s)'. Supported values are: 'none', 'auto', and 'required'.",
                    param: "tool_choice", code: "invalid_value")
            }
            return (.string(s), .string(s))
        case .object(let object)?:
            let fields = JSONFields(object, path: "tool_choice")
            let type = try fields.requiredString("type")
            guard type == "function" else {
                throw JSONFields.unsupported(
                    "tool_choice.type", "'\(type)'; supported are 'auto', 'none', 'required' and {\"type\": \"function\", \"name\": …}.")
            }
            let name = try fields.requiredString("name")
            return (["type": "function", "function": ["name": .string(name)]], ["type": "function", "name": .string(name)])
        case let other?:
            throw JSONFields.wrongType("tool_choice", expected: "a string or an object", got: other)
        }
    }

    /// `text.format` as a chat `response_format`, and the `text` object the response echoes.
    private static func textFormat(_ body: JSONFields) throws(OpenAIError) -> (JSONValue?, JSONValue) {
        guard let text = try body.objectMember("text"), let format = try text.objectMember("format") else {
            return (nil, ["format": ["type": "text"]])
        }
        let type = try format.requiredString("type")
        switch type {
        case "text":
            return (nil, ["format": ["type": "text"]])
        case "json_object":
            return (["type": "json_object"], ["format": ["type": "json_object"]])
        case "json_schema":
            guard let schema = format.value("schema"), case .object = schema else {
                throw OpenAIError.badRequest(
                    "'text.format.schema' is required for type 'json_schema' and must be a JSON Schema object.", param: "text.format.schema",
                    code: "invalid_value")
            }
            let name = try format.string("name") ?? "response"
            return (
                ["type": "json_schema", "json_schema": ["name": .string(name), "schema": schema]],
                .object(["format": storedFormat(format.object)])
            )
        default:
            throw OpenAIError.badRequest(
                "Invalid value for 'text.format.type': '\(type)'. Supported values are: 'text', 'json_object' and 'json_schema'.",
                param: "text.format.type", code: "invalid_value")
        }
    }
}
