import FunctionaryProtocol

/// An error of the agent library: a code to branch on and a message a person can act on.
public typealias AgentError = CodedError<AgentErrorCode>

/// What went wrong, broadly: the codes of `AgentError`.
public enum AgentErrorCode: String, ErrorCode {
    /// The HTTP status, for `.httpStatus`.
    public typealias Detail = Int

    /// The server answered with a status other than 200 (the message carries the server's own error message).
    case httpStatus
    /// The server's answer could not be understood (not SSE, not JSON, an error event in the stream).
    case invalidResponse
    /// A connection, a response or a tool did not finish in time.
    case timeout
    /// The backend failed (the engine reported an error, the connection broke).
    case backend
    /// A JSON Schema could not be derived from an arguments type.
    case schema
    /// The code interpreter could not be started.
    case interpreter
    /// A configuration value is out of range (an empty URL, a negative limit).
    case invalidConfiguration
    /// An MCP server could not be started or spoken to.
    case mcp
}

extension AgentError {
    public init(_ code: Code, _ message: String, status: Int? = nil) {
        self.init(code, message, detail: status)
    }

    /// The HTTP status, for `.httpStatus`.
    public var status: Int? { detail }
}
