import Hummingbird

/// With `--api-key`, `/v1/*` requests need `Authorization: Bearer <key>` (401 otherwise). `/health` and
/// `/metrics` stay open, as in llama.cpp's server.
struct APIKeyMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext
    let apiKey: String

    func handle(
        _ request: Request, context: ServerRequestContext, next: (Request, ServerRequestContext) async throws -> Response
    ) async throws -> Response {
        guard request.uri.path.hasPrefix("/v1/") || request.uri.path == "/v1" else {
            return try await next(request, context)
        }
        guard let header = request.headers[.authorization] else {
            throw OpenAIError.unauthorized(
                "Missing API key: send it as 'Authorization: Bearer <key>' (the server was started with --api-key).")
        }
        let prefix = "Bearer "
        guard header.hasPrefix(prefix), Self.constantTimeEqual(Array(header.utf8.dropFirst(prefix.utf8.count)), Array(apiKey.utf8))
        else {
            throw OpenAIError.unauthorized("Incorrect API key provided.")
        }
        return try await next(request, context)
    }

    /// Compares without stopping at the first difference, so timing does not reveal the key.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        for i in 0..<max(a.count, b.count) {
            let x = i < a.count ? a[i] : 0
            let y = i < b.count ? b[i] : 0
            difference |= x ^ y
        }
        return difference == 0 && a.count == b.count
    }
}
