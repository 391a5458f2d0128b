import FunctionaryProtocol

/// Reads Functionary training files: JSONL, one conversation object per line (protocol §8.1).
public enum DatasetReader {
    /// One line of a JSONL file with its 1-based number.
    public struct Line: Sendable, Hashable {
        public var number: Int
        public var text: String
    }

    /// The lines of a JSONL text. A `\r` before `\n` is dropped; the empty remainder after a final
    /// newline is not a line. Empty lines in between are returned (they are an error for a trainer).
    public static func lines(of text: String) -> [Line] {
        var lines: [Line] = []
        var number = 0
        // Split on U+000A only (Swift `Character`s would merge "\r\n", and U+2028 may appear inside JSON strings).
        for piece in text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            var line = piece
            if line.last == "\r" { line = line.dropLast() }
            lines.append(Line(number: number, text: String(String.UnicodeScalarView(line))))
        }
        if let last = lines.last, last.text.isEmpty { lines.removeLast() }
        return lines
    }

    /// Parses one line into its JSON value, or a problem naming the line and the position.
    public static func parse(_ line: Line) -> Result<JSONValue, DatasetProblem> {
        if line.text.allSatisfy(\.isWhitespace) {
            return .failure(DatasetProblem(line: line.number, path: "$", message: "empty line (every line must be one JSON object)"))
        }
        do {
            return .success(try JSONValue(parsing: line.text))
        } catch let error as JSONParseError {
            return .failure(
                DatasetProblem(line: line.number, path: "$", message: "invalid JSON at column \(error.column): \(error.reason)"))
        } catch {
            return .failure(DatasetProblem(line: line.number, path: "$", message: "invalid JSON: \(error)"))
        }
    }
}

/// One training conversation: the tools (`tools`, or legacy `functions`) and the messages.
public struct DatasetExample: Sendable, Hashable {
    public var tools: [Tool]
    public var messages: [ChatMessage]

    public init(tools: [Tool], messages: [ChatMessage]) {
        self.tools = tools
        self.messages = messages
    }

    /// Decodes a line's object. `tools` wins over `functions` as in the reference trainer; both may
    /// be absent (no tools).
    /// - Throws: `ProtocolError` (`invalidRequest`) naming the field, e.g. `'messages[2].content': expected a string…`.
    public init(json: JSONValue) throws(ProtocolError) {
        guard case .object(let object) = json else {
            throw ProtocolError(.invalidRequest, "expected a JSON object with 'messages', got \(json.typeName)")
        }
        do {
            let raw = try JSONValueDecoder().decode(RawExample.self, from: json)
            self.messages = raw.messages
            // As the reference trainer: `obj["tools"] if "tools" in obj else obj.get("functions", [])`.
            self.tools = object["tools"] != nil ? raw.tools ?? [] : (raw.functions ?? []).map(Tool.init(function:))
        } catch {
            let (path, message) = JSONValueDecoder.describe(error)
            throw ProtocolError(.invalidRequest, message, param: path.isEmpty ? nil : path)
        }
    }

    private struct RawExample: Decodable {
        var messages: [ChatMessage]
        var tools: [Tool]?
        var functions: [FunctionDefinition]?
    }

    /// Positions among the assistant messages (0-based) whose `metadata.masked` is true: the turns
    /// training does not learn (protocol §8.2 step 4).
    public var maskedAssistantOrdinals: Set<Int> {
        var masked: Set<Int> = []
        for (ordinal, message) in messages.filter({ $0.role == "assistant" }).enumerated()
        where message.metadata?["masked"]?.isTruthy == true {
            masked.insert(ordinal)
        }
        return masked
    }
}
