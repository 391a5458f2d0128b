import Foundation
import FunctionaryProtocol
import Hummingbird

/// The OpenAI Responses API: `POST /v1/responses` (function tools, streaming, `previous_response_id`),
/// `GET`/`DELETE /v1/responses/{id}` and `GET /v1/responses/{id}/input_items`.
///
/// A request is mapped onto the chat request (`ResponsesRequest.chatRequest`) and runs through the same plan,
/// grammar and engine as `/v1/chat/completions`; only the shapes at the edge differ.
struct ResponsesController<Engine: TextGenerator>: Sendable {
    let configuration: ServerConfiguration
    let model: ModelHolder<Engine>
    let runner: GenerationRunner
    let store: ResponseStore

    func addRoutes(to router: Router<ServerRequestContext>) {
        router.post("/v1/responses") { request, context in
            try await self.create(request, context: context)
        }
        router.get("/v1/responses/:id") { _, context in
            let id = context.parameters.get("id") ?? ""
            guard let entry = self.store.entry(id, tenant: context.tenant) else { throw Self.notFound(id) }
            return Response.json(entry.response)
        }
        router.delete("/v1/responses/:id") { _, context in
            let id = context.parameters.get("id") ?? ""
            guard self.store.delete(id, tenant: context.tenant) else { throw Self.notFound(id) }
            return Response.json(["id": .string(id), "object": "response", "deleted": true])
        }
        router.get("/v1/responses/:id/input_items") { request, context in
            let id = context.parameters.get("id") ?? ""
            guard let entry = self.store.entry(id, tenant: context.tenant) else { throw Self.notFound(id) }
            return Response.json(try Self.inputItemsPage(entry.inputItems, query: request.uri.queryParameters))
        }
    }

    /// The chat request's field names in an error, as this API spells them (`max_completion_tokens` is
    /// `max_output_tokens` here, `response_format` is `text.format`).
    static func renamingChatFields(_ error: OpenAIError) -> OpenAIError {
        var error = error
        for (chat, responses) in [("max_completion_tokens", "max_output_tokens"), ("response_format", "text.format")] {
            error.message = error.message.replacingOccurrences(of: "'\(chat)", with: "'\(responses)")
            if let param = error.param, param.hasPrefix(chat) { error.param = responses + param.dropFirst(chat.count) }
        }
        return error
    }

    static func notFound(_ id: String) -> OpenAIError {
        OpenAIError(status: .notFound, message: "Response with id '\(id)' not found.", param: "response_id", code: "not_found")
    }

    func create(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let started = ContinuousClock.now
        var request = request
        let bytes = try await RequestJSON.collect(&request, limit: configuration.maxBodySize)
        let loaded = try model.requireModel(retryAfter: configuration.retryAfterSeconds)
        // Admitted before the body is parsed, as on every generating route: parsing counts against the same budget.
        let ticket = try runner.admit()
        let body = try ResponsesRequest(JSONFields.body(bytes, limits: configuration.limits))
        var history: [ChatMessage] = []
        if let previous = body.previousResponseID {
            // Another tenant's response is not found, exactly like one that never existed.
            guard let entry = store.entry(previous, tenant: context.tenant) else {
                throw OpenAIError(
                    status: .notFound, message: "Previous response with id '\(previous)' not found.", param: "previous_response_id",
                    code: "previous_response_not_found")
            }
            history = entry.conversation
        }
        let plan: ChatPlan
        do {
            plan = try ChatPlan(
                request: body.chatRequest(history: history), configuration: configuration, template: loaded.template,
                modelNames: configuration.modelNames(loaded), contextSize: loaded.engine.contextSize)
        } catch {
            throw Self.renamingChatFields(error)
        }
        let cursor = try runner.start(plan.generation, on: loaded.engine, ticket: ticket, context: context, started: started)
        let object = ResponseObject(id: "resp_\(context.record.id)", createdAt: Int(Date.now.timeIntervalSince1970), request: body)
        let store = self.store
        let conversation = history + body.inputMessages
        let tenant = context.tenant
        let remember: @Sendable (JSONValue, [JSONValue]) -> Void = { response, output in
            guard body.store else { return }
            var chained = conversation
            if let reply = ResponseObject.assistantMessage(output) { chained.append(reply) }
            store.store(id: object.id, tenant: tenant, response: response, inputItems: body.inputItems, conversation: chained)
        }
        if body.stream {
            switch try await runner.firstEvent(cursor, context: context) {
            case .clientGone:
                return GenerationRunner.clientClosedResponse
            case .event(let first):
                let chunker = ResponsesStreamChunker(object: object, plan: plan, onComplete: remember)
                return runner.streamResponse(cursor: cursor, first: first, chunker: chunker, context: context)
            }
        }
        guard let collected = try await runner.collect(cursor, choices: 1, context: context) else {
            return GenerationRunner.clientClosedResponse
        }
        let parsed = plan.template.parse(collected.texts[0], toolChoice: plan.resolved.choice)
        let entries =
            body.logprobs == nil || !collected.logprobs.indices.contains(0)
            ? []
            : ResponsesLogprobs.content(
                of: collected.logprobs[0], parser: plan.template.makeStreamParser(toolChoice: plan.resolved.choice))
        let output = ResponseObject.outputItems(parsed, parallelToolCalls: plan.parallelToolCalls, logprobs: entries)
        let reason = collected.reasons[0] ?? (collected.stoppedByShutdown ? .length : .stop)
        let response = object.json(
            status: reason == .length ? "incomplete" : "completed", output: output, usage: collected.usage,
            incompleteReason: reason == .length ? "max_output_tokens" : nil)
        remember(response, output)
        return Response.json(response)
    }

    /// One page of input items: `order` (`desc` by default, as OpenAI lists them), `limit` (1–100, default 20), `after`.
    static func inputItemsPage(_ items: [JSONValue], query: Parameters) throws(OpenAIError) -> JSONValue {
        var list = items
        switch query.get("order") ?? "desc" {
        case "desc": list.reverse()
        case "asc": break
        case let other:
            throw OpenAIError.badRequest("Invalid value for 'order': '\(other)'. Supported values are: 'asc' and 'desc'.", param: "order")
        }
        var limit = 20
        if let text = query.get("limit") {
            guard let value = Int(text), (1...100).contains(value) else {
                throw OpenAIError.badRequest("Invalid value for 'limit': '\(text)'; expected an integer from 1 to 100.", param: "limit")
            }
            limit = value
        }
        if let after = query.get("after") {
            guard let position = list.firstIndex(where: { $0["id"]?.stringValue == after }) else {
                throw OpenAIError.badRequest("No input item with id '\(after)'.", param: "after")
            }
            list.removeFirst(position + 1)
        }
        let page = Array(list.prefix(limit))
        return [
            "object": "list", "data": .array(page), "first_id": page.first?["id"] ?? .null, "last_id": page.last?["id"] ?? .null,
            "has_more": .bool(list.count > page.count),
        ]
    }
}
