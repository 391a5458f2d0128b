/// Turns the `StreamEvent`s of one choice into OpenAI `chat.completion.chunk` objects (protocol §6.6, in OpenAI's
/// shape: absent delta fields are left out).
///
/// Chunks of one choice, in order:
/// 1. the first chunk carries `"role": "assistant"`: with `"content": ""` when the output starts with text (the text
///    follows in its own chunks), or together with the first call's header;
/// 2. a call's header: `{"index", "id", "type": "function", "function": {"name", "arguments": ""}}`, then its argument
///    pieces `{"index", "function": {"arguments"}}`; with legacy `functions` only the first call is sent, as
///    `function_call` deltas (`{"name", "arguments": ""}`, then `{"arguments"}`); with `parallelToolCalls: false` only
///    the first call is sent;
/// 3. text chunks `{"content": piece}` wherever text comes;
/// 4. the last chunk: empty delta and `finish_reason` (`CompletionFinishReason.resolve`).
/// With `includeUsage` (`stream_options.include_usage`) every chunk has `"usage": null` and `usageChunk` makes the
/// final usage chunk (`choices: []`).
public struct ChatCompletionChunkBuilder: Sendable {
    /// The completion id (`chatcmpl-…`), the same in every chunk.
    public let id: String
    public let model: String
    /// Unix time in seconds, the same in every chunk.
    public let created: Int
    /// `choices[0].index` (for `n > 1`, one builder per choice).
    public let choiceIndex: Int
    public let toolChoice: ToolChoice
    public let legacyFunctions: Bool
    /// `parallel_tool_calls`: when `false`, calls after the first are not sent.
    public let parallelToolCalls: Bool
    public let includeUsage: Bool

    private var sentRole = false
    /// The number of calls announced by the parser so far.
    public private(set) var callCount = 0
    /// Whether the finish chunk was made.
    public private(set) var isFinished = false

    /// - Parameters:
    ///   - id: the completion id (see `makeID()`).
    ///   - model: the model name the client asked for.
    ///   - created: Unix time in seconds.
    ///   - choiceIndex: the choice these chunks belong to.
    ///   - toolChoice: the resolved tool_choice (decides the finish reason).
    ///   - legacyFunctions: the request used `functions`: calls go out as `function_call`.
    ///   - parallelToolCalls: `parallel_tool_calls`; `false` sends only the first call.
    ///   - includeUsage: add `"usage": null` to every chunk (`stream_options.include_usage`).
    public init(
        id: String, model: String, created: Int, choiceIndex: Int = 0, toolChoice: ToolChoice = .auto,
        legacyFunctions: Bool = false, parallelToolCalls: Bool = true, includeUsage: Bool = false
    ) {
        self.id = id
        self.model = model
        self.created = created
        self.choiceIndex = choiceIndex
        self.toolChoice = toolChoice
        self.legacyFunctions = legacyFunctions
        self.parallelToolCalls = parallelToolCalls
        self.includeUsage = includeUsage
    }

    /// A fresh completion id: `chatcmpl-` and 29 letters or digits.
    public static func makeID() -> String {
        var id = "chatcmpl-"
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<29 { id.append(ToolCallID.alphabet[Int.random(in: 0..<ToolCallID.alphabet.count, using: &generator)]) }
        return id
    }

    /// The chunks for some events (none after `finish`).
    public mutating func chunks(for events: [StreamEvent]) -> [JSONValue] {
        typedChunks(for: events).map(\.encodedJSON)
    }

    /// The chunks for some events as `ChatCompletionChunk`s (none after `finish`).
    public mutating func typedChunks(for events: [StreamEvent]) -> [ChatCompletionChunk] {
        guard !isFinished else { return [] }
        var chunks: [ChatCompletionChunk] = []
        for event in events {
            switch event {
            case .content(let text):
                guard !text.isEmpty else { continue }
                if !sentRole { chunks.append(roleChunk()) }
                chunks.append(chunk(delta: .init(content: text)))
            case .toolCallStart(let index, let callID, let name):
                callCount += 1
                guard index == 0 || (parallelToolCalls && !legacyFunctions) else { continue }
                var delta = ChatCompletionChunk.Delta()
                if legacyFunctions {
                    delta.functionCall = .init(name: name, arguments: "")
                } else {
                    delta.toolCalls = [.init(index: index, id: callID, type: "function", function: .init(name: name, arguments: ""))]
                }
                addRole(to: &delta)
                chunks.append(chunk(delta: delta))
            case .toolCallArguments(let index, let piece):
                guard !piece.isEmpty, index == 0 || (parallelToolCalls && !legacyFunctions) else { continue }
                if legacyFunctions {
                    chunks.append(chunk(delta: .init(functionCall: .init(arguments: piece))))
                } else {
                    chunks.append(chunk(delta: .init(toolCalls: [.init(index: index, function: .init(arguments: piece))])))
                }
            }
        }
        return chunks
    }

    /// The finish reason these chunks end with, for an engine reason.
    public func finishReason(engine: FinishReason) -> CompletionFinishReason {
        .resolve(engine: engine, madeCalls: callCount > 0, toolChoice: toolChoice, legacyFunctions: legacyFunctions)
    }

    /// The last chunks: the role chunk if nothing was sent yet (empty output), then the finish chunk.
    /// Call after the parser's `finish()` events have gone through `chunks(for:)`.
    public mutating func finish(_ engine: FinishReason) -> [JSONValue] {
        typedFinish(engine).map(\.encodedJSON)
    }

    /// `finish` as `ChatCompletionChunk`s.
    public mutating func typedFinish(_ engine: FinishReason) -> [ChatCompletionChunk] {
        guard !isFinished else { return [] }
        var chunks: [ChatCompletionChunk] = []
        if !sentRole { chunks.append(roleChunk()) }
        chunks.append(chunk(delta: .init(), finishReason: finishReason(engine: engine)))
        isFinished = true
        return chunks
    }

    /// The usage chunk sent after the last choice finished (`stream_options.include_usage`).
    public func usageChunk(_ usage: GenerationUsage) -> JSONValue {
        Self.usageChunk(id: id, model: model, created: created, usage: usage)
    }

    /// The usage chunk of a completion: `choices: []` and `usage`.
    public static func usageChunk(id: String, model: String, created: Int, usage: GenerationUsage) -> JSONValue {
        ChatCompletionChunk(id: id, created: created, model: model, choices: [], usage: CompletionUsage(usage)).encodedJSON
    }

    private mutating func roleChunk() -> ChatCompletionChunk {
        sentRole = true
        return chunk(delta: .init(role: "assistant", content: ""))
    }

    /// The first delta of a turn that starts with a call: `"role": "assistant", "content": null` before the call.
    private mutating func addRole(to delta: inout ChatCompletionChunk.Delta) {
        guard !sentRole else { return }
        sentRole = true
        delta.role = "assistant"
        delta.contentIsNull = true
    }

    private func chunk(delta: ChatCompletionChunk.Delta, finishReason: CompletionFinishReason? = nil) -> ChatCompletionChunk {
        ChatCompletionChunk(
            id: id, created: created, model: model,
            choices: [.init(index: choiceIndex, delta: delta, finishReason: finishReason?.rawValue)], writesNullUsage: includeUsage)
    }
}
