import Foundation
import FunctionaryProtocol
import Hummingbird

/// `POST /v1/chat/completions`: OpenAI's chat API with tools, over any `TextGenerator`.
struct ChatCompletionsController<Engine: TextGenerator>: Sendable {
    let pipeline: GenerationPipeline<Engine>

    func addRoutes(to router: Router<ServerRequestContext>) {
        router.post("/v1/chat/completions") { request, context in
            try await pipeline.generate(request, context: context) { admitted in
                let plan = try ChatPlan(body: admitted, configuration: pipeline.configuration)
                return ChatJob(plan: plan, id: "chatcmpl-\(context.record.id)", created: Int(Date.now.timeIntervalSince1970))
            }
        }
    }
}

/// A checked chat completion request, answered with `chat.completion` or its chunks.
struct ChatJob: GenerationJob {
    let plan: ChatPlan
    let id: String
    let created: Int

    var generation: GenerationRequest { plan.generation }
    var stream: Bool { plan.stream }

    func makeChunker() -> ChatStreamChunker { ChatStreamChunker(plan: plan, id: id, created: created) }

    func answer(_ collected: GenerationRunner.Collected) -> JSONValue {
        ChatResponses.completion(id: id, created: created, plan: plan, collected: collected).encodedJSON
    }
}
