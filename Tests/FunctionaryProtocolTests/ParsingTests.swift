import Testing

@testable import FunctionaryProtocol

/// The twelve request-handling cases of the reference (protocol §7.3) with their raw outputs per template
/// (Appendix A, copied from `tests/test_request_handling.py` of MeetKai/functionary, MIT license).
enum RequestHandlingCases {
    struct Case: Sendable, CustomStringConvertible {
        let number: Int
        let choice: ToolChoice
        let legacyFunctions: Bool
        let text: Bool
        /// Calls expected: names and arguments.
        let calls: [FunctionCall]
        let finish: CompletionFinishReason

        var description: String { "case \(number)" }
    }

    static let text = "Normal text generation"
    static let istanbul = FunctionCall(name: "get_weather", arguments: "{\"location\": \"Istanbul\"}")
    static let singapore = FunctionCall(name: "get_weather", arguments: "{\"location\": \"Singapore\"}")
    static let python = FunctionCall(name: "python", arguments: "from datetime import date\n# Find today's date\ntoday = date.today()\ntoday")

    /// Case order: 1 text/auto, 2 one call, 3 one call (functions), 4 two calls, 5 two calls (functions), 6 text+call,
    /// 7 text/none, 8 named tool, 9 named function, 10 two calls/required, 11 python, 12 text+python.
    /// Finish reasons follow `CompletionFinishReason.resolve`: a named choice keeps `stop` (the server's and OpenAI's
    /// behaviour; the reference unit test computes `tool_calls`/`function_call` itself for cases 8 and 9).
    static let cases: [Case] = [
        Case(number: 1, choice: .auto, legacyFunctions: false, text: true, calls: [], finish: .stop),
        Case(number: 2, choice: .auto, legacyFunctions: false, text: false, calls: [istanbul], finish: .toolCalls),
        Case(number: 3, choice: .auto, legacyFunctions: true, text: false, calls: [istanbul], finish: .functionCall),
        Case(number: 4, choice: .auto, legacyFunctions: false, text: false, calls: [istanbul, singapore], finish: .toolCalls),
        Case(number: 5, choice: .auto, legacyFunctions: true, text: false, calls: [istanbul, singapore], finish: .functionCall),
        Case(number: 6, choice: .auto, legacyFunctions: false, text: true, calls: [istanbul], finish: .toolCalls),
        Case(number: 7, choice: .none, legacyFunctions: false, text: true, calls: [], finish: .stop),
        Case(number: 8, choice: .function("get_weather"), legacyFunctions: false, text: false, calls: [istanbul], finish: .stop),
        Case(number: 9, choice: .function("get_weather"), legacyFunctions: true, text: false, calls: [istanbul], finish: .stop),
        Case(number: 10, choice: .required, legacyFunctions: false, text: false, calls: [istanbul, singapore], finish: .toolCalls),
        Case(number: 11, choice: .auto, legacyFunctions: false, text: false, calls: [python], finish: .toolCalls),
        Case(number: 12, choice: .auto, legacyFunctions: false, text: true, calls: [python], finish: .toolCalls),
    ]

