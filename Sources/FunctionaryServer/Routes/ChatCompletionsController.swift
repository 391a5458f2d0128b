import Foundation
import FunctionaryProtocol
import Hummingbird

/// `POST /v1/chat/completions`: OpenAI's chat API with tools, over any `TextGenerator`.
struct ChatCompletionsController<Engine: TextGenerator>: Sendable {
    let configuration: ServerConfiguration
    let model: ModelHolder<Engine>
    let runner: GenerationRunner

    func addRoutes(to router: Router<ServerRequestContext>) {
        router.post("/v1/chat/completions") { request, context in
            try await self.complete(request, context: context)
        }
    }

    func complete(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let started = ContinuousClock.now
        var request = request
        let body = try await RequestJSON.collect(&request, limit: configuration.maxBodySize)
        let loaded = try model.requireModel(retryAfter: configuration.retryAfterSeconds)
        let ticket = try runner.admit()
        let plan = try ChatPlan(
            body: body, configuration: configuration, template: loaded.template, modelNames: configuration.modelNames(loaded),
            contextSize: loaded.engine.contextSize)
        let cursor = try runner.start(plan.generation, on: loaded.engine, ticket: ticket, context: context, started: started)
        let id = "chatcmpl-\(context.record.id)"
        let created = Int(Date.now.timeIntervalSince1970)
        if plan.stream {
            switch try await runner.firstEvent(cursor, context: context) {
            case .clientGone:
                return GenerationRunner.clientClosedResponse
            case .event(let first):
                let chunker = ChatStreamChunker(plan: plan, id: id, created: created)
                return runner.streamResponse(cursor: cursor, first: first, chunker: chunker, context: context)
            }
        }
        guard let collected = try await runner.collect(cursor, choices: plan.generation.n, context: context) else {
            return GenerationRunner.clientClosedResponse
        }
        let json = ChatResponses.completion(id: id, created: created, plan: plan, collected: collected).encodedJSON
        return Response.json(json)
    }
}

extension Response {
    /// A JSON response with status 200.
    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok, extraHeaders: HTTPFields = [:]) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        headers.append(contentsOf: extraHeaders)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: value.compactJSON())))
    }
}
