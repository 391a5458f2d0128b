import Foundation
import FunctionaryProtocol
import Hummingbird

/// The OpenAI Responses API: `POST /v1/responses` (function tools, streaming, `previous_response_id`),
/// `GET`/`DELETE /v1/responses/{id}` and `GET /v1/responses/{id}/input_items`.
///
/// A request is mapped onto the chat request (`ResponsesRequest.chatRequest`) and runs through the same plan,
/// grammar and engine as `/v1/chat/completions`; only the shapes at the edge differ.
struct ResponsesController<Engine: TextGenerator>: Sendable {
    let pipeline: GenerationPipeline<Engine>
    let store: ResponseStore

    func addRoutes(to router: Router<ServerRequestContext>) {
        router.post("/v1/responses") { request, context in
            try await pipeline.generate(request, context: context) { admitted in try job(admitted, context: context) }
        }
        router.get("/v1/responses/:id") { _, context in
            JSONResponse(try entry(context).response)
        }
        router.delete("/v1/responses/:id") { _, context in
            let id = context.parameters.get("id") ?? ""
            guard self.store.delete(id, tenant: context.tenant) else { throw Self.notFound(id) }
            return JSONResponse(["id": .string(id), "object": "response", "deleted": true])
        }
        router.get("/v1/responses/:id/input_items") { request, context in
            JSONResponse(try Self.inputItemsPage(try entry(context).inputItems, query: request.uri.queryParameters))
        }
    }

    /// The stored response the path's `:id` names, for the request's tenant (404 when there is none).
    private func entry(_ context: ServerRequestContext) throws(OpenAIError) -> ResponseStore.Entry {
        let id = context.parameters.get("id") ?? ""
        guard let entry = store.entry(id, tenant: context.tenant) else { throw Self.notFound(id) }
        return entry
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

    /// Checks a request: its body, the conversation it continues (`previous_response_id`) and the chat plan it maps to.
    func job(_ admitted: AdmittedRequest<Engine>, context: ServerRequestContext) throws(OpenAIError) -> ResponsesJob {
        let configuration = pipeline.configuration
        let body = try ResponsesRequest(JSONFields.body(admitted.body, limits: configuration.limits))
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
            plan = try ChatPlan(body.chatRequest(history: history), for: admitted, configuration: configuration)
        } catch {
            throw Self.renamingChatFields(error)
        }
        let object = ResponseObject(id: "resp_\(context.record.id)", createdAt: Int(Date.now.timeIntervalSince1970), request: body)
        let store = self.store
        let conversation = history + body.inputMessages
        let tenant = context.tenant
        return ResponsesJob(plan: plan, object: object) { response, output in
            guard body.store else { return }
            var chained = conversation
            if let reply = ResponseObject.assistantMessage(output) { chained.append(reply) }
            store.store(id: object.id, tenant: tenant, response: response, inputItems: body.inputItems, conversation: chained)
        }
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

/// A checked Responses request, answered with a `response` object or its events; the finished response is stored.
struct ResponsesJob: GenerationJob {
    let plan: ChatPlan
    let object: ResponseObject
    /// Stores the finished response and its output items (when the request asked for `store`).
    let remember: @Sendable (JSONValue, [JSONValue]) -> Void

    var generation: GenerationRequest { plan.generation }
    var stream: Bool { object.request.stream }

    func makeChunker() -> ResponsesStreamChunker { ResponsesStreamChunker(object: object, plan: plan, onComplete: remember) }

    func answer(_ collected: GenerationRunner.Collected) -> JSONValue {
        let parsed = plan.template.parse(collected.texts[0], toolChoice: plan.resolved.choice)
        let entries =
            object.request.logprobs == nil
            ? []
            : ResponsesLogprobs.content(
                of: collected.logprobs(0), parser: plan.template.makeStreamParser(toolChoice: plan.resolved.choice))
        let output = ResponseObject.outputItems(parsed, parallelToolCalls: plan.parallelToolCalls, logprobs: entries)
        let reason = collected.reason(0)
        let response = object.json(
            status: reason == .length ? "incomplete" : "completed", output: output, usage: collected.usage,
            incompleteReason: reason == .length ? "max_output_tokens" : nil)
        remember(response, output)
        return response
    }
}