    /// Appendix A: the raw output of each case, per template.
    static let raw: [TemplateVersion: [String]] = [
        .v2: [
            "all\n<|content|>Normal text generation",
            "get_weather\n<|content|>{\"location\": \"Istanbul\"}",
            "get_weather\n<|content|>{\"location\": \"Istanbul\"}",
            "get_weather\n<|content|>{\"location\": \"Istanbul\"}\n<|from|>assistant\n<|recipient|>get_weather\n<|content|>{\"location\": \"Singapore\"}",
            "get_weather\n<|content|>{\"location\": \"Istanbul\"}\n<|from|>assistant\n<|recipient|>get_weather\n<|content|>{\"location\": \"Singapore\"}",
            "all\n<|content|>Normal text generation\n<|from|>assistant\n<|recipient|>get_weather\n<|content|>{\"location\": \"Istanbul\"}",
            "Normal text generation",
            "{\"location\": \"Istanbul\"}",
            "{\"location\": \"Istanbul\"}",
            "get_weather\n<|content|>{\"location\": \"Istanbul\"}\n<|from|>assistant\n<|recipient|>get_weather\n<|content|>{\"location\": \"Singapore\"}",
            "python\n<|content|>from datetime import date\n# Find today's date\ntoday = date.today()\ntoday",
            "all\n<|content|>Normal text generation\n<|from|>assistant\n<|recipient|>python\n<|content|>from datetime import date\n# Find today's date\ntoday = date.today()\ntoday",
        ],
        .v2Llama3: [
            "Normal text generation",
            "<|reserved_special_token_249|>get_weather\n{\"location\": \"Istanbul\"}",
            "<|reserved_special_token_249|>get_weather\n{\"location\": \"Istanbul\"}",
            "<|reserved_special_token_249|>get_weather\n{\"location\": \"Istanbul\"}<|reserved_special_token_249|>get_weather\n{\"location\": \"Singapore\"}",
            "<|reserved_special_token_249|>get_weather\n{\"location\": \"Istanbul\"}<|reserved_special_token_249|>get_weather\n{\"location\": \"Singapore\"}",
            "Normal text generation<|reserved_special_token_249|>get_weather\n{\"location\": \"Istanbul\"}",
            "Normal text generation",
            "{\"location\": \"Istanbul\"}",
            "{\"location\": \"Istanbul\"}",
            "get_weather\n{\"location\": \"Istanbul\"}<|reserved_special_token_249|>get_weather\n{\"location\": \"Singapore\"}",
            "<|reserved_special_token_249|>python\nfrom datetime import date\n# Find today's date\ntoday = date.today()\ntoday",
            "Normal text generation<|reserved_special_token_249|>python\nfrom datetime import date\n# Find today's date\ntoday = date.today()\ntoday",
        ],
        .v3Llama3: [
            "all\nNormal text generation",
            "get_weather\n{\"location\": \"Istanbul\"}",
            "get_weather\n{\"location\": \"Istanbul\"}",
            "get_weather\n{\"location\": \"Istanbul\"}>>>get_weather\n{\"location\": \"Singapore\"}",
            "get_weather\n{\"location\": \"Istanbul\"}>>>get_weather\n{\"location\": \"Singapore\"}",
            "all\nNormal text generation>>>get_weather\n{\"location\": \"Istanbul\"}",
            "Normal text generation",
            "{\"location\": \"Istanbul\"}",
            "{\"location\": \"Istanbul\"}",
            "get_weather\n{\"location\": \"Istanbul\"}>>>get_weather\n{\"location\": \"Singapore\"}",
            "python\nfrom datetime import date\n# Find today's date\ntoday = date.today()\ntoday",
            "all\nNormal text generation>>>python\nfrom datetime import date\n# Find today's date\ntoday = date.today()\ntoday",
        ],
        .v3Llama31: [
            "Normal text generation",
            "<function=get_weather>{\"location\": \"Istanbul\"}</function>",
            "<function=get_weather>{\"location\": \"Istanbul\"}</function>",
            "<function=get_weather>{\"location\": \"Istanbul\"}</function><function=get_weather>{\"location\": \"Singapore\"}</function>",
            "<function=get_weather>{\"location\": \"Istanbul\"}</function><function=get_weather>{\"location\": \"Singapore\"}</function>",
            "Normal text generation<function=get_weather>{\"location\": \"Istanbul\"}</function>",
            "Normal text generation",
            "{\"location\": \"Istanbul\"}</function>",
            "{\"location\": \"Istanbul\"}</function>",
            "get_weather>{\"location\": \"Istanbul\"}</function><function=get_weather>{\"location\": \"Singapore\"}</function>",
            "<|python_tag|>from datetime import date\n# Find today's date\ntoday = date.today()\ntoday",
            "Normal text generation<|python_tag|>from datetime import date\n# Find today's date\ntoday = date.today()\ntoday",
        ],
        .qwen25: [
            "Normal text generation",
            "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"location\": \"Istanbul\"}}\n</tool_call>",
            "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"location\": \"Istanbul\"}}\n</tool_call>",
            "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"location\": \"Istanbul\"}}\n</tool_call>\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"location\": \"Singapore\"}}\n</tool_call>",
            "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"location\": \"Istanbul\"}}\n</tool_call>\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"location\": \"Singapore\"}}\n</tool_call>",
            "Normal text generation\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"location\": \"Istanbul\"}}\n</tool_call>",
            "Normal text generation",
            "\": {\"location\": \"Istanbul\"}}\n</tool_call>",
            "\": {\"location\": \"Istanbul\"}}\n</tool_call>",
            "{\"name\": \"get_weather\", \"arguments\": {\"location\": \"Istanbul\"}}\n</tool_call>\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"location\": \"Singapore\"}}\n</tool_call>",
            "<tool_call>\n{\"name\": \"python\", \"arguments\": {\"code\": \"from datetime import date\\n# Find today's date\\ntoday = date.today()\\ntoday\"}}\n</tool_call>",
            "Normal text generation\n<tool_call>\n{\"name\": \"python\", \"arguments\": {\"code\": \"from datetime import date\\n# Find today's date\\ntoday = date.today()\\ntoday\"}}\n</tool_call>",
        ],
        .gemma3: [
            "Normal text generation",
            "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"location\": \"Istanbul\"}}\n</tool_call>",
            "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"location\": \"Istanbul\"}}\n</tool_call>",
            "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"location\": \"Istanbul\"}}\n</tool_call>\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"location\": \"Singapore\"}}\n</tool_call>",
            "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"location\": \"Istanbul\"}}\n</tool_call>\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"location\": \"Singapore\"}}\n</tool_call>",
            "Normal text generation\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"location\": \"Istanbul\"}}\n</tool_call>",
            "Normal text generation",
            "\": {\"location\": \"Istanbul\"}}\n</tool_call>",
            "\": {\"location\": \"Istanbul\"}}\n</tool_call>",
            "{\"name\": \"get_weather\", \"arguments\": {\"location\": \"Istanbul\"}}\n</tool_call>\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"location\": \"Singapore\"}}\n</tool_call>",
            "<tool_call>\n{\"name\": \"python\", \"arguments\": {\"code\": \"from datetime import date\\n# Find today's date\\ntoday = date.today()\\ntoday\"}}\n</tool_call>",
            "Normal text generation\n<tool_call>\n{\"name\": \"python\", \"arguments\": {\"code\": \"from datetime import date\\n# Find today's date\\ntoday = date.today()\\ntoday\"}}\n</tool_call>",
        ],
    ]

