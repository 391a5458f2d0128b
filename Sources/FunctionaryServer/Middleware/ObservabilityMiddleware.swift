import Hummingbird
import Logging

/// The outermost middleware: turns every error into OpenAI's error shape (so no client mistake becomes a
/// bare 500), and once the response has been written logs one line for the request and counts it.
struct ObservabilityMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext
    let logger: Logger
    let metrics: ServerMetrics

    func handle(
        _ request: Request, context: ServerRequestContext, next: (Request, ServerRequestContext) async throws -> Response
    ) async throws -> Response {
        let started = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = Self.errorResponse(for: error, logger: logger).response
        }
        let endpoint = context.endpointPath ?? "other"
        let method = request.method.rawValue
        let path = request.uri.path
        let record = context.record
        let logger = self.logger
        let metrics = self.metrics
        let finish: @Sendable (Int) -> Void = { status in
            let duration = ContinuousClock.now - started
            let values = record.snapshot
            let status = values.statusOverride ?? status
            metrics.recordRequest(endpoint: endpoint, status: status, duration: duration)
            var line = "\(method) \(path) id=\(values.id) status=\(status)"
            if let prompt = values.promptTokens, let completion = values.completionTokens {
                line += " prompt_tokens=\(prompt) completion_tokens=\(completion)"
                if let cached = values.cachedPromptTokens, cached > 0 { line += " cached_tokens=\(cached)" }
            }
            line += " time=\(Self.seconds(duration))s"
            logger.info("\(line)")
        }
        let status = response.status.code
        if response.body.contentLength != nil {
            finish(status)
            return response
        }
        // A streamed body: log when it has been written (or failed).
        let body = response.body
        response.body = ResponseBody { writer in
            do {
                try await body.write(writer)
            } catch {
                finish(499)
                throw error
            }
            finish(status)
        }
        return response
    }

    /// The OpenAI-shaped error for anything a handler threw.
    static func errorResponse(for error: any Error, logger: Logger) -> OpenAIError {
        switch error {
        case let error as OpenAIError:
            return error
        case let error as HTTPError:
            switch error.status {
            case .notFound:
                return OpenAIError(status: .notFound, message: "Not found: no such endpoint.", code: "not_found")
            case .methodNotAllowed:
                return OpenAIError(status: .methodNotAllowed, message: "Method not allowed for this endpoint.", code: "method_not_allowed")
            case .contentTooLarge:
                return OpenAIError(status: .contentTooLarge, message: error.body ?? "The request body is too large.", code: "request_too_large")
            default:
                let type = error.status.code < 500 ? "invalid_request_error" : "server_error"
                return OpenAIError(status: error.status, message: error.body ?? error.status.reasonPhrase, type: type)
            }
        case let error as any HTTPResponseError where error.status == .contentTooLarge:
            return OpenAIError(status: .contentTooLarge, message: "The request body is too large.", code: "request_too_large")
        case let error as any HTTPResponseError where error.status.code < 500:
            return OpenAIError(status: error.status, message: error.status.reasonPhrase)
        default:
            logger.error("unexpected error: \(error)")
            return OpenAIError.internalError("Internal server error: \(error)")
        }
    }

    static func seconds(_ duration: Duration) -> String {
        let ms = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        let fraction = String(ms % 1000)
        return "\(ms / 1000)." + String(repeating: "0", count: max(0, 3 - fraction.count)) + fraction
    }
}
