import FunctionaryProtocol
import Hummingbird

/// The Messages API's shapes: errors, content blocks, stop reasons and usage.
enum AnthropicShapes {
    /// Anthropic's error type for a status.
    static func errorType(_ status: HTTPResponse.Status) -> String {
        switch status.code {
        case 400: return "invalid_request_error"
        case 401: return "authentication_error"
        case 403: return "permission_error"
        case 404: return "not_found_error"
        case 413: return "request_too_large"
        case 415: return "invalid_request_error"
        case 429: return "rate_limit_error"
        case 503, 529: return "overloaded_error"
        default: return "api_error"
        }
    }

    /// `{"type": "error", "error": {"type", "message"}}`.
    static func errorJSON(_ error: OpenAIError) -> JSONValue {
        ["type": "error", "error": ["type": .string(errorType(error.status)), "message": .string(error.message)]]
    }

    /// An error as the Messages API answers it (same status, Anthropic's body).
    static func errorResponse(_ error: OpenAIError) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let retryAfter = error.retryAfter { headers[.retryAfter] = String(retryAfter) }
        if error.status == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        return Response(status: error.status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: errorJSON(error).compactJSON())))
    }

    /// A call's arguments as a `tool_use` block's `input` object (text that is not an object is kept under `"input"`).
    static func input(_ arguments: String) -> JSONValue {
        if let value = try? JSONValue(parsing: arguments), case .object = value { return value }
        return ["input": .string(arguments)]
    }

    static func toolUse(id: String, name: String, input: JSONValue) -> JSONValue {
        ["type": "tool_use", "id": .string(id), "name": .string(name), "input": input]
    }

    /// `stop_reason`: `max_tokens` when cut, `tool_use` with calls, `stop_sequence` when one of the request's
    /// `stop_sequences` ended the turn (`stopSequence`, as the engine reported it), else `end_turn`.
    static func stopReason(engine: FinishReason, madeCalls: Bool, stopSequence: String? = nil) -> String {
        if engine == .length { return "max_tokens" }
        if madeCalls { return "tool_use" }
        return stopSequence != nil ? "stop_sequence" : "end_turn"
    }

    /// `input_tokens` are the prompt tokens that were not read from the prompt cache, as Anthropic counts them.
    static func usage(_ usage: GenerationUsage?, inputTokens: Int? = nil) -> JSONValue {
        let prompt = usage?.promptTokens ?? inputTokens ?? 0
        let cached = min(max(0, usage?.cachedPromptTokens ?? 0), prompt)
        return [
            "input_tokens": .number(JSONNumber(prompt - cached)), "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": .number(JSONNumber(cached)), "output_tokens": .number(JSONNumber(usage?.completionTokens ?? 0)),
        ]
    }

    /// The `message` object of a finished turn.
    static func message(
        id: String, model: String, content: [JSONValue], stopReason: String?, stopSequence: String? = nil, usage: JSONValue
    ) -> JSONValue {
        [
            "id": .string(id), "type": "message", "role": "assistant", "model": .string(model), "content": .array(content),
            "stop_reason": stopReason.map(JSONValue.string) ?? .null,
            "stop_sequence": stopReason == "stop_sequence" ? stopSequence.map(JSONValue.string) ?? .null : .null, "usage": usage,
        ]
    }

    /// The content blocks of a parsed turn: a text block when there is text, then one `tool_use` per call.
    static func content(_ output: AssistantOutput, parallelToolCalls: Bool) -> [JSONValue] {
        var blocks: [JSONValue] = []
        if let text = output.content, !text.isEmpty { blocks.append(["type": "text", "text": .string(text)]) }
        let calls = parallelToolCalls ? output.toolCalls : Array(output.toolCalls.prefix(1))
        for call in calls {
            blocks.append(toolUse(id: APIIdentifier.make("toolu_"), name: call.function.name, input: input(call.function.arguments)))
        }
        return blocks
    }
}

/// The events of a streamed message: `message_start`, `ping`, per block `content_block_start`,
/// `content_block_delta` (`text_delta` / `input_json_delta`) and `content_block_stop`, then `message_delta`
/// (stop reason, output tokens) and `message_stop`.
struct MessagesStreamChunker: NamedEventChunker {
    private enum OpenBlock {
        case none
        case text(index: Int)
        case toolUse(index: Int, parserIndex: Int)
    }

