import FunctionaryProtocol

/// The chunks of a streamed chat completion: per choice, the template's stream parser turns text deltas into
/// events and the shared `ChatCompletionChunkBuilder` turns them into OpenAI chunks. With
/// `parallel_tool_calls: false` the calls after the first are dropped here, before the builder.
struct ChatStreamChunker: StreamChunker {
    private struct Choice {
        var parser: any StreamParser
        var builder: ChatCompletionChunkBuilder
        /// Log probabilities of tokens whose text has not gone out in a chunk yet.
        var logprobs: [TokenLogprobs] = []
    }

    private let plan: ChatPlan
    private let id: String
    private let created: Int
    private var choices: [Choice]

    init(plan: ChatPlan, id: String, created: Int) {
        self.plan = plan
        self.id = id
        self.created = created
        self.choices = (0..<plan.generation.n).map { index in
            Choice(
                parser: plan.template.makeStreamParser(toolChoice: plan.resolved.choice),
                builder: ChatCompletionChunkBuilder(
                    id: id, model: plan.model, created: created, choiceIndex: index, toolChoice: plan.resolved.choice,
                    legacyFunctions: plan.resolved.legacyFunctions, includeUsage: plan.includeUsage))
        }
    }

    mutating func start() -> [JSONValue] { [] }

    mutating func handle(_ event: GenerationEvent) -> [JSONValue] {
        switch event {
        case .text(let index, let text):
            guard choices.indices.contains(index), !choices[index].builder.isFinished else { return [] }
            let events = limit(choices[index].parser.feed(text))
            return attachLogprobs(choice: index, to: choices[index].builder.typedChunks(for: events))
        case .logprobs(let index, let entries):
            guard choices.indices.contains(index), !choices[index].builder.isFinished else { return [] }
            choices[index].logprobs += entries
            return []
        case .finished(let index, let reason):
            guard choices.indices.contains(index), !choices[index].builder.isFinished else { return [] }
            return finish(choice: index, reason: reason)
        case .usage, .stopSequence:
            return []
        }
    }

    mutating func end(unfinishedReason: FinishReason) -> [JSONValue] {
        var out: [JSONValue] = []
        for index in choices.indices where !choices[index].builder.isFinished {
            out += finish(choice: index, reason: unfinishedReason)
        }
        return out
    }

    func usageChunk(_ usage: GenerationUsage) -> JSONValue? {
        guard plan.includeUsage else { return Optional.none }
        return ChatCompletionChunkBuilder.usageChunk(id: id, model: plan.model, created: created, usage: usage)
    }

    private mutating func finish(choice index: Int, reason: FinishReason) -> [JSONValue] {
        let events = limit(choices[index].parser.finish())
        let chunks = choices[index].builder.typedChunks(for: events) + choices[index].builder.typedFinish(reason)
        return attachLogprobs(choice: index, to: chunks)
    }

    /// Puts the choice's waiting log probabilities into the last of its new chunks: a chunk carries the entries of
    /// the tokens whose text reached the stream with it (the parser may hold text back, and markers of tool calls
    /// are no content), so that a stream's entries, in order, are those of the whole completion.
    private mutating func attachLogprobs(choice index: Int, to chunks: [ChatCompletionChunk]) -> [JSONValue] {
        var chunks = chunks
        if !choices[index].logprobs.isEmpty, let last = chunks.indices.last, !chunks[last].choices.isEmpty {
            chunks[last].choices[0].logprobs = ChatLogprobs(choices[index].logprobs)
            choices[index].logprobs.removeAll()
        }
        return chunks.map(\.encodedJSON)
    }

    /// Without parallel calls, only the first call (index 0) and its arguments go out.
    private func limit(_ events: [StreamEvent]) -> [StreamEvent] {
        guard !plan.parallelToolCalls else { return events }
        return events.filter { event in
            switch event {
            case .content: return true
            case .toolCallStart(let index, _, _), .toolCallArguments(let index, _): return index == 0
            }
        }
    }
}
