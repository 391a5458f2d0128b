import FunctionaryProtocol
import Hummingbird

/// Anthropic's Messages API: `POST /v1/messages` and `POST /v1/messages/count_tokens`, with errors in
/// Anthropic's shape. A request is mapped onto the chat request and runs through the same plan, grammar and engine.
struct MessagesController<Engine: TextGenerator>: Sendable {
    let pipeline: GenerationPipeline<Engine>

    func addRoutes(to router: Router<ServerRequestContext>) {
        let group = router.group().add(middleware: AnthropicErrorMiddleware())
        group.post("/v1/messages") { request, context in
            try await pipeline.generate(request, context: context) { admitted in
                let body = try MessagesRequest(JSONFields.body(admitted.body, limits: pipeline.configuration.limits))
                let plan = try ChatPlan(body.chatRequest(), for: admitted, configuration: pipeline.configuration)
                // A stream's message_start tells the prompt's size before the engine's usage comes.
                var inputTokens: Int?
                if body.stream, let counter = admitted.loaded.engine as? any TokenCounting {
                    inputTokens = try? await counter.countTokens(in: plan.generation.prompt)
                }
                return MessagesJob(plan: plan, id: "msg_\(context.record.id)", stream: body.stream, inputTokens: inputTokens)
            }
        }
        group.post("/v1/messages/count_tokens") { request, context in
            try await countTokens(request, context: context)
        }
    }

    /// `{"input_tokens": N}`: the rendered prompt's tokens (tools included), counted by the engine, or by a one-token
    /// generation where the engine cannot count on its own.
    func countTokens(_ request: Request, context: ServerRequestContext) async throws -> Response {
        try await pipeline.admit(request) { admitted in
            let body = try MessagesRequest(JSONFields.body(admitted.body, limits: pipeline.configuration.limits), requireMaxTokens: false)
            var plan = try ChatPlan(body.chatRequest(), for: admitted, configuration: pipeline.configuration)
            let count: Int
            if let counter = admitted.loaded.engine as? any TokenCounting {
                do {
                    count = try await counter.countTokens(in: plan.generation.prompt)
                } catch {
                    throw OpenAIError.internalError("The engine could not count tokens: \(error)")
                }
            } else {
                plan.generation.sampling.maxTokens = 1
                plan.generation.constraint = nil
                guard let collected = try await pipeline.collect(plan.generation, for: admitted, context: context) else {
                    return GenerationRunner.clientClosedResponse
                }
                count = collected.usage?.promptTokens ?? 0
            }
            admitted.ticket.release()
            return JSONResponse(["input_tokens": .int(count)]).response()
        }
    }
}

/// A checked Messages request, answered with a `message` object or its events.
struct MessagesJob: GenerationJob {
    let plan: ChatPlan
    let id: String
    let stream: Bool
    /// The prompt's tokens, when the engine could count them (for a stream's `message_start`).
    let inputTokens: Int?

    var generation: GenerationRequest { plan.generation }

    func makeChunker() -> MessagesStreamChunker { MessagesStreamChunker(id: id, plan: plan, inputTokens: inputTokens) }

    func answer(_ collected: GenerationRunner.Collected) -> JSONValue {
        let parsed = plan.template.parse(collected.texts[0], toolChoice: plan.resolved.choice)
        let content = AnthropicShapes.content(parsed, parallelToolCalls: plan.parallelToolCalls)
        let madeCalls = content.contains { $0["type"]?.stringValue == "tool_use" }
        let stop = collected.stopSequences.first ?? nil
        return AnthropicShapes.message(
            id: id, model: plan.model, content: content,
            stopReason: AnthropicShapes.stopReason(engine: collected.reason(0), madeCalls: madeCalls, stopSequence: stop),
            stopSequence: stop, usage: AnthropicShapes.usage(collected.usage))
    }
}