    /// Every (template, case) pair with its raw output.
    static var all: [(TemplateVersion, Case, String)] {
        TemplateVersion.allCases.flatMap { version in
            zip(cases, raw[version] ?? []).map { (version, $0, $1) }
        }
    }
}

/// Compares a parse result with a case's expectation (tool call ids must be fresh `call_` ids).
func expectMatches(_ output: AssistantOutput, _ expected: RequestHandlingCases.Case, _ version: TemplateVersion) {
    #expect(output.content == (expected.text ? RequestHandlingCases.text : nil), "\(version) \(expected)")
    #expect(output.toolCalls.map(\.function) == expected.calls, "\(version) \(expected)")
    for call in output.toolCalls {
        #expect(call.id?.hasPrefix("call_") == true && call.id?.count == 29)
        #expect(call.type == "function")
    }
}

@Suite struct ParsingTests {
    @Test func appendixAHasTwelveOutputsPerTemplate() {
        for version in TemplateVersion.allCases {
            #expect(RequestHandlingCases.raw[version]?.count == 12, "\(version)")
        }
    }

    @Test(arguments: TemplateVersion.allCases)
    func requestHandlingCases(_ version: TemplateVersion) {
        for (caseVersion, expected, raw) in RequestHandlingCases.all where caseVersion == version {
            let output = version.template.parse(raw, toolChoice: expected.choice)
            expectMatches(output, expected, version)
            #expect(
                output.finishReason(engine: .stop, toolChoice: expected.choice, legacyFunctions: expected.legacyFunctions)
                    == expected.finish, "\(version) \(expected)")
            let message = output.responseMessage(legacyFunctions: expected.legacyFunctions)
            if expected.legacyFunctions {
                // §6.4: the first call becomes function_call, the others are dropped.
                #expect(message.functionCall == expected.calls.first)
                #expect(message.toolCalls == nil)
            } else {
                #expect(message.functionCall == nil)
                #expect(message.toolCalls?.map(\.function) == (expected.calls.isEmpty ? nil : expected.calls))
            }
        }
    }

    @Test(arguments: TemplateVersion.allCases)
    func emptyOutputIsNoContentAndNoCalls(_ version: TemplateVersion) {
        for output in ["", "   \n ", version.template.stopTokensForParsing.first ?? ""] {
            let parsed = version.template.parse(output, toolChoice: .auto)
            #expect(parsed.content == nil, "\(version) \(output.debugDescription)")
            #expect(parsed.toolCalls.isEmpty, "\(version) \(output.debugDescription)")
        }
    }

    @Test(arguments: TemplateVersion.allCases)
    func trailingStopTokensAndWhitespaceAreRemoved(_ version: TemplateVersion) {
        let prefix = version == .v2 ? "all\n<|content|>" : (version == .v3Llama3 ? "all\n" : "")
        for stop in version.template.stopTokensForParsing {
            let parsed = version.template.parse("\(prefix)Hello there \n\(stop)  \n", toolChoice: .auto)
            #expect(parsed.content == "Hello there", "\(version) \(stop)")
        }
        // A stop token in the middle is text.
        if let stop = version.template.stopTokensForParsing.first {
            let parsed = version.template.parse("\(prefix)a\(stop)b", toolChoice: .auto)
            #expect(parsed.content == "a\(stop)b", "\(version)")
        }
    }

    /// The parsers keep their own copy of the §3.1 stop tokens and prefixes; once the template reports its stop
    /// tokens (rendering implemented), both must agree.
    @Test(arguments: TemplateVersion.allCases)
    func parserConstantsAgreeWithTheTemplate(_ version: TemplateVersion) {
        let template = version.template
        guard !template.stopTokens.isEmpty else { return }
        #expect(template.stopTokens == template.stopTokensForParsing)
        for choice in [ToolChoice.auto, .none, .required, .function("get_weather")] {
            let opener = version == .v2 ? "<|from|>assistant\n<|recipient|>" : ""
            #expect(opener + template.generationPrefix(for: choice) == template.parsingPrefix(for: choice), "\(version) \(choice)")
        }
    }

    // MARK: v2

    @Test func v2BlockWithoutContentMarkerIsText() {
        let t = TemplateV2()
        #expect(t.parse("get_weather", toolChoice: .auto) == AssistantOutput(content: "get_weather", toolCalls: []))
        #expect(t.parse("Hello there", toolChoice: .auto).content == "Hello there")
        let cut = t.parse("all\n<|content|>Hi\n<|from|>assistant\n<|recipient|>get_wea", toolChoice: .auto)
        #expect(cut.content == "Hi\nget_wea")
        #expect(cut.toolCalls.isEmpty)
        // An empty recipient is not a call: the text after <|recipient|> is content.
        #expect(t.parse("\n<|content|>Hi", toolChoice: .auto).content == "<|content|>Hi")
        // A block without <|recipient|> is text as a whole.
        #expect(t.parse("all\n<|content|>A<|from|>user\nB", toolChoice: .auto).content == "A\nuser\nB")
    }

    /// Choice: later `all` blocks are joined to earlier ones with "\n" (the reference keeps only the last one).
    @Test func v2SeveralTextBlocksAreJoined() {
        let raw =
            "all\n<|content|>First\n<|from|>assistant\n<|recipient|>get_weather\n<|content|>{}\n<|from|>assistant\n<|recipient|>all\n<|content|> Second "
        let parsed = TemplateV2().parse(raw, toolChoice: .auto)
        #expect(parsed.content == "First\nSecond")
        #expect(parsed.toolCalls.map(\.function) == [FunctionCall(name: "get_weather", arguments: "{}")])
    }

    @Test func v2PrefixNames() {
        let t = TemplateV2()
        let parsed = t.parse("get_weather_and_time\n<|content|>{\"a\": 1}<|stop|>", toolChoice: .auto)
        #expect(parsed.toolCalls.map(\.function) == [FunctionCall(name: "get_weather_and_time", arguments: "{\"a\": 1}")])
        #expect(parsed.content == nil)
    }

    // MARK: v2.llama3

    @Test func v2Llama3MalformedCalls() {
        let t = TemplateV2Llama3()
        // Cut off before the newline after the name: text, not a call named "".
        let cut = t.parse("Text<|reserved_special_token_249|>get_wea", toolChoice: .auto)
        #expect(cut == AssistantOutput(content: "Text\nget_wea", toolCalls: []))
        let g = t.parse("Text<|reserved_special_token_249|>g", toolChoice: .auto)
        #expect(g == AssistantOutput(content: "Text\ng", toolCalls: []))
        // A name followed by a newline and nothing is a call with empty arguments.
        let empty = t.parse("<|reserved_special_token_249|>get_time\n<|reserved_special_token_249|>f\n{}", toolChoice: .auto)
        #expect(empty.toolCalls.map(\.function) == [FunctionCall(name: "get_time", arguments: ""), FunctionCall(name: "f", arguments: "{}")])
        #expect(empty.content == nil)
    }

    // MARK: v3.llama3

    @Test func v3Llama3MalformedAndMultipleText() {
        let t = TemplateV3Llama3()
        #expect(t.parse("all", toolChoice: .auto) == AssistantOutput(content: nil, toolCalls: []))
        #expect(t.parse("get_weather", toolChoice: .auto) == AssistantOutput(content: "get_weather", toolCalls: []))
        #expect(t.parse("", toolChoice: .none) == AssistantOutput(content: nil, toolCalls: []))
        let joined = t.parse("all\nOne>>>get_weather\n{}>>>all\nTwo", toolChoice: .auto)
        #expect(joined.content == "One\nTwo")
        #expect(joined.toolCalls.map(\.function) == [FunctionCall(name: "get_weather", arguments: "{}")])
        let shifts = t.parse("all\na >> b >>>> c", toolChoice: .auto)
        #expect(shifts.content == "a >> b\n> c")
    }

    // MARK: v3-llama3.1

    @Test func v3Llama31TextAroundCallsIsKeptUnstripped() {
        let t = TemplateV3Llama31()
        let parsed = t.parse("Hi <function=f>{\"a\": 1}</function> bye", toolChoice: .auto)
        #expect(parsed.content == "Hi  bye")
        #expect(parsed.toolCalls.map(\.function) == [FunctionCall(name: "f", arguments: "{\"a\": 1}")])
        let blank = t.parse("<function=f>{}</function>\n<function=g>{}</function>", toolChoice: .auto)
        #expect(blank.content == nil)
        #expect(blank.toolCalls.count == 2)
    }

    @Test func v3Llama31MalformedCallsAreText() {
        let t = TemplateV3Llama31()
        let noName = "<function=get_weather{\"a\": 1}</function>"
        #expect(t.parse(noName, toolChoice: .auto) == AssistantOutput(content: noName, toolCalls: []))
        let emptyName = "<function=>{}</function>"
        #expect(t.parse(emptyName, toolChoice: .auto) == AssistantOutput(content: emptyName, toolCalls: []))
        let unterminated = "Sure <function=get_weather>{\"location\": \"Ist"
        #expect(t.parse(unterminated, toolChoice: .auto) == AssistantOutput(content: unterminated, toolCalls: []))
        #expect(t.parse("Set function=5", toolChoice: .auto).content == "Set function=5")
        // Named choice, cut off: the prefix is part of the text that could not be read as a call.
        let cut = t.parse("{\"location\": \"Ist", toolChoice: .function("get_weather"))
        #expect(cut.content == "<function=get_weather>{\"location\": \"Ist")
        // python_tag takes everything after it, even <function=.
        let py = t.parse("<|python_tag|>print(1)<function=f>{}</function>", toolChoice: .auto)
        #expect(py.toolCalls.map(\.function) == [FunctionCall(name: "python", arguments: "print(1)<function=f>{}</function>")])
    }

    @Test func v3Llama31StripsWhitespaceBeforeAStopToken() {
        #expect(TemplateV3Llama31().parse("Hi \n<|eom_id|>", toolChoice: .auto).content == "Hi")
    }

    // MARK: qwen2.5 / gemma3

    @Test(arguments: [TemplateVersion.qwen25, .gemma3])
    func toolCallTagMalformedCallsAreText(_ version: TemplateVersion) {
        let t = version.template
        let invalid = "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"location\": }\n</tool_call>"
        #expect(t.parse(invalid, toolChoice: .auto) == AssistantOutput(content: invalid, toolCalls: []))
        let unterminated = "Checking.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"location\": \"Ist"
        #expect(t.parse(unterminated, toolChoice: .auto) == AssistantOutput(content: unterminated, toolCalls: []))
        let noName = "<tool_call>{\"arguments\": {}}</tool_call>"
        #expect(t.parse(noName, toolChoice: .auto).content == noName)
        let list = "<tool_call>[1, 2]</tool_call>"
        #expect(t.parse(list, toolChoice: .auto).content == list)
        // An empty call is dropped, as the reference does.
        #expect(t.parse("<tool_call>\n</tool_call>", toolChoice: .auto) == AssistantOutput(content: nil, toolCalls: []))
        // A <tool_call> opened inside another: the first one is text.
        let nested = t.parse("<tool_call>{\"name\": \"a\"<tool_call>{\"name\": \"b\", \"arguments\": {}}</tool_call>", toolChoice: .auto)
        #expect(nested.content == "<tool_call>{\"name\": \"a\"")
        #expect(nested.toolCalls.map(\.function) == [FunctionCall(name: "b", arguments: "{}")])
    }

    @Test(arguments: [TemplateVersion.qwen25, .gemma3])
    func toolCallTagTextAfterCallsIsKept(_ version: TemplateVersion) {
        let raw = "Before\n<tool_call>\n{\"name\": \"f\", \"arguments\": {}}\n</tool_call>\nAfter"
        let parsed = version.template.parse(raw, toolChoice: .auto)
        #expect(parsed.content == "Before\n\nAfter")
        #expect(parsed.toolCalls.map(\.function) == [FunctionCall(name: "f", arguments: "{}")])
    }

    @Test(arguments: [TemplateVersion.qwen25, .gemma3])
    func toolCallTagArgumentsAreReserialisedAsPython(_ version: TemplateVersion) {
        let t = version.template
        let compact = t.parse(
            "<tool_call>{\"name\":\"f\",\"arguments\":{\"city\":\"\\u6771\\u4eac\",\"n\":[1,2.50,1e5],\"ok\":true,\"x\":null,\"s\":\"a\\/b\"}}</tool_call>",
            toolChoice: .auto)
        #expect(
            compact.toolCalls.first?.function.arguments == "{\"city\": \"東京\", \"n\": [1, 2.5, 100000.0], \"ok\": true, \"x\": null, \"s\": \"a/b\"}")
        // Arguments given as a string holding JSON are read.
        let stringArgs = t.parse("<tool_call>{\"name\": \"f\", \"arguments\": \"{\\\"a\\\":1}\"}</tool_call>", toolChoice: .auto)
        #expect(stringArgs.toolCalls.first?.function.arguments == "{\"a\": 1}")
        // Missing arguments mean none.
        let missing = t.parse("<tool_call>{\"name\": \"get_time\"}</tool_call>", toolChoice: .auto)
        #expect(missing.toolCalls.first?.function == FunctionCall(name: "get_time", arguments: "{}"))
    }

    @Test(arguments: [TemplateVersion.qwen25, .gemma3])
    func toolCallTagPythonCalls(_ version: TemplateVersion) {
        let t = version.template
        let code = t.parse("<tool_call>{\"name\": \"python\", \"arguments\": {\"code\": \"print('é')\\nx = 1\"}}</tool_call>", toolChoice: .auto)
        #expect(code.toolCalls.first?.function == FunctionCall(name: "python", arguments: "print('é')\nx = 1"))
        let raw = t.parse("<tool_call>{\"name\": \"python\", \"arguments\": \"print(1)\"}</tool_call>", toolChoice: .auto)
        #expect(raw.toolCalls.first?.function == FunctionCall(name: "python", arguments: "print(1)"))
        let other = t.parse("<tool_call>{\"name\": \"python\", \"arguments\": {\"script\": \"x\"}}</tool_call>", toolChoice: .auto)
        #expect(other.toolCalls.first?.function == FunctionCall(name: "python", arguments: "{\"script\": \"x\"}"))
    }

    /// `text` without the speaker names of v2 message headers (`<|from|>NAME<|recipient|>`, NAME free of `<|from|>`).
    static func droppingV2Speakers(_ text: String) -> String {
        let segments = text.components(separatedBy: "<|from|>")
        return segments.enumerated().map { index, segment in
            guard index > 0, let recipient = segment.range(of: "<|recipient|>") else { return segment }
            return String(segment[recipient.upperBound...])
        }.joined()
    }

    @Test func randomOutputsNeverCrashNorLoseText() {
        var rng = SplitMix64(seed: 7)
        let pieces = [
            "<|from|>", "<|recipient|>", "<|content|>", "<|stop|>", "<|reserved_special_token_249|>", ">>>", ">", "\n", " ",
            "<function=", "</function>", "<|python_tag|>", "<tool_call>", "</tool_call>", "{", "}", "\"", "all", "python",
            "get_weather", "<|eot_id|>", "<|im_end|>", "<end_of_turn>", "é", "😀", ":", ",", "\"name\"", "\"arguments\"",
        ]
        for _ in 0..<3_000 {
            let output = (0..<Int.random(in: 0...12, using: &rng)).map { _ in pieces.randomElement(using: &rng) ?? "" }.joined()
            for version in TemplateVersion.allCases {
                let parsed = version.template.parse(output, toolChoice: .auto)
                // Never loses text: "é" and "😀" belong to no marker, so each one of the output comes back, in the
                // content or in a call (v2 reads the text before `<|content|>` as the recipient: a name).
                // The one exception is v2's message header: what stands between `<|from|>` and `<|recipient|>` names
                // the speaker, which the parser drops (it is always "assistant").
                let kept = (parsed.content ?? "") + parsed.toolCalls.map { $0.function.name + $0.function.arguments }.joined()
                let payload = version == .v2 ? Self.droppingV2Speakers(output) : output
                for scalar in ["é", "😀"] {
                    #expect(
                        kept.components(separatedBy: scalar).count == payload.components(separatedBy: scalar).count,
                        "\(version): \(output.debugDescription) → \(parsed)")
                }
            }
        }
    }
}

extension PromptTemplate {
    /// The text the parsers put before the output for a tool_choice.
    func parsingPrefix(for choice: ToolChoice) -> String {
        switch version {
        case .v2: return TemplateV2.parsingPrefix(for: choice)
        case .v2Llama3: return TemplateV2Llama3.parsingPrefix(for: choice)
        case .v3Llama3: return TemplateV3Llama3.parsingPrefix(for: choice)
        case .v3Llama31: return TemplateV3Llama31.parsingPrefix(for: choice)
        case .qwen25: return TemplateQwen25.parsingPrefix(for: choice)
        case .gemma3: return TemplateGemma3.parsingPrefix(for: choice)
        }
    }

    /// The stop tokens the parsers remove (the §3.1 table).
    var stopTokensForParsing: [String] {
        switch version {
        case .v2: return TemplateV2.endMarkers
        case .v2Llama3: return TemplateV2Llama3.endMarkers
        case .v3Llama3: return TemplateV3Llama3.endMarkers
        case .v3Llama31: return TemplateV3Llama31.endMarkers
        case .qwen25: return TemplateQwen25.endMarkers
        case .gemma3: return TemplateGemma3.endMarkers
        }
    }
}

/// A small seeded generator (SplitMix64) so random tests are reproducible.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
