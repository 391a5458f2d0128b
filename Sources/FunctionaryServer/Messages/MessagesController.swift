import FunctionaryProtocol
import Hummingbird

/// Anthropic's Messages API: `POST /v1/messages` and `POST /v1/messages/count_tokens`, with errors in
/// Anthropic's shape. A request is mapped onto the chat request and runs through the same plan, grammar and engine.
struct MessagesController<Engine: TextGenerator>: Sendable {
    let configuration: ServerConfiguration
    let model: ModelHolder<Engine>
    let runner: GenerationRunner

    func addRoutes(to router: Router<ServerRequestContext>) {
        router.post("/v1/messages") { request, context in
            do {
                return try await self.create(request, context: context)
            } catch let error as OpenAIError {
                return AnthropicShapes.errorResponse(error)
            }
        }
        router.post("/v1/messages/count_tokens") { request, context in
            do {
                return try await self.countTokens(request, context: context)
            } catch let error as OpenAIError {
                return AnthropicShapes.errorResponse(error)
            }
        }
    }

    func create(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let started = ContinuousClock.now
        var request = request
        let bytes = try await RequestJSON.collect(&request, limit: configuration.maxBodySize)
        let loaded = try model.requireModel(retryAfter: configuration.retryAfterSeconds)
        // Admitted before the body is parsed, as on every generating route: parsing counts against the same budget.
        let ticket = try runner.admit()
        let body = try MessagesRequest(JSONFields.body(bytes, limits: configuration.limits))
        let plan = try ChatPlan(
            request: body.chatRequest(), configuration: configuration, template: loaded.template, modelNames: configuration.modelNames(loaded),
            contextSize: loaded.engine.contextSize)
        let id = "msg_\(context.record.id)"
        if body.stream {
            let inputTokens = try? await (loaded.engine as? any TokenCounting)?.countTokens(in: plan.generation.prompt)
            let cursor = try runner.start(plan.generation, on: loaded.engine, ticket: ticket, context: context, started: started)
            switch try await runner.firstEvent(cursor, context: context) {
            case .clientGone:
                return GenerationRunner.clientClosedResponse
            case .event(let first):
                let chunker = MessagesStreamChunker(id: id, plan: plan, inputTokens: inputTokens)
                return runner.streamResponse(cursor: cursor, first: first, chunker: chunker, context: context)
            }
        }
        let cursor = try runner.start(plan.generation, on: loaded.engine, ticket: ticket, context: context, started: started)
        guard let collected = try await runner.collect(cursor, choices: 1, context: context) else {
            return GenerationRunner.clientClosedResponse
        }
        let parsed = plan.template.parse(collected.texts[0], toolChoice: plan.resolved.choice)
        let content = AnthropicShapes.content(parsed, parallelToolCalls: plan.parallelToolCalls)
        let madeCalls = content.contains { $0["type"]?.stringValue == "tool_use" }
        let reason = collected.reasons[0] ?? (collected.stoppedByShutdown ? .length : .stop)
        let stop = collected.stopSequences.first ?? nil
        let message = AnthropicShapes.message(
            id: id, model: plan.model, content: content,
            stopReason: AnthropicShapes.stopReason(engine: reason, madeCalls: madeCalls, stopSequence: stop), stopSequence: stop,
            usage: AnthropicShapes.usage(collected.usage))
        return Response.json(message)
    }

    /// `{"input_tokens": N}`: the rendered prompt's tokens (tools included), counted by the engine, or by a one-token
    /// generation where the engine cannot count on its own.
    func countTokens(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let started = ContinuousClock.now
        var request = request
        let bytes = try await RequestJSON.collect(&request, limit: configuration.maxBodySize)
        let loaded = try model.requireModel(retryAfter: configuration.retryAfterSeconds)
        let ticket = try runner.admit()
        let body = try MessagesRequest(JSONFields.body(bytes, limits: configuration.limits), requireMaxTokens: false)
        var plan = try ChatPlan(
            request: body.chatRequest(), configuration: configuration, template: loaded.template, modelNames: configuration.modelNames(loaded),
            contextSize: loaded.engine.contextSize)
        let count: Int
        if let counter = loaded.engine as? any TokenCounting {
            do {
                count = try await counter.countTokens(in: plan.generation.prompt)
            } catch {
                throw OpenAIError.internalError("The engine could not count tokens: \(error)")
            }
        } else {
            plan.generation.sampling.maxTokens = 1
            plan.generation.constraint = nil
            let cursor = try runner.start(plan.generation, on: loaded.engine, ticket: ticket, context: context, started: started)
            guard let collected = try await runner.collect(cursor, choices: 1, context: context) else {
                return GenerationRunner.clientClosedResponse
            }
            count = collected.usage?.promptTokens ?? 0
        }
        ticket.release()
        return Response.json(["input_tokens": .number(JSONNumber(count))])
    }
}
