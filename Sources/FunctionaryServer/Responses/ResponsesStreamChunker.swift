import FunctionaryProtocol

/// The events of a streamed response (`response.created` … `response.completed`), each with its `sequence_number`.
///
/// The template's stream parser turns text deltas into content and call events; text opens a `message` item
/// (with one `output_text` part), each call a `function_call` item, and an item is closed (its `.done` events)
/// when the next one opens or the generation ends. The last event is `response.completed`, or
/// `response.incomplete` when `max_output_tokens` cut the output; the finished response is stored then.
struct ResponsesStreamChunker: TurnEventChunker {
    private enum OpenItem {
        case none
        case message(id: String, outputIndex: Int, text: String)
        case call(id: String, outputIndex: Int, parserIndex: Int, callID: String, name: String, arguments: String)
    }

    private let object: ResponseObject
    private let plan: ChatPlan
    private let onComplete: @Sendable (JSONValue, [JSONValue]) -> Void
    var turn: TurnStream
    private var sequence = 0
    private var current = OpenItem.none
    private var output: [JSONValue] = []
    /// Log probabilities waiting for the text they belong to (only when the request included them).
    private var logprobs = ResponsesLogprobs()
    /// The entries of the open message's text so far.
    private var messageLogprobs: [TokenLogprobs] = []

    /// - Parameter onComplete: called with the final response object and its output items (to store them).
    init(object: ResponseObject, plan: ChatPlan, onComplete: @escaping @Sendable (JSONValue, [JSONValue]) -> Void) {
        self.object = object
        self.plan = plan
        self.onComplete = onComplete
        self.turn = TurnStream(parser: plan.template.makeStreamParser(toolChoice: plan.resolved.choice))
    }

    mutating func start() -> [JSONValue] {
        let initial = object.json(status: "in_progress", output: [], usage: nil)
        return [event("response.created", ["response": initial]), event("response.in_progress", ["response": initial])]
    }

    mutating func observe(_ event: GenerationEvent) {
        if case .logprobs(0, let entries) = event { logprobs.add(entries) }
    }

    mutating func finish() -> [JSONValue] {
        let incomplete = turn.reason == .length
        let final = object.json(
            status: incomplete ? "incomplete" : "completed", output: output, usage: turn.usage,
            incompleteReason: incomplete ? "max_output_tokens" : nil)
        onComplete(final, output)
        return [event(incomplete ? "response.incomplete" : "response.completed", ["response": final])]
    }

    mutating func failed(_ error: OpenAIError) -> [JSONValue] {
        let errorJSON: JSONValue = ["code": .string(error.code ?? "server_error"), "message": .string(error.message)]
        return [
            event(
                "error",
                [
                    "code": .string(error.code ?? "server_error"), "message": .string(error.message),
                    "param": error.param.map(JSONValue.string) ?? .null,
                ]
            ),
            event("response.failed", ["response": object.json(status: "failed", output: output, usage: turn.usage, error: errorJSON)]),
        ]
    }

    // MARK: -

    /// An event: its `type`, its `sequence_number` (0, 1, 2… in the order sent), then its fields.
    private mutating func event(_ type: String, _ fields: JSONObject) -> JSONValue {
        var object: JSONObject = ["type": .string(type), "sequence_number": .int(sequence)]
        sequence += 1
        for (key, value) in fields { object[key] = value }
        return .object(object)
    }

    mutating func logprobEntries(for events: [StreamEvent]) -> [[TokenLogprobs]] {
        logprobs.assign(events)
    }

    var parallelToolCalls: Bool { plan.parallelToolCalls }

    var textIsOpen: Bool {
        if case .message = current { return true }
        return false
    }

    /// A `message` item with one `output_text` part.
    mutating func openText() -> [JSONValue] {
        let id = APIIdentifier.make("msg_")
        let index = output.count
        current = .message(id: id, outputIndex: index, text: "")
        messageLogprobs = []
        return [
            event(
                "response.output_item.added",
                ["output_index": .int(index), "item": ResponseObject.messageItem(id: id, text: nil, status: "in_progress")]),
            event(
                "response.content_part.added",
                ["item_id": .string(id), "output_index": .int(index), "content_index": 0, "part": ResponseObject.outputText("")]),
        ]
    }

    mutating func appendText(_ text: String, logprobs entries: [TokenLogprobs]) -> [JSONValue] {
        guard case .message(let id, let index, let soFar) = current else { return [] }
        current = .message(id: id, outputIndex: index, text: soFar + text)
        messageLogprobs += entries
        return [
            event(
                "response.output_text.delta",
                [
                    "item_id": .string(id), "output_index": .int(index), "content_index": 0, "delta": .string(text),
                    "logprobs": ResponsesLogprobs.json(entries),
                ])
        ]
    }

    /// A `function_call` item.
    mutating func openCall(parserIndex: Int, callID: String, name: String) -> [JSONValue] {
        let id = APIIdentifier.make("fc_")
        let index = output.count
        current = .call(id: id, outputIndex: index, parserIndex: parserIndex, callID: callID, name: name, arguments: "")
        return [
            event(
                "response.output_item.added",
                [
                    "output_index": .int(index),
                    "item": ResponseObject.functionCallItem(id: id, callID: callID, name: name, arguments: "", status: "in_progress"),
                ])
        ]
    }

    mutating func appendArguments(_ piece: String, parserIndex: Int) -> [JSONValue] {
        guard case .call(let id, let index, let open, let callID, let name, let soFar) = current, open == parserIndex else { return [] }
        current = .call(id: id, outputIndex: index, parserIndex: open, callID: callID, name: name, arguments: soFar + piece)
        return [event("response.function_call_arguments.delta", ["item_id": .string(id), "output_index": .int(index), "delta": .string(piece)])]
    }

    /// The `.done` events of the open item, which joins the output.
    mutating func close() -> [JSONValue] {
        let closing = current
        current = .none
        switch closing {
        case .none:
            return []
        case .message(let id, let index, let text):
            let entries = messageLogprobs
            let item = ResponseObject.messageItem(id: id, text: text, status: "completed", logprobs: entries)
            output.append(item)
            return [
                event(
                    "response.output_text.done",
                    [
                        "item_id": .string(id), "output_index": .int(index), "content_index": 0, "text": .string(text),
                        "logprobs": ResponsesLogprobs.json(entries),
                    ]),
                event(
                    "response.content_part.done",
                    [
                        "item_id": .string(id), "output_index": .int(index), "content_index": 0,
                        "part": ResponseObject.outputText(text, logprobs: entries),
                    ]),
                event("response.output_item.done", ["output_index": .int(index), "item": item]),
            ]
        case .call(let id, let index, _, let callID, let name, let arguments):
            let item = ResponseObject.functionCallItem(id: id, callID: callID, name: name, arguments: arguments, status: "completed")
            output.append(item)
            return [
                event(
                    "response.function_call_arguments.done",
                    ["item_id": .string(id), "output_index": .int(index), "name": .string(name), "arguments": .string(arguments)]),
                event("response.output_item.done", ["output_index": .int(index), "item": item]),
            ]
        }
    }
}
