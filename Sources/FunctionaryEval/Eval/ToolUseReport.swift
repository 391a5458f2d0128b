import Foundation
import FunctionaryProtocol

/// The scores of an evaluation run, overall and by category and language, as `functionary eval` prints and
/// writes them.
public struct ToolUseReport: Sendable {
    /// One scored case.
    public struct Entry: Sendable, Hashable {
        public var id: String
        public var category: String
        public var language: String
        /// How many calls the case expects (0: no call).
        public var expectedCalls: Int
        public var score: CaseScore
        public var observed: ObservedTurn

        public init(id: String, category: String, language: String, expectedCalls: Int, score: CaseScore, observed: ObservedTurn) {
            self.id = id
            self.category = category
            self.language = language
            self.expectedCalls = expectedCalls
            self.score = score
            self.observed = observed
        }
    }

    /// Counts of one group of cases.
    public struct Tally: Sendable, Hashable {
        public var cases = 0
        public var decisions = 0
        public var exact = 0
        /// Cases that expect one call or more.
        public var calling = 0
        /// Of those, the ones where the model made exactly as many calls as expected (whatever their names).
        public var countRight = 0

        public init() {}

        mutating func add(_ entry: Entry) {
            cases += 1
            if entry.score.decisionCorrect { decisions += 1 }
            if entry.score.exact { exact += 1 }
            if entry.expectedCalls > 0 {
                calling += 1
                if entry.observed.calls.count == entry.expectedCalls { countRight += 1 }
            }
        }

        /// Share of right call/no-call decisions (0 when there are no cases).
        public var decisionAccuracy: Double { cases == 0 ? 0 : Double(decisions) / Double(cases) }
        /// Share of exact turns.
        public var exactAccuracy: Double { cases == 0 ? 0 : Double(exact) / Double(cases) }
        /// Share of the cases that expect calls where the model made as many calls as expected.
        public var callCountAccuracy: Double { calling == 0 ? 0 : Double(countRight) / Double(calling) }
    }

    public private(set) var entries: [Entry] = []

    public init() {}

    public mutating func add(_ entry: Entry) { entries.append(entry) }

    /// All cases.
    public var overall: Tally { tally(entries) }
    /// Cases that expect exactly one call.
    public var singleCall: Tally { tally(entries.filter { $0.expectedCalls == 1 }) }
    /// Cases that expect two calls or more.
    public var parallelCalls: Tally { tally(entries.filter { $0.expectedCalls >= 2 }) }
    /// By `category`, sorted by name.
    public var byCategory: [(String, Tally)] { grouped(\.category) }
    /// By `language`, sorted by name.
    public var byLanguage: [(String, Tally)] { grouped(\.language) }

    /// Tallies of the cases in one language, by the headline groups (for the per-language lines).
    public func headline(language: String?) -> (all: Tally, single: Tally, parallel: Tally) {
        let cases = entries.filter { language == nil || $0.language == language }
        return (tally(cases), tally(cases.filter { $0.expectedCalls == 1 }), tally(cases.filter { $0.expectedCalls >= 2 }))
    }

    private func tally(_ entries: [Entry]) -> Tally {
        var tally = Tally()
        for entry in entries { tally.add(entry) }
        return tally
    }

    private func grouped(_ key: KeyPath<Entry, String>) -> [(String, Tally)] {
        var groups: [String: Tally] = [:]
        for entry in entries { groups[entry[keyPath: key], default: Tally()].add(entry) }
        return groups.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// The report as JSON: headline accuracies, per category and language, and every case's outcome.
    public func json(metadata: JSONObject = [:]) -> JSONValue {
        func number(_ value: Double) -> JSONValue { .number(JSONNumber(literal: String(format: "%.4f", value))) }
        func object(_ tally: Tally) -> JSONValue {
            [
                "cases": .number(JSONNumber(tally.cases)), "decision_accuracy": number(tally.decisionAccuracy),
                "exact_accuracy": number(tally.exactAccuracy),
            ]
        }
        var root = metadata
        root["cases"] = .number(JSONNumber(entries.count))
        root["decision_accuracy"] = number(overall.decisionAccuracy)
        root["exact_accuracy"] = number(overall.exactAccuracy)
        root["call_count"] = [
            "cases": .number(JSONNumber(overall.calling)), "accuracy": number(overall.callCountAccuracy),
        ]
        root["single_call"] = object(singleCall)
        root["parallel_calls"] = object(parallelCalls)
        root["categories"] = .object(JSONObject(byCategory.map { ($0.0, object($0.1)) }))
        var languages: [(String, JSONValue)] = []
        for (language, _) in byLanguage {
            let groups = headline(language: language)
            languages.append(
                (language, ["all": object(groups.all), "single_call": object(groups.single), "parallel_calls": object(groups.parallel)]))
        }
        root["languages"] = .object(JSONObject(languages))
        root["results"] = .array(
            entries.map { entry in
                [
                    "id": .string(entry.id), "category": .string(entry.category), "language": .string(entry.language),
                    "decision_correct": .bool(entry.score.decisionCorrect), "exact": .bool(entry.score.exact),
                    "reason": .string(entry.score.reason),
                    "calls": .array(entry.observed.calls.map { ["name": .string($0.name), "arguments": .string($0.arguments)] }),
                    "content": .string(entry.observed.content),
                ]
            })
        return .object(root)
    }

    /// A table for the terminal.
    public func summary() -> String {
        func percent(_ value: Double) -> String { String(format: "%5.1f%%", value * 100) }
        func line(_ label: String, _ tally: Tally) -> String {
            label.padding(toLength: 22, withPad: " ", startingAt: 0) + String(format: "%4d", tally.cases) + "   decision "
                + percent(tally.decisionAccuracy) + "   exact " + percent(tally.exactAccuracy)
        }
        var lines = [line("all", overall), line("single call", singleCall), line("parallel calls", parallelCalls)]
        lines.append(
            "calls as many as asked".padding(toLength: 22, withPad: " ", startingAt: 0) + String(format: "%4d", overall.calling)
                + "   " + percent(overall.callCountAccuracy))
        for (category, tally) in byCategory { lines.append(line("  category " + category, tally)) }
        for (language, _) in byLanguage where !language.isEmpty {
            let groups = headline(language: language)
            lines.append(line("  language " + language, groups.all))
            lines.append(line("    single call", groups.single))
            lines.append(line("    parallel calls", groups.parallel))
        }
        return lines.joined(separator: "\n")
    }
}
