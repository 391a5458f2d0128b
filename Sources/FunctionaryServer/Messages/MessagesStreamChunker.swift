import FunctionaryProtocol

/// The events of a streamed message: `message_start`, `ping`, per block `content_block_start`,
/// `content_block_delta` (`text_delta` / `input_json_delta`) and `content_block_stop`, then `message_delta`
/// (stop reason, output tokens) and `message_stop`.
struct MessagesStreamChunker: TurnEventChunker {
    private enum OpenBlock {
        case none
        case text(index: Int)
        case toolUse(index: Int, parserIndex: Int)
    }

    private let id: String
    private let plan: ChatPlan
    private let inputTokens: Int?
    var turn: TurnStream
    private var current = OpenBlock.none
    private var blockCount = 0
    private var madeCalls = false

    init(id: String, plan: ChatPlan, inputTokens: Int?) {
        self.id = id
        self.plan = plan
        self.inputTokens = inputTokens
        self.turn = TurnStream(parser: plan.template.makeStreamParser(toolChoice: plan.resolved.choice))
    }

    mutating func start() -> [JSONValue] {
        let message = AnthropicShapes.message(
            id: id, model: plan.model, content: [], stopReason: nil, usage: AnthropicShapes.usage(nil, inputTokens: inputTokens))
        return [["type": "message_start", "message": message], ["type": "ping"]]
    }

    func finish() -> [JSONValue] {
        let stopSequence = turn.stopSequence
        let stopReason = AnthropicShapes.stopReason(engine: turn.reason ?? .stop, madeCalls: madeCalls, stopSequence: stopSequence)
        let matched: JSONValue = stopReason == "stop_sequence" ? stopSequence.map(JSONValue.string) ?? .null : .null
        // The engine's final counts (message_start could only give the prompt's size).
        let usageJSON = AnthropicShapes.usage(turn.usage, inputTokens: inputTokens)
        return [
            ["type": "message_delta", "delta": ["stop_reason": .string(stopReason), "stop_sequence": matched], "usage": usageJSON],
            ["type": "message_stop"],
        ]
    }

    func failed(_ error: OpenAIError) -> [JSONValue] {
        [["type": "error", "error": ["type": "api_error", "message": .string(error.message)]]]
    }

    var parallelToolCalls: Bool { plan.parallelToolCalls }

    var textIsOpen: Bool {
        if case .text = current { return true }
        return false
    }

    mutating func openText() -> [JSONValue] {
        current = .text(index: blockCount)
        defer { blockCount += 1 }
        return [["type": "content_block_start", "index": .int(blockCount), "content_block": ["type": "text", "text": ""]]]
    }

    func appendText(_ text: String, logprobs entries: [TokenLogprobs]) -> [JSONValue] {
        guard case .text(let index) = current else { return [] }
        return [["type": "content_block_delta", "index": .int(index), "delta": ["type": "text_delta", "text": .string(text)]]]
    }

    mutating func openCall(parserIndex: Int, callID: String, name: String) -> [JSONValue] {
        madeCalls = true
        current = .toolUse(index: blockCount, parserIndex: parserIndex)
        defer { blockCount += 1 }
        return [
            [
                "type": "content_block_start", "index": .int(blockCount),
                "content_block": AnthropicShapes.toolUse(id: APIIdentifier.make("toolu_"), name: name, input: [:]),
            ]
        ]
    }

    func appendArguments(_ piece: String, parserIndex: Int) -> [JSONValue] {
        guard case .toolUse(let index, let open) = current, open == parserIndex else { return [] }
        return [["type": "content_block_delta", "index": .int(index), "delta": ["type": "input_json_delta", "partial_json": .string(piece)]]]
    }

    mutating func close() -> [JSONValue] {
        defer { current = .none }
        switch current {
        case .none: return []
        case .text(let index), .toolUse(let index, _): return [["type": "content_block_stop", "index": .int(index)]]
        }
    }
}
