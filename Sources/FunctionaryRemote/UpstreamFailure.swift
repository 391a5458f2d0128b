import FunctionaryProtocol

/// Why one attempt on one upstream failed, before it is mapped to a `GenerationError`.
struct UpstreamFailure: Error, Sendable, Hashable, CustomStringConvertible {
    enum Kind: Sendable, Hashable {
        /// The connection could not be made or broke.
        case connection
        /// The upstream stayed silent too long.
        case timeout
        /// The upstream answered with an HTTP error status.
        case status(Int)
        /// The upstream reported an error inside the event stream (with the code it gave, if any).
        case streamError(Int?)
        /// The upstream sent something that is not its protocol.
        case protocolViolation
        /// The stream ended before every choice finished.
        case truncated
    }

    var kind: Kind
    /// The upstream's own message, or ours.
    var message: String
    /// The upstream's `type` or `param` for an error body, when present.
    var errorType: String? = nil
    var param: String? = nil
    /// Extra numbers llama.cpp adds to a context-size error.
    var promptTokens: Int? = nil
    var contextSize: Int? = nil

    var description: String {
        switch kind {
        case .connection: return "connection failed: " + message
        case .timeout: return "timed out: " + message
        case .status(let code): return "HTTP \(code): " + message
        case .streamError(let code): return "error in stream" + (code.map { " (\($0))" } ?? "") + ": " + message
        case .protocolViolation: return "protocol error: " + message
        case .truncated: return "stream ended early: " + message
        }
    }

    /// The status the upstream gave for a rejected request, if it was a client error.
    var clientErrorStatus: Int? {
        switch kind {
        case .status(let code) where code == 400 || code == 413 || code == 422: return code
        case .streamError(let code?) where code == 400 || code == 413 || code == 422: return code
        default: return nil
        }
    }

    /// Whether another upstream may succeed where this one failed (if nothing was streamed yet).
    var isRetryable: Bool { clientErrorStatus == nil }

    /// Whether the failure says the upstream itself is unwell (as opposed to busy or the request bad).
    var marksUnhealthy: Bool {
        switch kind {
        case .connection, .timeout, .truncated, .protocolViolation: return true
        case .status(let code): return code >= 500 || code == 404
        case .streamError(let code): return code.map { $0 >= 500 } ?? false
        }
    }

    /// Reads an error body: OpenAI's `{"error": {…}}`, SGLang's `{"object": "error", "message": …}`,
    /// FastAPI's `{"detail": …}`, or plain text.
    static func fromBody(_ kind: Kind, body: String) -> UpstreamFailure {
        guard let json = try? JSONValue(parsing: body) else {
            let text = body.trimmingWhitespace()
            return UpstreamFailure(kind: kind, message: text.isEmpty ? "no details" : shortened(text))
        }
        return fromJSON(kind, json: json)
    }

    static func fromJSON(_ kind: Kind, json: JSONValue) -> UpstreamFailure {
        let payload: JSONValue
        if let inner = json["error"], inner.objectValue != nil {
            payload = inner
        } else if let message = json["error"]?.stringValue {
            payload = ["message": .string(message)]
        } else {
            payload = json
        }
        let message = payload["message"]?.stringValue ?? payload["detail"]?.pythonStr() ?? json.compactJSON()
        var failure = UpstreamFailure(kind: kind, message: shortened(message))
        failure.errorType = payload["type"]?.stringValue
        failure.param = payload["param"]?.stringValue
        failure.promptTokens = payload["n_prompt_tokens"]?.numberValue?.intValue
        failure.contextSize = payload["n_ctx"]?.numberValue?.intValue
        return failure
    }

    /// The most characters of an upstream's message that are kept (and may reach a client).
    static let maxMessageCharacters = 500

    /// An upstream's message cut to `maxMessageCharacters`, saying how much was left out.
    static func shortened(_ message: String) -> String {
        guard message.count > maxMessageCharacters else { return message }
        return String(message.prefix(maxMessageCharacters)) + "… [\(message.count - maxMessageCharacters) more characters]"
    }

    /// The code an in-stream error payload carries (`"code": 400`).
    static func streamCode(_ json: JSONValue) -> Int? {
        let payload = json["error"]?.objectValue != nil ? json["error"] : json
        return payload?["code"]?.numberValue?.intValue
    }
}
