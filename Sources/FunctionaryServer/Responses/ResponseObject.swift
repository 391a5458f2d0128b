import FunctionaryProtocol

/// Builds the Responses API's `response` object and its output items for one request.
struct ResponseObject: Sendable {
    let id: String
    let createdAt: Int
    let request: ResponsesRequest

    /// The output items of a parsed assistant turn: a `message` with one `output_text` part when there is text,
    /// then one `function_call` per call (only the first with `parallel_tool_calls: false`).
    /// `logprobs`: the entries of the text part's tokens, when the request included them.
    static func outputItems(_ output: AssistantOutput, parallelToolCalls: Bool, logprobs: [TokenLogprobs] = []) -> [JSONValue] {
        var items: [JSONValue] = []
        if let content = output.content, !content.isEmpty {
            items.append(messageItem(id: APIIdentifier.make("msg_"), text: content, status: "completed", logprobs: logprobs))
        }
        let calls = parallelToolCalls ? output.toolCalls : Array(output.toolCalls.prefix(1))
        for call in calls {
            items.append(
                functionCallItem(
                    id: APIIdentifier.make("fc_"), callID: call.id ?? ToolCallID.make(), name: call.function.name,
                    arguments: call.function.arguments, status: "completed"))
        }
        return items
    }

    static func messageItem(id: String, text: String?, status: String, logprobs: [TokenLogprobs] = []) -> JSONValue {
        [
            "id": .string(id), "type": "message", "status": .string(status), "role": "assistant",
            "content": text.map { [outputText($0, logprobs: logprobs)] } ?? [],
        ]
    }

    static func outputText(_ text: String, logprobs: [TokenLogprobs] = []) -> JSONValue {
        ["type": "output_text", "text": .string(text), "annotations": [], "logprobs": ResponsesLogprobs.json(logprobs)]
    }

    static func functionCallItem(id: String, callID: String, name: String, arguments: String, status: String) -> JSONValue {
        [
            "id": .string(id), "type": "function_call", "status": .string(status), "call_id": .string(callID), "name": .string(name),
            "arguments": .string(arguments),
        ]
    }

    static func usage(_ usage: GenerationUsage?) -> JSONValue {
        guard let usage else { return .null }
        let (total, overflow) = usage.promptTokens.addingReportingOverflow(usage.completionTokens)
        return [
            "input_tokens": .number(JSONNumber(usage.promptTokens)),
            "input_tokens_details": ["cached_tokens": .number(JSONNumber(usage.cachedPromptTokens))],
            "output_tokens": .number(JSONNumber(usage.completionTokens)),
            "output_tokens_details": ["reasoning_tokens": 0],
            "total_tokens": .number(JSONNumber(overflow ? Int.max : total)),
        ]
    }

    /// The response object. `status` is `in_progress`, `completed`, `incomplete` (with `incompleteReason`) or `failed`.
    func json(status: String, output: [JSONValue], usage: GenerationUsage?, incompleteReason: String? = nil, error: JSONValue = .null)
        -> JSONValue
    {
        [
            "id": .string(id), "object": "response", "created_at": .number(JSONNumber(createdAt)), "status": .string(status),
            "background": false, "error": error,
            "incomplete_details": incompleteReason.map { ["reason": .string($0)] } ?? .null,
            "instructions": request.instructions.map(JSONValue.string) ?? .null,
            "max_output_tokens": request.maxOutputTokens.map { .number(JSONNumber($0)) } ?? .null,
            "metadata": request.metadata, "model": .string(request.model), "output": .array(output),
            "parallel_tool_calls": .bool(request.parallelToolCalls),
            "previous_response_id": request.previousResponseID.map(JSONValue.string) ?? .null,
            "reasoning": ["effort": .null, "summary": .null], "store": .bool(request.store),
            "temperature": request.temperature.map { .number(JSONNumber($0)) } ?? .null, "text": request.textJSON,
            "tool_choice": request.toolChoiceJSON, "tools": .array(request.toolsJSON),
            "top_p": request.topP.map { .number(JSONNumber($0)) } ?? .null, "truncation": "disabled", "usage": Self.usage(usage),
            "user": request.user.map(JSONValue.string) ?? .null,
        ]
    }

    /// The assistant message that output items add to a conversation (for chaining with `previous_response_id`).
    static func assistantMessage(_ output: [JSONValue]) -> ChatMessage? {
        var text: String?
        var calls: [ToolCall] = []
        for item in output {
            switch item["type"]?.stringValue {
            case "message"?:
                let parts = item["content"]?.arrayValue ?? []
                let joined = parts.compactMap { $0["text"]?.stringValue }.joined()
                text = (text ?? "") + joined
            case "function_call"?:
                calls.append(
                    ToolCall(
                        id: item["call_id"]?.stringValue, name: item["name"]?.stringValue ?? "",
                        arguments: item["arguments"]?.stringValue ?? ""))
            default:
                break
            }
        }
        guard text != nil || !calls.isEmpty else { return nil }
        return ChatMessage(role: "assistant", content: text, toolCalls: calls.isEmpty ? nil : calls)
    }
}
