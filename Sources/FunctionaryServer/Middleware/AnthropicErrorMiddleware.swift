import Hummingbird

/// Answers the `OpenAIError`s that the routes of its group throw in Anthropic's shape (`AnthropicError`): the
/// Messages API's group.
struct AnthropicErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as OpenAIError {
            return AnthropicError(error: error).response
        }
    }
}
