/// An error of the protocol layer: a code a program can test and a message a person can act on.
public typealias ProtocolError = CodedError<ProtocolErrorCode>

/// The codes of `ProtocolError`.
public enum ProtocolErrorCode: String, ErrorCode {
    /// The request field at fault (`messages[3].role`).
    public typealias Detail = String

    case unknownTemplate = "unknown_template"
    case invalidJSON = "invalid_json"
    case invalidRequest = "invalid_request"
    case invalidRole = "invalid_role"
    case invalidToolCallID = "invalid_tool_call_id"
    case invalidToolChoice = "invalid_tool_choice"
    case renderFailed = "render_failed"
}

extension ProtocolError {
    public init(_ code: Code, _ message: String, param: String? = nil) {
        self.init(code, message, detail: param)
    }

    /// The request field at fault, when there is one (`messages[3].role`).
    public var param: String? { detail }
}
