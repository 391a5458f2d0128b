import Hummingbird

/// With API keys configured, every request needs `Authorization: Bearer <key>` (401 otherwise), except `/health`
/// and, unless `--protect-metrics`, `/metrics` (open as in llama.cpp's server).
///
/// The check is deny-by-default on the path as the router reads it: empty segments are dropped (the router
/// answers `//v1/chat/completions` like `/v1/chat/completions`), so only a path whose segments are exactly
/// `health` (or `metrics`) is open, and every other spelling of any route needs the key.
struct APIKeyMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext
    let keys: [[UInt8]]
    let protectMetrics: Bool

    init(keys: [String], protectMetrics: Bool) {
        self.keys = keys.map { Array($0.utf8) }
        self.protectMetrics = protectMetrics
    }

    func handle(
        _ request: Request, context: ServerRequestContext, next: (Request, ServerRequestContext) async throws -> Response
    ) async throws -> Response {
        if isOpen(request.uri.path) {
            return try await next(request, context)
        }
        guard let header = request.headers[.authorization] else {
            throw OpenAIError.unauthorized(
                "Missing API key: send it as 'Authorization: Bearer <key>' (the server was started with an API key).")
        }
        let prefix = "Bearer "
        guard header.hasPrefix(prefix), Self.matchesAny(Array(header.utf8.dropFirst(prefix.utf8.count)), keys) else {
            throw OpenAIError.unauthorized("Incorrect API key provided.")
        }
        return try await next(request, context)
    }

    /// Whether a path needs no key: its non-empty segments are exactly `["health"]` (or `["metrics"]`).
    func isOpen(_ path: String) -> Bool {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        guard segments.count == 1 else { return false }
        return segments[0] == "health" || (segments[0] == "metrics" && !protectMetrics)
    }

    /// Compares `candidate` with every key, each comparison without an early exit, so that timing reveals
    /// neither a key nor which key matched.
    static func matchesAny(_ candidate: [UInt8], _ keys: [[UInt8]]) -> Bool {
        var matched = false
        for key in keys {
            let equal = constantTimeEqual(candidate, key)
            matched = matched || equal
        }
        return matched
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
