import FunctionaryProtocol

// TEMPORARY: a minimal chunk builder local to the server until the shared `ChunkBuilder`
// (Sources/FunctionaryProtocol/Streaming/) is merged; then the server should use that one.

/// Builds `chat.completion.chunk` objects in OpenAI's shapes.
struct ChatChunkEncoder: Sendable {
    let id: String
    let created: Int
    let model: String
    /// With `stream_options.include_usage`, every chunk has `"usage": null` and the last one the usage.
    let includeUsage: Bool

    /// `{"role":"assistant","content":""}`: the first chunk of each choice.
    func role(choice: Int) -> JSONValue {
        chunk(choice: choice, delta: ["role": "assistant", "content": ""])
    }

    func content(choice: Int, _ text: String) -> JSONValue {
        chunk(choice: choice, delta: ["content": .string(text)])
    }

    /// The header of a tool call: index, id, type, name, empty arguments.
    func toolCallStart(choice: Int, index: Int, id: String, name: String) -> JSONValue {
        let call: JSONValue = [
            "index": .number(JSONNumber(index)), "id": .string(id), "type": "function",
            "function": ["name": .string(name), "arguments": ""],
        ]
        return chunk(choice: choice, delta: ["tool_calls": [call]])
    }

    /// A piece of a tool call's arguments.
    func toolCallArguments(choice: Int, index: Int, _ text: String) -> JSONValue {
        let call: JSONValue = ["index": .number(JSONNumber(index)), "function": ["arguments": .string(text)]]
        return chunk(choice: choice, delta: ["tool_calls": [call]])
    }

    /// Legacy `functions`: the call's name.
    func functionCallStart(choice: Int, name: String) -> JSONValue {
        chunk(choice: choice, delta: ["function_call": ["name": .string(name), "arguments": ""]])
    }

    /// Legacy `functions`: a piece of the call's arguments.
    func functionCallArguments(choice: Int, _ text: String) -> JSONValue {
        chunk(choice: choice, delta: ["function_call": ["arguments": .string(text)]])
    }

    /// The last chunk of a choice: empty delta and the finish reason.
    func finish(choice: Int, reason: String) -> JSONValue {
        chunk(choice: choice, delta: [:], finishReason: .string(reason))
    }

    /// The usage chunk sent after all choices when `include_usage` is set: no choices, the usage.
    func usage(_ usage: JSONValue) -> JSONValue {
        var object = header
        object["choices"] = []
        object["usage"] = usage
        return .object(object)
    }

    private var header: JSONObject {
        ["id": .string(id), "object": "chat.completion.chunk", "created": .number(JSONNumber(created)), "model": .string(model)]
    }

    private func chunk(choice: Int, delta: JSONObject, finishReason: JSONValue = .null) -> JSONValue {
        var object = header
        object["choices"] = [
            ["index": .number(JSONNumber(choice)), "delta": .object(delta), "logprobs": .null, "finish_reason": finishReason]
        ]
        if includeUsage { object["usage"] = .null }
        return .object(object)
    }
}
