import FunctionaryAgent
import FunctionaryProtocol
import Synchronization

extension LanguageModelSession {
    /// One response: the conversation's loop under `options`, then the answer decoded by `decode`.
    func run<Content: Sendable>(
        _ prompt: String, schema: GeneratedContent?, options: GenerationOptions,
        onEvent: @escaping @Sendable (ConversationEvent) -> Void, decode: (String) throws -> Content
    ) async throws -> Response<Content> {
        let collected = Locked((results: [ToolResult](), final: ChatMessage?.none, usage: GenerationUsage?.none, failure: Error?.none))
        let start = await conversation.messages.count
        let failFast = options.toolFailure == .throwError
        // The run gets a task of its own, so that a failed tool (with `.throwError`) can stop it.
        let handle = Locked(Task<RunEnd, any Swift.Error>?.none)
        let task = Task {
            try await self.conversation.send(prompt, options: options.conversationOptions(schema: schema)) { event in
                let stop = collected.withLock { state -> Bool in
                    switch event {
                    case .toolResult(_, let result):
                        state.results.append(result)
                        if failFast, result.isError, state.failure == nil {
                            state.failure = .toolFailed(tool: result.name, message: result.output)
                            return true
                        }
                    case .finalMessage(let message): state.final = message
                    case .usage(let usage): state.usage = Self.add(state.usage, usage)
                    default: break
                    }
                    return false
                }
                if stop { handle.withLock { $0?.cancel() } }
                onEvent(event)
            }
        }
        handle.withLock { $0 = task }
        let end: RunEnd
        do {
            end = try await withTaskCancellationHandler {
                try await task.value
            } onCancel: {
                task.cancel()
            }
        } catch {
            if let failure = collected.withLock({ $0.failure }) { throw failure }
            throw Error.from(error)
        }
        let state = collected.withLock { $0 }
        if let failure = state.failure { throw failure }
        switch end {
        case .cancelled: throw Error.cancelled
        case .maxStepsReached(let steps): throw Error.maximumStepsReached(steps)
        case .answered: break
        }
        let text = state.final?.text ?? ""
        let content = try decode(text)
        let messages = await conversation.messages
        return Response(
            content: content, rawText: text, toolResults: state.results,
            transcriptEntries: Transcript(messages: Array(messages[min(start, messages.count)...])).entries, usage: state.usage)
    }

    static func add(_ total: GenerationUsage?, _ usage: GenerationUsage) -> GenerationUsage {
        guard var total else { return usage }
        total.promptTokens += usage.promptTokens
        total.completionTokens += usage.completionTokens
        return total
    }
}
