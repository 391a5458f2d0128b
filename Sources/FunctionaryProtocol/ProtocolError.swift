/// An error of the protocol layer: a code a program can test and a message a person can act on.
public struct ProtocolError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        case unknownTemplate = "unknown_template"
        case invalidJSON = "invalid_json"
        case invalidRequest = "invalid_request"
        case invalidRole = "invalid_role"
        case invalidToolCallID = "invalid_tool_call_id"
        case invalidToolChoice = "invalid_tool_choice"
        case renderFailed = "render_failed"
    }

    public let code: Code
    public let message: String
    /// The request field at fault, when there is one (`messages[3].role`).
    public let param: String?

    public init(_ code: Code, _ message: String, param: String? = nil) {
        self.code = code
        self.message = message
        self.param = param
    }

    public var description: String { message }
}
