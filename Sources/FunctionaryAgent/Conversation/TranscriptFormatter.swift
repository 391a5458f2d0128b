import FunctionaryProtocol

/// Formats tool calls for a terminal: `𝑓 name({"arg": …}) -> result`.
public enum TranscriptFormatter {
    /// One line (more for multi-line python code or results) for a finished call.
    /// - Parameter limit: the most characters of the result shown.
    public static func line(for result: ToolResult, limit: Int = 500) -> String {
        "𝑓 \(result.name)(\(arguments(result.arguments, name: result.name))) -> \(shorten(result.output, limit))"
    }

    /// The arguments as compact-with-spaces JSON (`{"location": "Seattle, WA"}`), or as written when they are
    /// not JSON (python code).
    public static func arguments(_ text: String, name: String) -> String {
        if name == "python" { return CodeInterpreter.code(fromArguments: text) }
        guard let value = try? JSONValue(parsing: text) else { return text }
        return value.pythonJSON()
    }

    static func shorten(_ text: String, _ limit: Int) -> String {
        guard text.count > limit else { return text }
        return String(text.prefix(limit)) + "… (\(text.count - limit) more characters)"
    }
}
