import Foundation
import FunctionaryProtocol

/// One case of a tool-use evaluation (`functionary eval`): a conversation, the tools offered, and what the
/// model's next turn should do. One JSON object per line:
///
///     {"id": "dev0001-1", "category": "single", "language": "en",
///      "messages": [{"role": "user", "content": "What's the weather in Paris?"}],
///      "tools": [{"type": "function", "function": {...}}],
///      "expected": {"calls": [{"name": "get_weather", "arguments": {"city": ["Paris"]}, "optional": ["unit"]}]}}
///
/// `expected` is either `{"calls": [...]}`, each call with the function's name and, for each argument, the list
/// of acceptable values (`optional` names arguments that may be left out or take any listed value), or
/// `{"no_call": true}`, optionally with `"answer_contains": [...]` (strings the text answer must contain).
/// `category` is one of `single`, `parallel`, `choice`, `no_call`, `grounded` (another name is kept as given).
public struct ToolUseCase: Sendable, Hashable {
    public var id: String
    public var category: String
    /// `en`, `zh` …; empty when not given.
    public var language: String
    public var messages: [ChatMessage]
    public var tools: [Tool]
    public var expected: ExpectedTurn

    public init(id: String, category: String, language: String = "", messages: [ChatMessage], tools: [Tool], expected: ExpectedTurn) {
        self.id = id
        self.category = category
        self.language = language
        self.messages = messages
        self.tools = tools
        self.expected = expected
    }

    /// Reads one case from a JSON object.
    /// - Throws: `ToolUseCaseError` naming the field that is missing or malformed.
    public init(json: JSONValue, line: Int) throws(ToolUseCaseError) {
        func fail(_ message: String) -> ToolUseCaseError { ToolUseCaseError(line: line, message: message) }
        guard let object = json.objectValue else { throw fail("expected a JSON object") }
        id = object["id"]?.stringValue ?? "line\(line)"
        category = object["category"]?.stringValue ?? ""
        language = object["language"]?.stringValue ?? ""
        let decoder = JSONValueDecoder()
        do {
            messages = try decoder.decode([ChatMessage].self, from: object["messages"] ?? .null)
        } catch {
            throw fail("messages: \(JSONValueDecoder.describe(error).message)")
        }
        if messages.isEmpty { throw fail("messages is empty") }
        do {
            tools = try decoder.decode([Tool].self, from: object["tools"] ?? .array([]))
        } catch {
            throw fail("tools: \(JSONValueDecoder.describe(error).message)")
        }
        guard let expectedObject = object["expected"]?.objectValue else { throw fail("expected: missing (an object)") }
        if let calls = expectedObject["calls"] {
            guard let array = calls.arrayValue, !array.isEmpty else { throw fail("expected.calls must be a non-empty array") }
            var parsed: [ExpectedCall] = []
            for (index, call) in array.enumerated() {
                guard let callObject = call.objectValue, let name = callObject["name"]?.stringValue else {
                    throw fail("expected.calls[\(index)]: needs a name")
                }
                var arguments: [String: [JSONValue]] = [:]
                for (key, values) in callObject["arguments"]?.objectValue ?? [:] {
                    guard let list = values.arrayValue, !list.isEmpty else {
                        throw fail("expected.calls[\(index)].arguments.\(key): a non-empty list of acceptable values")
                    }
                    arguments[key] = list
                }
                let optional = (callObject["optional"]?.arrayValue ?? []).compactMap(\.stringValue)
                parsed.append(ExpectedCall(name: name, arguments: arguments, optional: Set(optional)))
            }
            expected = .calls(parsed)
        } else if expectedObject["no_call"]?.boolValue == true {
            expected = .noCall(answerContains: (expectedObject["answer_contains"]?.arrayValue ?? []).compactMap(\.stringValue))
        } else {
            throw fail("expected: needs \"calls\" or \"no_call\": true")
        }
    }
}

/// What the model's turn should be.
public enum ExpectedTurn: Sendable, Hashable {
    /// These calls, in any order, and nothing else.
    case calls([ExpectedCall])
    /// A text answer with no call; it must contain each string (trimmed, case-folded).
    case noCall(answerContains: [String])

    /// Whether a call is expected.
    public var expectsCall: Bool {
        if case .calls = self { return true }
        return false
    }
}

/// An expected function call.
public struct ExpectedCall: Sendable, Hashable {
    public var name: String
    /// For each argument, the acceptable values.
    public var arguments: [String: [JSONValue]]
    /// Arguments that may be absent (a listed one may also be absent when it is named here).
    public var optional: Set<String>

    public init(name: String, arguments: [String: [JSONValue]], optional: Set<String> = []) {
        self.name = name
        self.arguments = arguments
        self.optional = optional
    }
}

/// A case file line that cannot be used.
public struct ToolUseCaseError: Error, Sendable, Hashable, CustomStringConvertible {
    public var line: Int
    public var message: String

    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }

    public var description: String { "line \(line): \(message)" }
}
