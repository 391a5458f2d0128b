import FunctionaryProtocol

extension Conversation {
    /// Model turn, tool calls, results, again, until a text answer, `maxSteps` or cancellation.
    func loop(onEvent: @escaping @Sendable (ConversationEvent) -> Void) async throws -> RunEnd {
        let steps = max(1, options.maxSteps)
        for step in 0..<steps {
            if Task.isCancelled { return .cancelled }
            let turn = try await backend.respond(to: turnRequest(step: step)) { event in
                if case .text(let text) = event { onEvent(.textDelta(text)) }
            }
            if Task.isCancelled { return .cancelled }
            if let usage = turn.usage { onEvent(.usage(usage)) }

            var assistant = turn.message
            guard var calls = assistant.toolCalls, !calls.isEmpty else {
                assistant.toolCalls = nil
                messages.append(assistant)
                onEvent(.finalMessage(assistant))
                return .answered
            }
            for index in calls.indices where (calls[index].id ?? "").isEmpty {
                calls[index].id = ToolCallID.make()
            }
            assistant.toolCalls = calls
            for (index, call) in calls.enumerated() {
                onEvent(
                    .toolCallStarted(
                        ToolCallStarted(index: index, id: call.id ?? "", name: call.function.name, arguments: call.function.arguments)))
            }
            let runner = ToolRunner(tools: tools, defaultTimeout: options.toolTimeout)
            let results = await runner.run(calls) { index, result in onEvent(.toolResult(index: index, result)) }
            if Task.isCancelled { return .cancelled }
            messages.append(assistant)
            messages.append(contentsOf: results.map(\.message))
        }
        return .maxStepsReached(steps)
    }

    func turnRequest(step: Int) -> TurnRequest {
        let definitions = tools.map(\.definition)
        return TurnRequest(
            messages: messages, tools: definitions,
            toolChoice: definitions.isEmpty ? nil : (step == 0 ? options.toolChoice : options.followUpToolChoice),
            parallelToolCalls: options.parallelToolCalls, sampling: options.sampling)
    }
}