    private let id: String
    private let plan: ChatPlan
    private let inputTokens: Int?
    private var parser: any StreamParser
    private var current = OpenBlock.none
    private var blockCount = 0
    private var madeCalls = false
    private var usage: GenerationUsage?
    private var reason: FinishReason?
    private var stopSequence: String?
    private var done = false

    init(id: String, plan: ChatPlan, inputTokens: Int?) {
        self.id = id
        self.plan = plan
        self.inputTokens = inputTokens
        self.parser = plan.template.makeStreamParser(toolChoice: plan.resolved.choice)
    }

    mutating func start() -> [JSONValue] {
        let message = AnthropicShapes.message(
            id: id, model: plan.model, content: [], stopReason: nil, usage: AnthropicShapes.usage(nil, inputTokens: inputTokens))
        return [["type": "message_start", "message": message], ["type": "ping"]]
    }

    mutating func handle(_ event: GenerationEvent) -> [JSONValue] {
        guard !done else { return [] }
        switch event {
        case .text(0, let text):
            return apply(parser.feed(text))
        case .finished(0, let finishReason):
            reason = finishReason
            return apply(parser.finish()) + close()
        case .usage(let usage):
            self.usage = usage
            return []
        case .stopSequence(0, let stop):
            stopSequence = stop
            return []
        default:
            return []
        }
    }

    mutating func end(stoppedByShutdown: Bool) -> [JSONValue] {
        guard !done else { return [] }
        var events: [JSONValue] = []
        if reason == nil {
            reason = stoppedByShutdown ? .length : .stop
            events += apply(parser.finish()) + close()
        }
        done = true
        let stopReason = AnthropicShapes.stopReason(engine: reason ?? .stop, madeCalls: madeCalls, stopSequence: stopSequence)
        let matched: JSONValue = stopReason == "stop_sequence" ? stopSequence.map(JSONValue.string) ?? .null : .null
        // The engine's final counts (message_start could only give the prompt's size).
        let usageJSON = AnthropicShapes.usage(usage, inputTokens: inputTokens)
        events.append(["type": "message_delta", "delta": ["stop_reason": .string(stopReason), "stop_sequence": matched], "usage": usageJSON])
        events.append(["type": "message_stop"])
        return events
    }

    func usageChunk(_ usage: GenerationUsage) -> JSONValue? { nil }

    mutating func failure(_ error: OpenAIError) -> [JSONValue] {
        done = true
        return [["type": "error", "error": ["type": "api_error", "message": .string(error.message)]]]
    }

    private mutating func apply(_ events: [StreamEvent]) -> [JSONValue] {
        var out: [JSONValue] = []
        for event in events {
            switch event {
            case .content(let text):
                guard !text.isEmpty else { continue }
                if case .text = current {
                } else {
                    out += close()
                    current = .text(index: blockCount)
                    out.append(["type": "content_block_start", "index": num(blockCount), "content_block": ["type": "text", "text": ""]])
                    blockCount += 1
                }
                if case .text(let index) = current {
                    out.append(["type": "content_block_delta", "index": num(index), "delta": ["type": "text_delta", "text": .string(text)]])
                }
            case .toolCallStart(let parserIndex, _, let name):
                out += close()
                guard plan.parallelToolCalls || parserIndex == 0 else { continue }
                madeCalls = true
                current = .toolUse(index: blockCount, parserIndex: parserIndex)
                out.append([
                    "type": "content_block_start", "index": num(blockCount),
                    "content_block": AnthropicShapes.toolUse(id: APIIdentifier.make("toolu_"), name: name, input: [:]),
                ])
                blockCount += 1
            case .toolCallArguments(let parserIndex, let piece):
                guard case .toolUse(let index, let open) = current, open == parserIndex, !piece.isEmpty else { continue }
                out.append([
                    "type": "content_block_delta", "index": num(index), "delta": ["type": "input_json_delta", "partial_json": .string(piece)],
                ])
            }
        }
        return out
    }

    private mutating func close() -> [JSONValue] {
        defer { current = .none }
        switch current {
        case .none: return []
        case .text(let index), .toolUse(let index, _): return [["type": "content_block_stop", "index": num(index)]]
        }
    }

    private func num(_ value: Int) -> JSONValue { .number(JSONNumber(value)) }
}
