import FunctionaryProtocol

/// The chunks of a streamed chat completion: per choice, the template's stream parser turns text deltas into
/// events and the shared `ChatCompletionChunkBuilder` turns them into OpenAI chunks. With
/// `parallel_tool_calls: false` the calls after the first are dropped here, before the builder.
struct ChatStreamChunker: StreamChunker {
    private struct Choice {
        var parser: any StreamParser
        var builder: ChatCompletionChunkBuilder
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
            return choices[index].builder.chunks(for: events)
        case .finished(let index, let reason):
            guard choices.indices.contains(index), !choices[index].builder.isFinished else { return [] }
            return finish(choice: index, reason: reason)
        case .usage:
            return []
        }
    }

    mutating func end(stoppedByShutdown: Bool) -> [JSONValue] {
        var out: [JSONValue] = []
        for index in choices.indices where !choices[index].builder.isFinished {
            out += finish(choice: index, reason: stoppedByShutdown ? .length : .stop)
        }
        return out
    }

    func usageChunk(_ usage: GenerationUsage) -> JSONValue? {
        guard plan.includeUsage else { return Optional.none }
        return ChatCompletionChunkBuilder.usageChunk(id: id, model: plan.model, created: created, usage: usage)
    }

    private mutating func finish(choice index: Int, reason: FinishReason) -> [JSONValue] {
        let events = limit(choices[index].parser.finish())
        return choices[index].builder.chunks(for: events) + choices[index].builder.finish(reason)
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
