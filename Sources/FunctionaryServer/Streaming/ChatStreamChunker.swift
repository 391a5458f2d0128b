import FunctionaryProtocol

/// The chunks of a streamed chat completion: one template stream parser per choice turns text deltas into
/// content and tool-call deltas, in OpenAI's chunk shapes (legacy `function_call` deltas for `functions`).
struct ChatStreamChunker: StreamChunker {
    private struct Choice {
        var parser: any StreamParser
        /// Parser call index → index sent to the client (calls past the first are dropped when parallel calls are off).
        var callIndexes: [Int: Int] = [:]
        var calls = 0
        var finished = false
    }

    private let encoder: ChatChunkEncoder
    private let plan: ChatPlan
    private var choices: [Choice]

    init(plan: ChatPlan, encoder: ChatChunkEncoder) {
        self.plan = plan
        self.encoder = encoder
        self.choices = (0..<plan.generation.n).map { _ in
            Choice(parser: plan.template.makeStreamParser(toolChoice: plan.resolved.choice))
        }
    }

    mutating func start() -> [JSONValue] {
        choices.indices.map { encoder.role(choice: $0) }
    }

    mutating func handle(_ event: GenerationEvent) -> [JSONValue] {
        switch event {
        case .text(let index, let text):
            guard choices.indices.contains(index), !choices[index].finished else { return [] }
            let events = choices[index].parser.feed(text)
            return chunks(for: events, choice: index)
        case .finished(let index, let reason):
            guard choices.indices.contains(index), !choices[index].finished else { return [] }
            return finish(choice: index, engineReason: reason)
        case .usage:
            return []
        }
    }

    mutating func end(stoppedByShutdown: Bool) -> [JSONValue] {
        var out: [JSONValue] = []
        for index in choices.indices where !choices[index].finished {
            out += finish(choice: index, engineReason: stoppedByShutdown ? .length : .stop)
        }
        return out
    }

    func usageChunk(_ usage: GenerationUsage) -> JSONValue? {
        guard plan.includeUsage else { return Optional.none }
        return encoder.usage(ChatResponses.usage(usage))
    }

    private mutating func finish(choice index: Int, engineReason: FinishReason) -> [JSONValue] {
        var out = chunks(for: choices[index].parser.finish(), choice: index)
        choices[index].finished = true
        let reason = ChatResponses.finishReason(engine: engineReason, calls: choices[index].calls, plan: plan)
        out.append(encoder.finish(choice: index, reason: reason))
        return out
    }

    /// Maps parser events to chunks, merging neighbouring pieces of the same content or arguments.
    private mutating func chunks(for events: [StreamEvent], choice index: Int) -> [JSONValue] {
        var out: [JSONValue] = []
        var pendingContent = ""
        var pendingArguments: (call: Int, text: String)?
        func flush(_ out: inout [JSONValue]) {
            if !pendingContent.isEmpty { out.append(encoder.content(choice: index, pendingContent)) }
            pendingContent = ""
            if let pending = pendingArguments, !pending.text.isEmpty {
                out.append(
                    plan.resolved.legacyFunctions
                        ? encoder.functionCallArguments(choice: index, pending.text)
                        : encoder.toolCallArguments(choice: index, index: pending.call, pending.text))
            }
            pendingArguments = nil
        }
        for event in events {
            switch event {
            case .content(let text):
                if pendingArguments != nil { flush(&out) }
                pendingContent += text
            case .toolCallStart(let parserIndex, let id, let name):
                flush(&out)
                guard choices[index].calls == 0 || plan.parallelToolCalls else { continue }
                let call = choices[index].calls
                choices[index].calls += 1
                choices[index].callIndexes[parserIndex] = call
                out.append(
                    plan.resolved.legacyFunctions
                        ? encoder.functionCallStart(choice: index, name: name)
                        : encoder.toolCallStart(choice: index, index: call, id: id, name: name))
            case .toolCallArguments(let parserIndex, let text):
                guard let call = choices[index].callIndexes[parserIndex] else { continue }
                if !pendingContent.isEmpty || (pendingArguments != nil && pendingArguments?.call != call) { flush(&out) }
                pendingArguments = (call, (pendingArguments?.text ?? "") + text)
            }
        }
        flush(&out)
        return out
    }
}
