import FunctionaryProtocol
import Hummingbird

/// An error as Anthropic's Messages API answers it: the status and headers of the `OpenAIError` it wraps, with
/// Anthropic's body (`{"type": "error", "error": {"type", "message"}}`).
struct AnthropicError: HTTPResponseError {
    let error: OpenAIError

    var status: HTTPResponse.Status { error.status }

    /// Anthropic's error type for a status.
    static func errorType(_ status: HTTPResponse.Status) -> String {
        switch status.code {
        case 400: return "invalid_request_error"
        case 401: return "authentication_error"
        case 403: return "permission_error"
        case 404: return "not_found_error"
        case 413: return "request_too_large"
        case 415: return "invalid_request_error"
        case 429: return "rate_limit_error"
        case 503, 529: return "overloaded_error"
        default: return "api_error"
        }
    }

    /// `{"type": "error", "error": {"type", "message"}}`.
    var json: JSONValue {
        ["type": "error", "error": ["type": .string(Self.errorType(error.status)), "message": .string(error.message)]]
    }

    var response: Response { error.response(body: json) }

    func response(from request: Request, context: some RequestContext) -> Response { response }
}
