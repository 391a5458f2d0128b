import FunctionaryProtocol

extension Conversation {
    /// Model turn, tool calls, results, again, until a text answer, `maxSteps` or cancellation.
    func loop(onEvent: @escaping @Sendable (ConversationEvent) -> Void) async throws -> RunEnd {
        let steps = max(1, options.maxSteps)
        var answerNow = false
        for step in 0..<steps {
            if Task.isCancelled { return .cancelled }
            let request = turnRequest(step: step, answerNow: answerNow)
            let turn = try await backend.respond(to: request) { event in
                if case .text(let text) = event { onEvent(.textDelta(text)) }
            }
            if Task.isCancelled { return .cancelled }
            if let usage = turn.usage { onEvent(.usage(usage)) }

            var assistant = turn.message
            guard var calls = assistant.toolCalls, !calls.isEmpty else {
                if options.responseFormat != nil, request.responseFormat == nil, step + 1 < steps {
                    // A text answer where a structured one is wanted: ask again, under the schema.
                    answerNow = true
                    continue
                }
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

    /// The request for a turn. With a `responseFormat`, a turn whose tool_choice is `none` (or that offers no
    /// tools, or `answerNow`) carries the schema.
    func turnRequest(step: Int, answerNow: Bool = false) -> TurnRequest {
        let definitions = tools.map(\.definition)
        var choice: ToolChoice? = definitions.isEmpty ? nil : (step == 0 ? options.toolChoice : options.followUpToolChoice)
        if answerNow, choice != nil { choice = ToolChoice.none }
        let structured = options.responseFormat != nil && (choice == nil || choice == ToolChoice.none)
        return TurnRequest(
            messages: messages, tools: definitions, toolChoice: choice, parallelToolCalls: options.parallelToolCalls,
            sampling: options.sampling, responseFormat: structured ? options.responseFormat : nil)
    }
}
