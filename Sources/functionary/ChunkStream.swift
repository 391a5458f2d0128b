import Foundation
import FunctionaryProtocol

/// Builds OpenAI `chat.completion.chunk` objects from stream events, for `parse --stream`.
///
/// Minimal on purpose: the server has its own chunk builder; this one only needs the shapes.
struct ChunkStream {
    let id = "chatcmpl-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    let created = Int(Date().timeIntervalSince1970)
    let model: String
    private(set) var madeToolCall = false

    init(model: String) {
        self.model = model
    }

    /// The first chunk: the assistant role.
    func start() -> [JSONValue] {
        [chunk(delta: ["role": "assistant", "content": ""], finishReason: nil)]
    }

    /// One chunk per event (empty content is skipped).
    mutating func chunks(for events: [StreamEvent]) -> [JSONValue] {
        var out: [JSONValue] = []
        for event in events {
            switch event {
            case .content(let text):
                if !text.isEmpty { out.append(chunk(delta: ["content": .string(text)], finishReason: nil)) }
            case .toolCallStart(let index, let id, let name):
                madeToolCall = true
                let call: JSONValue = [
                    "index": .number(JSONNumber(index)), "id": .string(id), "type": "function",
                    "function": ["name": .string(name), "arguments": ""],
                ]
                out.append(chunk(delta: ["tool_calls": [call]], finishReason: nil))
            case .toolCallArguments(let index, let text):
                if text.isEmpty { continue }
                let call: JSONValue = ["index": .number(JSONNumber(index)), "function": ["arguments": .string(text)]]
                out.append(chunk(delta: ["tool_calls": [call]], finishReason: nil))
            }
        }
        return out
    }

    /// The last chunk: an empty delta with `finish_reason` (`tool_calls` when a call was made).
    func finish() -> JSONValue {
        chunk(delta: [:], finishReason: madeToolCall ? "tool_calls" : "stop")
    }

    func chunk(delta: JSONValue, finishReason: String?) -> JSONValue {
        let choice: JSONValue = ["index": 0, "delta": delta, "finish_reason": finishReason.map(JSONValue.string) ?? .null]
        return [
            "id": .string(id), "object": "chat.completion.chunk", "created": .number(JSONNumber(created)),
            "model": .string(model), "choices": [choice],
        ]
    }
}
