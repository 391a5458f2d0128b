import Foundation
import FunctionaryProtocol

/// What a model did in its turn, as far as scoring goes.
public struct ObservedTurn: Sendable, Hashable {
    public var calls: [FunctionCall]
    public var content: String

    public init(calls: [FunctionCall], content: String) {
        self.calls = calls
        self.content = content
    }
}

/// The score of one case.
public struct CaseScore: Sendable, Hashable {
    /// Called when a call was expected, answered in text when none was.
    public var decisionCorrect: Bool
    /// The whole turn right: the same calls (names and arguments, any order), or a text answer with what it must say.
    public var exact: Bool
    /// Why the turn is not exact (empty when it is).
    public var reason: String
}

/// Scores turns against `ToolUseCase` expectations: parallel calls in any order, arguments compared after
/// normalising (an integer where a number is expected is fine, strings trimmed and case-folded, objects by key),
/// optional arguments may be absent.
public enum ToolUseScorer {
    /// Scores one observed turn.
    public static func score(_ expected: ExpectedTurn, observed: ObservedTurn) -> CaseScore {
        switch expected {
        case .noCall(let mustContain):
            guard observed.calls.isEmpty else {
                return CaseScore(
                    decisionCorrect: false, exact: false, reason: "called \(observed.calls.map(\.name).joined(separator: ", ")) instead of answering")
            }
            let text = fold(observed.content)
            if text.isEmpty { return CaseScore(decisionCorrect: true, exact: false, reason: "empty answer") }
            let missing = mustContain.filter { !text.contains(fold($0)) }
            return CaseScore(
                decisionCorrect: true, exact: missing.isEmpty,
                reason: missing.isEmpty ? "" : "answer lacks \(missing.map { "'\($0)'" }.joined(separator: ", "))")
        case .calls(let calls):
            guard !observed.calls.isEmpty else { return CaseScore(decisionCorrect: false, exact: false, reason: "answered without calling") }
            let reason = matchCalls(calls, observed.calls)
            return CaseScore(decisionCorrect: true, exact: reason == nil, reason: reason ?? "")
        }
    }

    /// nil when the observed calls are exactly the expected ones in some order, else why not.
    static func matchCalls(_ expected: [ExpectedCall], _ observed: [FunctionCall]) -> String? {
        if expected.count != observed.count { return "\(observed.count) call(s), expected \(expected.count)" }
        var parsed: [(name: String, arguments: JSONObject)] = []
        for call in observed {
            let text = call.arguments.trimmingCharacters(in: .whitespacesAndNewlines)
            guard let value = try? JSONValue(parsing: text.isEmpty ? "{}" : text), let object = value.objectValue else {
                return "\(call.name): arguments are not a JSON object"
            }
            parsed.append((call.name, object))
        }
        // Small sets (a few calls): find a one-to-one matching by backtracking.
        var used = [Bool](repeating: false, count: parsed.count)
        var firstProblem: String?
        func assign(_ index: Int) -> Bool {
            if index == expected.count { return true }
            for candidate in parsed.indices where !used[candidate] {
                if let problem = argumentProblem(expected[index], parsed[candidate].name, parsed[candidate].arguments) {
                    if firstProblem == nil { firstProblem = problem }
                    continue
                }
                used[candidate] = true
                if assign(index + 1) { return true }
                used[candidate] = false
            }
            return false
        }
        return assign(0) ? nil : (firstProblem ?? "calls do not match")
    }

    /// nil when `arguments` satisfy the expected call.
    static func argumentProblem(_ expected: ExpectedCall, _ name: String, _ arguments: JSONObject) -> String? {
        if name != expected.name { return "called \(name), expected \(expected.name)" }
        for (key, acceptable) in expected.arguments {
            guard let value = arguments[key], !value.isNull else {
                if expected.optional.contains(key) { continue }
                return "\(name): argument '\(key)' missing"
            }
            if !acceptable.contains(where: { equivalent($0, value) }) {
                return "\(name): \(key)=\(value.compactJSON()), expected one of \(JSONValue.array(acceptable).compactJSON())"
            }
        }
        for key in arguments.keys where expected.arguments[key] == nil && !expected.optional.contains(key) {
            return "\(name): unexpected argument '\(key)'"
        }
        return nil
    }

    /// Values equal after normalisation: numbers by value (1 == 1.0), strings trimmed and case-folded, arrays
    /// element by element, objects key by key.
    public static func equivalent(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.number(let x), .number(let y)): return x.doubleValue == y.doubleValue
        case (.string(let x), .string(let y)): return fold(x) == fold(y)
        case (.bool(let x), .bool(let y)): return x == y
        case (.null, .null): return true
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { equivalent($0, $1) }
        case (.object(let x), .object(let y)):
            let xKeys = Set(x.keys.filter { x[$0] != .null })
            let yKeys = Set(y.keys.filter { y[$0] != .null })
            return xKeys == yKeys && xKeys.allSatisfy { key in equivalent(x[key] ?? .null, y[key] ?? .null) }
        default: return false
        }
    }

    /// Trimmed and case-folded (locale-independent).
    static func fold(_ text: String) -> String {
        text.trimmingCharacters(in: .whitespacesAndNewlines).folding(options: [.caseInsensitive], locale: nil)
    }
}
