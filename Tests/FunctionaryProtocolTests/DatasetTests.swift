import Foundation
import Testing

@testable import FunctionaryEval
@testable import FunctionaryProtocol

/// The reference's fixtures (Fixtures/SOURCE.md), read from the test bundle.
private enum DatasetFixture {
    static func text(_ name: String) throws -> String {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures"))
        return try String(contentsOf: url, encoding: .utf8)
    }

    /// A pretty-printed fixture conversation as one JSONL line.
    static func line(_ name: String) throws -> String {
        try JSONValue(parsing: text(name)).compactJSON()
    }

    /// `prompt_test_V.txt` as the reference's test compares it (trimmed; v2's blank lines folded).
    static func prompt(_ version: TemplateVersion) throws -> String {
        var prompt = try text("prompt_test_\(version.rawValue).txt")
        if version == .v2 { prompt = prompt.replacingOccurrences(of: "\n\n<|from|>", with: "\n<|from|>") }
        return prompt.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// Protocol §3.1: the assistant prefix (training) and stop tokens per template.
private let spanMarkers: [TemplateVersion: (prefix: String, stops: [String])] = [
    .v2: ("<|from|>assistant\n<|recipient|>", ["<|stop|>"]),
    .v2Llama3: ("<|start_header_id|>assistant<|end_header_id|>\n\n", ["<|eot_id|>", "<|end_of_text|>"]),
    .v3Llama3: ("<|start_header_id|>assistant<|end_header_id|>\n\n>>>", ["<|eot_id|>", "<|end_of_text|>"]),
    .v3Llama31: ("<|start_header_id|>assistant<|end_header_id|>\n\n", ["<|eot_id|>", "<|end_of_text|>", "<|eom_id|>"]),
    .qwen25: ("<|im_start|>assistant\n", ["<|im_end|>"]),
    .gemma3: ("<start_of_turn>model\n", ["<end_of_turn>"]),
]

/// Protocol §8.2 item 6: the unmasked spans of test_case.json (assistant turn 5, the first python call, is masked).
private let expectedLlama31Spans = [
    "James Kaplan is the Co-Founder and CEO of MeetKai Inc.<|eot_id|>",
    #"I will get the price of 2 cars and compare<function=get_car_price>{"car_name": "Song"}</function><function=get_car_price>{"car_name": "Tang"}</function><|eom_id|>"#,
    "No, the car Tang is less expensive than the car Song. The car Song is priced at $25,000, while the car Tang is priced at $20,000.<|eot_id|>",
    #"<function=get_weather>{"location": "Hanoi"}</function><|eom_id|>"#,
    "The temperature in Hanoi is: 10 degree Celcious<|eot_id|>",
    "I will fix the code<|python_tag|>l.remove(round(3.6))\nl<|eom_id|>",
    "The final list is: 0,1,2,3,5<|eot_id|>",
    #"<function=get_weather>{"location": "San Francisco, CA"}</function><|eom_id|>"#,
    "The temperature in San Francisco is: 20 degree Celcious<|eot_id|>",
]

private let expectedV2Spans = [
    "all\n<|content|>James Kaplan is the Co-Founder and CEO of MeetKai Inc.<|stop|>",
    "all\n<|content|>I will get the price of 2 cars and compare\n<|from|>assistant\n<|recipient|>get_car_price\n<|content|>"
        + #"{"car_name": "Song"}"# + "\n<|from|>assistant\n<|recipient|>get_car_price\n<|content|>" + #"{"car_name": "Tang"}<|stop|>"#,
    "all\n<|content|>No, the car Tang is less expensive than the car Song. The car Song is priced at $25,000, while the car Tang is priced at $20,000.<|stop|>",
    "get_weather\n<|content|>" + #"{"location": "Hanoi"}<|stop|>"#,
    "all\n<|content|>The temperature in Hanoi is: 10 degree Celcious<|stop|>",
    "all\n<|content|>I will fix the code\n<|from|>assistant\n<|recipient|>python\n<|content|>l.remove(round(3.6))\nl<|stop|>",
    "all\n<|content|>The final list is: 0,1,2,3,5<|stop|>",
    "get_weather\n<|content|>" + #"{"location": "San Francisco, CA"}<|stop|>"#,
    "all\n<|content|>The temperature in San Francisco is: 20 degree Celcious<|stop|>",
]

@Suite struct DatasetReaderTests {
    @Test func splitsLines() {
        let lines = DatasetReader.lines(of: "{\"a\": 1}\r\n\n{\"b\": 2}\n")
        #expect(lines.map(\.number) == [1, 2, 3])
        #expect(lines.map(\.text) == [#"{"a": 1}"#, "", #"{"b": 2}"#])
        #expect(DatasetReader.lines(of: "").isEmpty)
        #expect(DatasetReader.lines(of: "x").map(\.text) == ["x"])
        #expect(DatasetReader.lines(of: "a\u{2028}b\r\nc").map(\.text) == ["a\u{2028}b", "c"])
    }

    @Test func reportsBadLines() {
        let problem = DatasetReader.parse(.init(number: 4, text: #"{"messages": [}"#))
        guard case .failure(let error) = problem else {
            Issue.record("expected a problem")
            return
        }
        #expect(error.description.hasPrefix("4: $: invalid JSON at column 15: "))
        guard case .failure(let empty) = DatasetReader.parse(.init(number: 2, text: "  ")) else {
            Issue.record("expected a problem")
            return
        }
        #expect(empty.description == "2: $: empty line (every line must be one JSON object)")
    }

    @Test func decodesExamples() throws {
        let example = try DatasetExample(json: JSONValue(parsing: DatasetFixture.line("test_case.json")))
        #expect(example.messages.count == 21)
        #expect(example.tools.map(\.callName) == ["get_car_price", "get_weather", "python"])
        #expect(example.maskedAssistantOrdinals == [5])
        let legacy = try DatasetExample(json: JSONValue(parsing: #"{"functions": [{"name": "f"}], "messages": []}"#))
        #expect(legacy.tools.map(\.callName) == ["f"])
        #expect(throws: ProtocolError.self) { try DatasetExample(json: JSONValue(parsing: #"{"messages": [{"role": 1}]}"#)) }
        let bad = try JSONValue(parsing: #"{"messages": [{"role": "user", "content": 5}]}"#)
        do {
            _ = try DatasetExample(json: bad)
            Issue.record("expected an error")
        } catch {
            #expect(error.param == "messages[0].content")
        }
    }
}

@Suite struct DatasetCheckerTests {
    let checker = DatasetChecker()

    @Test func referenceFixturesAreValid() throws {
        let jsonl =
            try [
                DatasetFixture.line("test_case.json"), DatasetFixture.line("test_case_v2.json"),
                DatasetFixture.line("test_case_v2.llama3.json"),
            ].joined(separator: "\n") + "\n"
        #expect(checker.check(jsonl: jsonl).map(\.description) == [])
    }

    @Test func legacyFunctionsAreValid() {
        let line =
            #"{"functions": [{"name": "f", "parameters": {"type": "object", "properties": {"n": {"type": "integer"}}}}], "messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": null, "tool_calls": [{"function": {"name": "f", "arguments": "{\"n\": 2}"}}]}, {"role": "tool", "name": "f", "content": "4"}, {"role": "assistant", "content": "4"}]}"#
        #expect(checker.check(jsonl: line).map(\.description) == [])
    }

    static let tools =
        #"[{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]}}}]"#

    func problems(_ line: String) -> [String] {
        checker.check(jsonl: line).map(\.description)
    }

    @Test func roles() {
        #expect(
            problems(#"{"messages": [{"role": "user", "content": "hi"}, {"role": "bot", "content": "x"}, {"role": "assistant", "content": "ok"}]}"#)
                == ["1: $.messages[1].role: role 'bot' is not allowed; allowed roles are system, user, assistant, tool"])
        #expect(
            problems(#"{"messages": [{"role": "function", "content": "x"}, {"content": "y"}, {"role": 3}, {"role": "assistant", "content": "ok"}]}"#)
                == [
                    "1: $.messages[0].role: role 'function' is not allowed; allowed roles are system, user, assistant, tool",
                    "1: $.messages[1]: missing 'role'",
                    "1: $.messages[2].role: role integer 3 is not allowed; allowed roles are system, user, assistant, tool",
                ])
    }

    @Test func toolCalls() {
        let calls = [
            #"{"function": {"name": "get_time", "arguments": "{}"}}"#,
            #"{"function": {"name": "python", "arguments": "print(1)"}}"#,
            #"{"function": {"name": "get_weather", "arguments": "{\"location\": 5}"}}"#,
            #"{"function": {"name": "get_weather", "arguments": "[1]"}}"#,
            #"{"function": {"name": "get_weather", "arguments": "{}"}}"#,
            #"{"function": {"name": "get_weather", "arguments": {"location": "x"}}}"#,
            #"{"function": {"name": "get_weather", "arguments": "{\"location\": \"Hanoi\"}"}}"#,
        ].joined(separator: ", ")
        let line =
            #"{"tools": \#(Self.tools), "messages": [{"role": "user", "content": "w"}, {"role": "assistant", "content": null, "tool_calls": [\#(calls)]}]}"#
        #expect(
            problems(line) == [
                "1: $.messages[1].tool_calls[0].function.name: calls undeclared tool 'get_time' (declared: get_weather)",
                "1: $.messages[1].tool_calls[1].function.name: calls 'python' but no code_interpreter tool is declared",
                "1: $.messages[1].tool_calls[2].function.arguments.location: expected string, got integer 5 (parameters of get_weather)",
                "1: $.messages[1].tool_calls[3].function.arguments: arguments must be a JSON object, got array [1]",
                "1: $.messages[1].tool_calls[4].function.arguments.location: required property 'location' is missing (parameters of get_weather)",
                #"1: $.messages[1].tool_calls[5].function.arguments: expected a string (JSON text, or code for python), got object {"location":"x"}"#,
            ])
        let invalid =
            #"{"tools": \#(Self.tools), "messages": [{"role": "assistant", "content": null, "tool_calls": [{"function": {"name": "get_weather", "arguments": "{bad"}}]}]}"#
        let found = problems(invalid)
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("1: $.messages[0].tool_calls[0].function.arguments: arguments are not valid JSON (column 2: ") == true)
        let noTools = #"{"messages": [{"role": "assistant", "content": null, "tool_calls": [{"function": {"name": "f", "arguments": "{}"}}]}]}"#
        #expect(problems(noTools) == ["1: $.messages[0].tool_calls[0].function.name: calls undeclared tool 'f' (no tools are declared)"])
    }

    @Test func toolResults() {
        let call =
            #"{"role": "assistant", "content": null, "tool_calls": [{"function": {"name": "get_weather", "arguments": "{\"location\": \"a\"}"}}]}"#
        let line =
            #"{"tools": \#(Self.tools), "messages": [{"role": "user", "content": "w"}, {"role": "tool", "name": "get_weather", "content": "r"}, \#(call), {"role": "tool", "name": "get_time", "content": "r"}, {"role": "tool", "name": "get_weather", "content": "r"}, {"role": "assistant", "content": "done"}, {"role": "tool", "content": "late"}]}"#
        #expect(
            problems(line) == [
                "1: $.messages[1]: tool result does not follow an assistant message with tool calls",
                "1: $.messages[3].name: 'get_time' answers no call of $.messages[2] (calls: get_weather)",
                "1: $.messages[4]: more tool results than the 1 tool call of $.messages[2]",
                "1: $.messages[6]: tool result does not follow an assistant message with tool calls",
            ])
        let twice =
            #"{"tools": \#(Self.tools), "messages": [\#(call), {"role": "tool", "name": "get_weather", "content": "r"}, \#(call), {"role": "tool", "content": 5}]}"#
        #expect(problems(twice) == ["1: $.messages[3].content: expected a string, got integer 5"])
    }

    @Test func masking() {
        #expect(
            problems(
                #"{"messages": [{"role": "user", "content": "q", "metadata": {"masked": true}}, {"role": "assistant", "content": "a", "metadata": {"masked": "yes"}}]}"#
            ) == [
                "1: $.messages[0].metadata.masked: 'masked' is only allowed on assistant messages (this is a user message)",
                #"1: $.messages[1].metadata.masked: expected a boolean, got string "yes""#,
            ])
        #expect(
            problems(#"{"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a", "metadata": {"masked": true}}]}"#)
                == ["1: $.messages: no assistant turn to learn (none, or all masked): training drops this conversation"])
        #expect(
            problems(#"{"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a", "metadata": {"masked": false}}]}"#) == []
        )
    }

    @Test func structure() {
        let jsonl = [
            "[1, 2]",
            #"{"tools": {}, "messages": "x"}"#,
            #"{"messages": [{"role": "system", "content": null}, {"role": "user"}, {"role": "assistant", "content": 5}]}"#,
            "",
            #"{"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": ""}, {"role": "assistant", "content": "a"}]}"#,
            #"{"tools": [{"type": "retrieval"}, {"type": "function", "function": {"name": "f"}}, {"function": {"name": "f"}}, {"type": "function"}], "messages": [{"role": "assistant", "content": "a"}]}"#,
            #"{"tools": [], "functions": [], "messages": []}"#,
            #"{"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]"#,
        ].joined(separator: "\n")
        let found = problems(jsonl)
        #expect(
            Array(found.dropLast()) == [
                "1: $: expected a JSON object with 'messages' (and 'tools'), got array",
                "2: $.tools: expected an array of tools, got object",
                "2: $.messages: expected an array of messages, got string",
                "3: $.messages[0].content: expected a string, got null",
                "3: $.messages[1]: missing 'content'",
                "3: $.messages[2].content: expected a string or null, got integer 5",
                "4: $: empty line (every line must be one JSON object)",
                "5: $.messages[1]: assistant message has neither content nor tool calls: it renders nothing and shifts the training mask",
                #"6: $.tools[0].type: unsupported tool type string "retrieval"; supported: 'function', 'code_interpreter'"#,
                "6: $.tools[2].function.name: function 'f' is declared twice (also at $.tools[1].function)",
                "6: $.tools[3]: a tool of type 'function' needs a 'function' object",
                "7: $.functions: both 'tools' and 'functions' are given; training uses 'tools' and ignores 'functions'",
                "7: $.messages: no messages",
            ])
        #expect(found.last?.hasPrefix("8: $: invalid JSON at column ") == true)
    }
}

@Suite struct DatasetRendererTests {
    /// The label-mask scan on the reference's rendered prompts, for all six templates (needs no rendering code).
    @Test(arguments: TemplateVersion.allCases)
    func spansOfFixturePrompts(version: TemplateVersion) throws {
        let prompt = try DatasetFixture.prompt(version)
        let markers = try #require(spanMarkers[version])
        let spans = DatasetRenderer.trainingSpans(
            in: prompt, assistantPrefix: markers.prefix, stopTokens: markers.stops, maskedOrdinals: [5])
        let rendered = RenderedExample(prompt: prompt, spans: spans)
        let texts = spans.map(rendered.text(of:))
        // 10 assistant messages, the 6th (the first python call) masked.
        #expect(spans.count == 9)
        #expect(spans.map(\.assistantOrdinal) == [0, 1, 2, 3, 4, 6, 7, 8, 9])
        #expect(!texts.contains { $0.contains("l.remove(3.6)") })
        #expect(texts.allSatisfy { text in markers.stops.contains { text.hasSuffix($0) } })
        switch version {
        case .v3Llama31: #expect(texts == expectedLlama31Spans)
        case .v2: #expect(texts == expectedV2Spans)
        case .v2Llama3: #expect(texts.first == "James Kaplan is the Co-Founder and CEO of MeetKai Inc.<|eot_id|>")
        case .v3Llama3:
            #expect(texts.first == "all\nJames Kaplan is the Co-Founder and CEO of MeetKai Inc.<|eot_id|>")
            #expect(texts[3] == "get_weather\n" + #"{"location": "Hanoi"}<|eot_id|>"#)
        case .qwen25: #expect(texts.first == "James Kaplan is the Co-Founder and CEO of MeetKai Inc.<|im_end|>")
        case .gemma3: #expect(texts.first == "James Kaplan is the Co-Founder and CEO of MeetKai Inc.<end_of_turn>")
        }
        // Offsets are Python str indices: the first span starts right after the first assistant prefix.
        let firstPrefix = try #require(prompt.range(of: markers.prefix))
        #expect(spans[0].start == prompt.unicodeScalars[..<firstPrefix.upperBound].count)
        // keep_assistant_prefix moves the starts back by the prefix.
        let kept = DatasetRenderer.trainingSpans(
            in: prompt, assistantPrefix: markers.prefix, stopTokens: markers.stops, maskedOrdinals: [5], keepAssistantPrefix: true)
        #expect(kept.map(\.start) == spans.map { $0.start - markers.prefix.unicodeScalars.count })
    }

    @Test func scanEdgeCases() {
        let prefix = "<a>"
        let stops = ["<e>", "<x>"]
        // Offsets count Unicode scalars: é (1), 😀 (1 scalar, 2 UTF-16 units).
        let prompt = "é😀<a>hi 😀<x>u<a><e>tail<a>never closed"
        let spans = DatasetRenderer.trainingSpans(in: prompt, assistantPrefix: prefix, stopTokens: stops)
        #expect(spans == [TrainingSpan(start: 5, end: 12, assistantOrdinal: 0), TrainingSpan(start: 16, end: 19, assistantOrdinal: 1)])
        let rendered = RenderedExample(prompt: prompt, spans: spans)
        #expect(spans.map(rendered.text(of:)) == ["hi 😀<x>", "<e>"])
        #expect(DatasetRenderer.trainingSpans(in: prompt, assistantPrefix: prefix, stopTokens: stops, maskedOrdinals: [0, 1]) == [])
        #expect(DatasetRenderer.trainingSpans(in: prompt, assistantPrefix: "", stopTokens: stops) == [])
        // A prefix inside a turn is part of that turn (v2's multi-block assistant messages).
        #expect(
            DatasetRenderer.trainingSpans(in: "<a>1<a>2<e><a>3<e>", assistantPrefix: prefix, stopTokens: stops)
                == [TrainingSpan(start: 3, end: 11, assistantOrdinal: 0), TrainingSpan(start: 14, end: 18, assistantOrdinal: 1)])
    }

    /// Streams everything as content (the test template needs a parser, never used).
    struct TextOnlyParser: StreamParser {
        mutating func feed(_ delta: String) -> [StreamEvent] { delta.isEmpty ? [] : [.content(delta)] }
        mutating func finish() -> [StreamEvent] { [] }
    }

    /// A minimal template, so the renderer's plumbing is tested without the real templates.
    struct TagTemplate: PromptTemplate {
        var version: TemplateVersion { .v2 }
        func render(messages: [ChatMessage], tools: [Tool], addGenerationPrompt: Bool) throws(ProtocolError) -> String {
            var out = "[tools:\(tools.map(\.callName).joined(separator: ","))]"
            for message in messages {
                out += "<\(message.role)>\(message.text ?? "")"
                for call in message.toolCalls ?? [] { out += "{\(call.function.name) \(call.function.arguments)}" }
                out += "</s>"
            }
            return out + (addGenerationPrompt ? "<assistant>" : "")
        }
        func generationPrefix(for choice: ToolChoice) -> String { "" }
        var assistantPrefix: String { "<assistant>" }
        var stopTokens: [String] { ["</s>"] }
        func parse(_ output: String, toolChoice: ToolChoice) -> AssistantOutput { AssistantOutput(content: output, toolCalls: []) }
        func makeStreamParser(toolChoice: ToolChoice) -> any StreamParser { TextOnlyParser() }
    }

    @Test func rendersLinesWithMasking() throws {
        let line =
            #"{"tools": [{"type": "code_interpreter"}], "messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a1", "metadata": {"masked": true}}, {"role": "assistant", "content": "ä2"}]}"#
        let renderer = DatasetRenderer(template: TagTemplate())
        let result = try renderer.render(line: .init(number: 1, text: line))
        #expect(result.prompt == "[tools:python]<user>q</s><assistant>a1</s><assistant>ä2</s>")
        #expect(result.spans.map(result.text(of:)) == ["ä2</s>"])
        #expect(result.spans == [TrainingSpan(start: 53, end: 59, assistantOrdinal: 1)])
        do {
            _ = try renderer.render(line: .init(number: 3, text: #"{"messages": [{"role": "bot", "content": "x"}]}"#))
            Issue.record("expected an error for role 'bot'")
        } catch {
            #expect(error.line == 3)
            #expect(error.path == "$.messages[0].role")
            #expect(error.message.contains("'bot'"))
        }
        #expect(
            throws: DatasetProblem(
                line: 2, path: "$.messages[0].content",
                message:
                    "'messages[0].content': expected a string, content must be a string, an array of parts or null")
        ) {
            try renderer.render(line: .init(number: 2, text: #"{"messages": [{"role": "user", "content": 5}]}"#))
        }
    }

    /// The real templates on the reference conversations (needs the rendering implementations).
    @Test(arguments: TemplateVersion.allCases)
    func rendersReferenceConversation(version: TemplateVersion) throws {
        let markers = try #require(spanMarkers[version])
        let template = version.template
        #expect(template.assistantPrefix == markers.prefix)
        #expect(template.stopTokens == markers.stops)
        let renderer = DatasetRenderer(version: version)
        let result = try renderer.render(line: .init(number: 1, text: DatasetFixture.line("test_case.json")))
        var prompt = result.prompt
        if version == .v2 { prompt = prompt.replacingOccurrences(of: "\n\n<|from|>", with: "\n<|from|>") }
        #expect(prompt.trimmingCharacters(in: .whitespacesAndNewlines) == (try DatasetFixture.prompt(version)))
        #expect(result.spans.count == 9)
        let texts = result.spans.map(result.text(of:))
        if version == .v3Llama31 { #expect(texts == expectedLlama31Spans) }
        if version == .v2 { #expect(texts == expectedV2Spans) }
        // test_case_v2.json: 8 assistant messages, the 6th masked.
        let v2Case = try renderer.render(line: .init(number: 1, text: DatasetFixture.line("test_case_v2.json")))
        #expect(v2Case.spans.map(\.assistantOrdinal) == [0, 1, 2, 3, 4, 6, 7])
        #expect(v2Case.spans.map(v2Case.text(of:)).first?.contains("James Kaplan is the Co-Founder and CEO of MeetKai Inc.") == true)
    }
}
