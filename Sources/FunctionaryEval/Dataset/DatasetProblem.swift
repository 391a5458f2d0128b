import FunctionaryProtocol

/// A problem found in a training file: the line, a JSON path inside that line's object, and what is
/// wrong. Printed as `LINE: path: message`, e.g. `3: $.messages[4].role: role 'bot' is not allowed; …`.
public struct DatasetProblem: Error, Sendable, Hashable, CustomStringConvertible {
    /// 1-based line number in the JSONL file.
    public var line: Int
    /// `$` for the whole line, `$.messages[4].tool_calls[0].function.arguments.location` for a part of it.
    public var path: String
    public var message: String

    public init(line: Int, path: String, message: String) {
        self.line = line
        self.path = path
        self.message = message
    }

    /// `LINE: path: message`.
    public var description: String { "\(line): \(path): \(message)" }
}
