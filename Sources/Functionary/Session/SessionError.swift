import FunctionaryAgent
import FunctionaryProtocol

extension LanguageModelSession {
    /// Why a response failed: switch on it.
    public enum Error: Swift.Error, Sendable, Hashable, CustomStringConvertible {
        /// The prompt and the response do not fit the model's context window.
        case exceededContextWindowSize(String)
        /// A tool threw (with `GenerationOptions.toolFailure` set to `.throwError`).
        case toolFailed(tool: String, message: String)
        /// The model answered in text where a typed value was asked for (a server that ignores `response_format`).
        case refused(String)
        /// The generated JSON does not decode as the type (e.g. cut short by `maximumResponseTokens`).
        case decodingFailed(String)
        /// The model was still calling tools after `maximumSteps` turns.
        case maximumStepsReached(Int)
        /// The task was cancelled.
        case cancelled
        /// The backend failed (an unreachable server, an engine error).
        case backend(String)

        public var description: String {
            switch self {
            case .exceededContextWindowSize(let message): return "context window exceeded: \(message)"
            case .toolFailed(let tool, let message): return "tool \(tool) failed: \(message)"
            case .refused(let text): return "the model did not answer with the requested type: \(text)"
            case .decodingFailed(let message): return "the response does not decode: \(message)"
            case .maximumStepsReached(let steps): return "the model was still calling tools after \(steps) steps"
            case .cancelled: return "cancelled"
            case .backend(let message): return message
            }
        }

        /// The session error for a backend's error.
        static func from(_ error: any Swift.Error) -> Error {
            if let error = error as? Error { return error }
            if error is CancellationError { return .cancelled }
            if let error = error as? GenerationError {
                switch error {
                case .contextOverflow: return .exceededContextWindowSize(String(describing: error))
                case .cancelled: return .cancelled
                default: return .backend(String(describing: error))
                }
            }
            if let error = error as? AgentError {
                let message = error.message.lowercased()
                if error.code == .httpStatus,
                    message.contains("context") && (message.contains("length") || message.contains("window") || message.contains("exceed"))
                {
                    return .exceededContextWindowSize(error.message)
                }
                return .backend(error.message)
            }
            return .backend(String(describing: error))
        }
    }
}
