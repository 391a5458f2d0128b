import Testing

@testable import FunctionaryEval
@testable import FunctionaryProtocol

@Suite struct ToolUseScorerTests {
    func call(_ name: String, _ arguments: String) -> FunctionCall { FunctionCall(name: name, arguments: arguments) }

    let weather = ExpectedCall(name: "get_weather", arguments: ["city": ["Paris", "Paris, France"]], optional: ["unit"])

    @Test func exactSingleCallWithNormalisedString() {
        let score = ToolUseScorer.score(
            .calls([weather]), observed: ObservedTurn(calls: [call("get_weather", #"{"city": "  paris "}"#)], content: ""))
        #expect(score.decisionCorrect && score.exact)
    }

    @Test func wrongValueIsDecisionButNotExact() {
        let score = ToolUseScorer.score(.calls([weather]), observed: ObservedTurn(calls: [call("get_weather", #"{"city": "Lyon"}"#)], content: ""))
        #expect(score.decisionCorrect)
        #expect(!score.exact)
        #expect(score.reason.contains("city"))
    }

    @Test func optionalArgumentMayBeAbsentOrPresent() {
        let absent = ToolUseScorer.score(.calls([weather]), observed: ObservedTurn(calls: [call("get_weather", #"{"city": "Paris"}"#)], content: ""))
        let present = ToolUseScorer.score(
            .calls([weather]), observed: ObservedTurn(calls: [call("get_weather", #"{"city": "Paris", "unit": "celsius"}"#)], content: ""))
        #expect(absent.exact && present.exact)
    }

    @Test func unexpectedOrMissingArgumentsFail() {
        let extra = ToolUseScorer.score(
            .calls([weather]), observed: ObservedTurn(calls: [call("get_weather", #"{"city": "Paris", "days": 3}"#)], content: ""))
        let missing = ToolUseScorer.score(.calls([weather]), observed: ObservedTurn(calls: [call("get_weather", "{}")], content: ""))
        #expect(!extra.exact && extra.reason.contains("days"))
        #expect(!missing.exact && missing.reason.contains("missing"))
    }

    @Test func parallelCallsMatchInAnyOrder() {
        let expected: [ExpectedCall] = [
            ExpectedCall(name: "get_price", arguments: ["car": ["Song"]]), ExpectedCall(name: "get_price", arguments: ["car": ["Tang"]]),
        ]
        let swapped = [call("get_price", #"{"car": "tang"}"#), call("get_price", #"{"car": "Song"}"#)]
        #expect(ToolUseScorer.score(.calls(expected), observed: ObservedTurn(calls: swapped, content: "")).exact)
        let twice = [call("get_price", #"{"car": "Song"}"#), call("get_price", #"{"car": "Song"}"#)]
        #expect(!ToolUseScorer.score(.calls(expected), observed: ObservedTurn(calls: twice, content: "")).exact)
        let one = [call("get_price", #"{"car": "Song"}"#)]
        #expect(!ToolUseScorer.score(.calls(expected), observed: ObservedTurn(calls: one, content: "")).exact)
    }

    @Test func numbersCompareByValueButNotAcrossTypes() {
        let expected = ExpectedCall(name: "f", arguments: ["n": [5], "x": [2.5]])
        #expect(ToolUseScorer.score(.calls([expected]), observed: ObservedTurn(calls: [call("f", #"{"n": 5.0, "x": 2.50}"#)], content: "")).exact)
        #expect(!ToolUseScorer.score(.calls([expected]), observed: ObservedTurn(calls: [call("f", #"{"n": "5", "x": 2.5}"#)], content: "")).exact)
    }

    @Test func nestedValuesAndArrays() {
        let expected = ExpectedCall(
            name: "order", arguments: ["items": [.array([["product": "Mouse", "quantity": 2]])], "to": [.array(["a@x.com", "b@y.com"])]])
        let observed = call("order", #"{"to": ["A@x.com", "b@y.com"], "items": [{"quantity": 2, "product": "mouse"}]}"#)
        #expect(ToolUseScorer.score(.calls([expected]), observed: ObservedTurn(calls: [observed], content: "")).exact)
    }

    @Test func noCallCasesAndGroundedAnswers() {
        let small = ToolUseScorer.score(.noCall(answerContains: []), observed: ObservedTurn(calls: [], content: "Hello!"))
        #expect(small.decisionCorrect && small.exact)
        let called = ToolUseScorer.score(.noCall(answerContains: []), observed: ObservedTurn(calls: [call("f", "{}")], content: ""))
        #expect(!called.decisionCorrect && !called.exact)
        let grounded = ToolUseScorer.score(
            .noCall(answerContains: ["21", "Sunny"]), observed: ObservedTurn(calls: [], content: "It is 21 degrees and sunny."))
        #expect(grounded.exact)
        let ungrounded = ToolUseScorer.score(.noCall(answerContains: ["21"]), observed: ObservedTurn(calls: [], content: "It is warm."))
        #expect(ungrounded.decisionCorrect && !ungrounded.exact)
    }

    @Test func answerWhereACallIsExpectedIsAWrongDecision() {
        let score = ToolUseScorer.score(.calls([weather]), observed: ObservedTurn(calls: [], content: "It is sunny in Paris."))
        #expect(!score.decisionCorrect && !score.exact)
    }

    @Test func invalidArgumentsJSONIsNotExact() {
        let score = ToolUseScorer.score(.calls([weather]), observed: ObservedTurn(calls: [call("get_weather", #"{"city": "Par"#)], content: ""))
        #expect(score.decisionCorrect && !score.exact)
    }

    @Test func caseParsingAndReport() throws {
        let line = """
            {"id": "c1", "category": "parallel", "language": "zh", "messages": [{"role": "user", "content": "宋和唐哪个贵？"}],
             "tools": [{"type": "function", "function": {"name": "get_price", "parameters": {"type": "object", "properties": {"car": {"type": "string"}}}}}],
             "expected": {"calls": [{"name": "get_price", "arguments": {"car": ["宋"]}}, {"name": "get_price", "arguments": {"car": ["唐"]}}]}}
            """
        let parsed = try ToolUseCase(json: JSONValue(parsing: line), line: 1)
        #expect(parsed.category == "parallel" && parsed.language == "zh" && parsed.tools.count == 1)
        let noCall = try ToolUseCase(
            json: JSONValue(parsing: #"{"messages": [{"role": "user", "content": "hi"}], "expected": {"no_call": true}}"#), line: 2)
        #expect(noCall.expected == .noCall(answerContains: []))
        #expect(throws: ToolUseCaseError.self) {
            try ToolUseCase(json: JSONValue(parsing: #"{"messages": [{"role": "user", "content": "hi"}], "expected": {}}"#), line: 3)
        }

        var report = ToolUseReport()
        let good = ToolUseScorer.score(
            parsed.expected, observed: ObservedTurn(calls: [call("get_price", #"{"car": "唐"}"#), call("get_price", #"{"car": "宋"}"#)], content: ""))
        report.add(
            .init(id: "c1", category: "parallel", language: "zh", expectedCalls: 2, score: good, observed: ObservedTurn(calls: [], content: "")))
        let bad = ToolUseScorer.score(noCall.expected, observed: ObservedTurn(calls: [call("x", "{}")], content: ""))
        report.add(.init(id: "c2", category: "no_call", language: "en", expectedCalls: 0, score: bad, observed: ObservedTurn(calls: [], content: "")))
        #expect(report.overall.cases == 2 && report.overall.decisions == 1 && report.overall.exact == 1)
        #expect(report.parallelCalls.exactAccuracy == 1)
        #expect(report.headline(language: "zh").all.exact == 1)
        let json = report.json()
        #expect(json["decision_accuracy"]?.numberValue?.doubleValue == 0.5)
        #expect(json["languages"]?["zh"]?["parallel_calls"]?["exact_accuracy"]?.numberValue?.doubleValue == 1)
        #expect(report.summary().contains("language zh"))
        // Call counts: c1 expects two calls and its observed turn has none; c3 expects one and makes one.
        report.add(
            .init(
                id: "c3", category: "single", language: "en", expectedCalls: 1, score: good,
                observed: ObservedTurn(calls: [call("get_price", "{}")], content: "")))
        #expect(report.overall.calling == 2 && report.overall.countRight == 1)
        #expect(report.json()["call_count"]?["accuracy"]?.numberValue?.doubleValue == 0.5)
        #expect(report.summary().contains("calls as many as asked"))
    }
}
