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
    /// The tenant id of each key (same order as `keys`), computed once.
    let tenants: [String]
    let protectMetrics: Bool

    init(keys: [String], protectMetrics: Bool) {
        self.keys = keys.map { Array($0.utf8) }
        self.tenants = self.keys.map(Tenant.id(forKey:))
        self.protectMetrics = protectMetrics
    }

    func handle(
        _ request: Request, context: ServerRequestContext, next: (Request, ServerRequestContext) async throws -> Response
    ) async throws -> Response {
        if isOpen(request.uri.path) {
            return try await next(request, context)
        }
        // Anthropic's clients send the key as `x-api-key`; every client may use either header.
        let anthropic = Self.isMessagesAPI(request.uri.path)
        let bearer = request.headers[.authorization]
        let xAPIKey = request.headers.first { $0.name.canonicalName == "x-api-key" }?.value
        guard bearer != nil || xAPIKey != nil else {
            return Self.reject(
                "Missing API key: send it as 'Authorization: Bearer <key>' or 'x-api-key: <key>' (the server was started with an API key).",
                anthropic: anthropic)
        }
        let prefix = "Bearer "
        var matched: Int?
        if let xAPIKey { matched = Self.matchIndex(Array(xAPIKey.utf8), keys) }
        // Both headers sent: the bearer key decides the tenant (as it decides for OpenAI's clients).
        if let bearer, bearer.hasPrefix(prefix), let index = Self.matchIndex(Array(bearer.utf8.dropFirst(prefix.utf8.count)), keys) {
            matched = index
        }
        guard let matched else { return Self.reject("Incorrect API key provided.", anthropic: anthropic) }
        var context = context
        context.tenant = tenants[matched]
        return try await next(request, context)
    }

    /// A 401 in OpenAI's shape, or Anthropic's for the Messages API.
    static func reject(_ message: String, anthropic: Bool) -> Response {
        let error = OpenAIError.unauthorized(message)
        return anthropic ? AnthropicError(error: error).response : error.response
    }

    /// Whether the path, as the router reads it, is under `/v1/messages`.
    static func isMessagesAPI(_ path: String) -> Bool {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        return segments.count >= 2 && segments[0] == "v1" && segments[1] == "messages"
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
        matchIndex(candidate, keys) != nil
    }

    /// The index of the key `candidate` equals (the first, when a key is listed twice), comparing with every key
    /// without an early exit.
    static func matchIndex(_ candidate: [UInt8], _ keys: [[UInt8]]) -> Int? {
        var matched: Int?
        for (index, key) in keys.enumerated() {
            let equal = constantTimeEqual(candidate, key)
            if equal, matched == nil { matched = index }
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
