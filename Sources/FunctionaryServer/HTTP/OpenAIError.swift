import FunctionaryProtocol
import Hummingbird

/// An error as OpenAI's API reports it: `{"error":{"message","type","param","code"}}` with an HTTP status.
/// Every failure the server answers with goes through this type, so clients always get this shape.
public struct OpenAIError: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var message: String
    /// OpenAI's error class: `invalid_request_error`, `authentication_error`, `rate_limit_error`, …
    public var type: String
    /// The request field at fault, when there is one (`messages[0].role`).
    public var param: String?
    /// A short machine-readable code (`model_not_found`, `context_length_exceeded`, …).
    public var code: String?
    /// Seconds for a `Retry-After` header (429, 503).
    public var retryAfter: Int?

    public init(
        status: HTTPResponse.Status, message: String, type: String = "invalid_request_error", param: String? = nil,
        code: String? = nil, retryAfter: Int? = nil
    ) {
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
        self.retryAfter = retryAfter
    }

    public var description: String { "\(status.code) \(message)" }

    /// The `{"error": …}` body.
    public var json: JSONValue {
        [
            "error": [
                "message": .string(message), "type": .string(type), "param": param.map(JSONValue.string) ?? .null,
                "code": code.map(JSONValue.string) ?? .null,
            ]
        ]
    }
}

extension OpenAIError {
    /// 400 for a request the server cannot accept.
    static func badRequest(_ message: String, param: String? = nil, code: String? = nil) -> OpenAIError {
        OpenAIError(status: .badRequest, message: message, param: param, code: code)
    }

    /// 400 for a body that is not JSON.
    static func invalidJSON(_ detail: String) -> OpenAIError {
        badRequest("The request body is not valid JSON: \(detail).", code: "invalid_json")
    }

    /// 404 for a `model` the server does not serve (the reference server's message).
    static func modelNotFound(_ name: String) -> OpenAIError {
        OpenAIError(status: .notFound, message: "The model `\(name)` does not exist.", param: "model", code: "model_not_found")
    }

    /// 413 for a body over the limit.
    static func bodyTooLarge(limit: Int) -> OpenAIError {
        OpenAIError(
            status: .contentTooLarge, message: "The request body is larger than the server's limit of \(limit) bytes.",
            code: "request_too_large")
    }

    /// 401 for a missing or wrong API key.
    static func unauthorized(_ message: String) -> OpenAIError {
        OpenAIError(status: .unauthorized, message: message, type: "authentication_error", code: "invalid_api_key")
    }

    /// 429 when too many requests wait for a slot.
    static func queueFull(_ message: String, retryAfter: Int) -> OpenAIError {
        OpenAIError(
            status: .tooManyRequests, message: message, type: "rate_limit_error", code: "rate_limit_exceeded", retryAfter: retryAfter)
    }

    /// 503 while the model loads or the server shuts down.
    static func unavailable(_ message: String, retryAfter: Int?) -> OpenAIError {
        OpenAIError(status: .serviceUnavailable, message: message, type: "server_error", code: "service_unavailable", retryAfter: retryAfter)
    }

    /// 500 for a failure of the server or engine (never a client mistake).
    static func internalError(_ message: String) -> OpenAIError {
        OpenAIError(status: .internalServerError, message: message, type: "server_error", code: "internal_error")
    }

    /// A protocol-layer rejection (tool_choice, roles, tool_call_id, rendering) as a 400 with its message and field.
    init(_ error: ProtocolError) {
        self = .badRequest(error.message, param: error.param, code: error.code.rawValue)
    }

    /// An engine error with the status that fits it.
    init(_ error: GenerationError, retryAfter: Int) {
        switch error {
        case .contextOverflow:
            self = .badRequest(error.description, param: "messages", code: "context_length_exceeded")
        case .queueFull:
            self = .queueFull(error.description, retryAfter: retryAfter)
        case .invalidConstraint:
            self = .badRequest(error.description, code: "invalid_constraint")
        case .invalidParameter(let name, let message):
            self = .badRequest(message, param: name, code: "invalid_value")
        case .cancelled:
            self = OpenAIError(status: .init(code: 499, reasonPhrase: "Client Closed Request"), message: error.description)
        case .unavailable:
            self = .unavailable(error.description, retryAfter: retryAfter)
        case .engineFailure:
            self = .internalError(error.description)
        }
    }
}

extension OpenAIError: HTTPResponseError {
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        response
    }

    /// The error as an HTTP response.
    var response: Response { response(body: json) }

    /// The error's status and headers (`Retry-After`, `WWW-Authenticate`) with `body`: OpenAI's shape, or another API's.
    func response(body: JSONValue) -> Response {
        var headers: HTTPFields = [:]
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        return JSONResponse(body, status: status, headers: headers).response()
    }
}
