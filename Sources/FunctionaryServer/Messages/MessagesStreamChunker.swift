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

    mutating func apply(_ events: [StreamEvent]) -> [JSONValue] {
        var out: [JSONValue] = []
        for event in events {
            switch event {
            case .content(let text):
                guard !text.isEmpty else { continue }
                if case .text = current {
                } else {
                    out += close()
                    current = .text(index: blockCount)
                    out.append(["type": "content_block_start", "index": .int(blockCount), "content_block": ["type": "text", "text": ""]])
                    blockCount += 1
                }
                if case .text(let index) = current {
                    out.append(["type": "content_block_delta", "index": .int(index), "delta": ["type": "text_delta", "text": .string(text)]])
                }
            case .toolCallStart(let parserIndex, _, let name):
                out += close()
                guard plan.parallelToolCalls || parserIndex == 0 else { continue }
                madeCalls = true
                current = .toolUse(index: blockCount, parserIndex: parserIndex)
                out.append([
                    "type": "content_block_start", "index": .int(blockCount),
                    "content_block": AnthropicShapes.toolUse(id: APIIdentifier.make("toolu_"), name: name, input: [:]),
                ])
                blockCount += 1
            case .toolCallArguments(let parserIndex, let piece):
                guard case .toolUse(let index, let open) = current, open == parserIndex, !piece.isEmpty else { continue }
                out.append([
                    "type": "content_block_delta", "index": .int(index), "delta": ["type": "input_json_delta", "partial_json": .string(piece)],
                ])
            }
        }
        return out
    }

    mutating func close() -> [JSONValue] {
        defer { current = .none }
        switch current {
        case .none: return []
        case .text(let index), .toolUse(let index, _): return [["type": "content_block_stop", "index": .int(index)]]
        }
    }
}
