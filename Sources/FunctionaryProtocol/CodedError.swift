/// The codes of one library's errors (`ProtocolErrorCode`, `EngineErrorCode`, `AgentErrorCode`), and the detail
/// that library's errors may carry besides their message.
public protocol ErrorCode: Sendable, Hashable {
    /// What an error may carry besides its code and message (`Never`: nothing).
    associatedtype Detail: Sendable, Hashable = Never
}

/// An error of one of the libraries: a code a program can test, a message a person can act on, and the detail
/// of its kind of code, when there is one (`ProtocolError`, `EngineError`, `AgentError`).
public struct CodedError<Kind: ErrorCode>: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of code (`ProtocolError.Code` is `ProtocolErrorCode`).
    public typealias Code = Kind

    public var code: Code
    /// What went wrong and what to do about it.
    public var message: String
    /// The detail of this kind of error, when there is one (`ProtocolError.param`, `AgentError.status`).
    public var detail: Kind.Detail?

    public init(_ code: Code, _ message: String, detail: Kind.Detail?) {
        self.code = code
        self.message = message
        self.detail = detail
    }

    public var description: String { message }
}

extension CodedError where Kind.Detail == Never {
    public init(_ code: Code, _ message: String) {
        self.init(code, message, detail: nil)
    }
}
