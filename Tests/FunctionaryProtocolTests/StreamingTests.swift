import Testing

@testable import FunctionaryProtocol

/// What a stream parser produced, put together: content is the concatenation of the content events, a call's
/// arguments the concatenation of its argument events.
struct StreamedOutput: Equatable, CustomStringConvertible {
    var content = ""
    var calls: [FunctionCall] = []
    var ids: [String] = []
    /// Violations of the event protocol (indices out of order, empty pieces, arguments for an unknown call).
    var problems: [String] = []

    mutating func apply(_ events: [StreamEvent]) {
        for event in events {
            switch event {
            case .content(let text):
                if text.isEmpty { problems.append("empty content event") }
                content += text
            case .toolCallStart(let index, let id, let name):
                if index != calls.count { problems.append("call index \(index), expected \(calls.count)") }
                if !id.hasPrefix("call_") || id.count != 29 { problems.append("bad id \(id)") }
                if name.isEmpty { problems.append("empty call name") }
                calls.append(FunctionCall(name: name, arguments: ""))
                ids.append(id)
            case .toolCallArguments(let index, let piece):
                if piece.isEmpty { problems.append("empty arguments event") }
                if index != calls.count - 1 { problems.append("arguments for call \(index) while \(calls.count - 1) is open") }
                if calls.indices.contains(index) { calls[index].arguments += piece }
            }
        }
    }

    var description: String { "content: \(content.debugDescription), calls: \(calls), problems: \(problems)" }
}

/// Streams `deltas` through a fresh parser.
func streamOutput(_ version: TemplateVersion, _ choice: ToolChoice, _ deltas: [String]) -> StreamedOutput {
    var parser = version.template.makeStreamParser(toolChoice: choice)
    var out = StreamedOutput()
    for delta in deltas { out.apply(parser.feed(delta)) }
    out.apply(parser.finish())
    out.apply(parser.finish())  // a second finish adds nothing
    return out
}

/// The property every split must satisfy: the streamed content equals `parse`'s content, with `nil` read as `""`
/// (`parse` never returns `""`), and the calls have the same names and arguments in the same order.
/// Returns a description of the difference, or `nil` when they agree.
func streamMismatch(_ version: TemplateVersion, _ choice: ToolChoice, _ deltas: [String], parsed: AssistantOutput? = nil) -> String? {
    let parsed = parsed ?? version.template.parse(deltas.joined(), toolChoice: choice)
    let streamed = streamOutput(version, choice, deltas)
    // Compared scalar by scalar: `String ==` would accept canonically equivalent but different text.
    let sameContent = Array(streamed.content.unicodeScalars) == Array((parsed.content ?? "").unicodeScalars)
    let sameCalls =
        streamed.calls.count == parsed.toolCalls.count
        && zip(streamed.calls, parsed.toolCalls).allSatisfy {
            Array($0.name.unicodeScalars) == Array($1.function.name.unicodeScalars)
                && Array($0.arguments.unicodeScalars) == Array($1.function.arguments.unicodeScalars)
        }
    if parsed.content != "" && sameContent && sameCalls && streamed.problems.isEmpty {
        return nil
    }
    return
        "\(version) \(choice) deltas \(deltas.map(\.debugDescription)): parse \(parsed.content.debugDescription) \(parsed.toolCalls.map(\.function)) vs stream \(streamed)"
}

/// Splits of a string at every scalar offset into two pieces.
func twoPieceSplits(_ text: String) -> [[String]] {
    let scalars = Array(text.unicodeScalars)
    return (0...scalars.count).map { [String(scalars: scalars[..<$0]), String(scalars: scalars[$0...])] }
}

/// One delta per scalar.
func scalarDeltas(_ text: String) -> [String] {
    text.unicodeScalars.map { String($0) }
}

@Suite struct StreamingTests {
    @Test(arguments: TemplateVersion.allCases)
    func requestHandlingCasesStreamAtEverySplit(_ version: TemplateVersion) {
        for (caseVersion, expected, raw) in RequestHandlingCases.all where caseVersion == version {
            var splits = twoPieceSplits(raw)
            splits.append(scalarDeltas(raw))
            splits.append([raw])
            for deltas in splits {
                let streamed = streamOutput(version, expected.choice, deltas)
                #expect(streamed.content == (expected.text ? RequestHandlingCases.text : ""), "\(version) \(expected) \(deltas)")
                #expect(streamed.calls == expected.calls, "\(version) \(expected) \(deltas)")
                #expect(streamed.problems.isEmpty, "\(version) \(expected) \(streamed.problems)")
            }
        }
    }

    @Test(arguments: TemplateVersion.allCases)
    func textStreamsBeforeTheEnd(_ version: TemplateVersion) {
        let opener = version == .v2 ? "all\n<|content|>" : (version == .v3Llama3 ? "all\n" : "")
        var parser = version.template.makeStreamParser(toolChoice: .auto)
        var out = StreamedOutput()
        for delta in [opener, "Normal", " text", " generation", " and", " more"] { out.apply(parser.feed(delta)) }
        // Only the trailing word may be held back (it might be followed by a stop token or whitespace).
        #expect(out.content.hasPrefix("Normal text generation"), "\(version): \(out)")
        out.apply(parser.finish())
        #expect(out.content == "Normal text generation and more")
    }

    @Test(arguments: [TemplateVersion.v2, .v2Llama3, .v3Llama3])
    func argumentsStreamBeforeTheEnd(_ version: TemplateVersion) {
        let header = ["get_weather\n<|content|>", "<|reserved_special_token_249|>get_weather\n", "get_weather\n"]
        let index = [TemplateVersion.v2, .v2Llama3, .v3Llama3].firstIndex(of: version) ?? 0
        var parser = version.template.makeStreamParser(toolChoice: .auto)
        var out = StreamedOutput()
        for delta in [header[index], "{\"location\":", " \"Istanbul\"", "}"] { out.apply(parser.feed(delta)) }
        #expect(out.calls.first?.name == "get_weather")
        #expect(out.calls.first?.arguments.hasPrefix("{\"location\": \"Istanbul\"") == true, "\(out)")
    }

    @Test func pythonTagCodeStreamsBeforeTheEnd() {
        var parser = TemplateV3Llama31().makeStreamParser(toolChoice: .auto)
        var out = StreamedOutput()
        for delta in ["Let me run it.", "<|python_tag|>", "import os\n", "print(os.getcwd())", "\n"] { out.apply(parser.feed(delta)) }
        #expect(out.content == "Let me run it.")
        #expect(out.calls == [FunctionCall(name: "python", arguments: "import os\nprint(os.getcwd())")])
        out.apply(parser.finish())
        #expect(out.calls == [FunctionCall(name: "python", arguments: "import os\nprint(os.getcwd())")])
    }

    @Test func markerSplitInsideIsHeldBack() {
        var parser = TemplateV2().makeStreamParser(toolChoice: .auto)
        var out = StreamedOutput()
        out.apply(parser.feed("all\n<|content|>Hi there\n<|from|>assistant\n<|recip"))
        #expect(out.content == "Hi there")
        out.apply(parser.feed("ient|>get_weather\n<|con"))
        #expect(out.calls.isEmpty)
        out.apply(parser.feed("tent|>{}"))
        #expect(out.calls == [FunctionCall(name: "get_weather", arguments: "{}")])
    }

    /// §9 item 1: v2 dropped the token after a newline in text.
    @Test func v2KeepsTheTokenAfterANewline() {
        let out = streamOutput(.v2, .none, ["Hello", "\n", "World"])
        #expect(out.content == "Hello\nWorld")
    }

    /// §9 item 6: names that are prefixes of each other.
    @Test(arguments: TemplateVersion.allCases)
    func toolNamesThatArePrefixesOfEachOther(_ version: TemplateVersion) {
        let raws: [TemplateVersion: String] = [
            .v2: "get_weather\n<|content|>{\"a\": 1}\n<|from|>assistant\n<|recipient|>get_weather_and_time\n<|content|>{\"b\": 2}",
            .v2Llama3: "<|reserved_special_token_249|>get_weather\n{\"a\": 1}<|reserved_special_token_249|>get_weather_and_time\n{\"b\": 2}",
            .v3Llama3: "get_weather\n{\"a\": 1}>>>get_weather_and_time\n{\"b\": 2}",
            .v3Llama31: "<function=get_weather>{\"a\": 1}</function><function=get_weather_and_time>{\"b\": 2}</function>",
            .qwen25:
                "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"a\": 1}}\n</tool_call>\n<tool_call>\n{\"name\": \"get_weather_and_time\", \"arguments\": {\"b\": 2}}\n</tool_call>",
            .gemma3:
                "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"a\": 1}}\n</tool_call>\n<tool_call>\n{\"name\": \"get_weather_and_time\", \"arguments\": {\"b\": 2}}\n</tool_call>",
        ]
        let raw = raws[version] ?? ""
        let expected = [
            FunctionCall(name: "get_weather", arguments: "{\"a\": 1}"), FunctionCall(name: "get_weather_and_time", arguments: "{\"b\": 2}"),
        ]
        #expect(version.template.parse(raw, toolChoice: .auto).toolCalls.map(\.function) == expected)
        for deltas in [scalarDeltas(raw), [raw]] {
            #expect(streamOutput(version, .auto, deltas).calls == expected, "\(version)")
        }
    }

    /// §9 item 4: text with `function=` but no `<function` made the reference raise.
    @Test func llama31FunctionEqualsInText() {
        let out = streamOutput(.v3Llama31, .auto, ["Set", " function", "=", "5"])
        #expect(out.content == "Set function=5")
    }

    @Test func feedAfterFinishIsIgnored() {
        var parser = TemplateQwen25().makeStreamParser(toolChoice: .auto)
        #expect(parser.feed("Hello <") == [.content("Hello")])
        #expect(parser.finish() == [.content(" <")])
        #expect(parser.feed("more").isEmpty)
        #expect(parser.finish().isEmpty)
    }

    @Test func namedChoicePrefixStartsTheCall() {
        // v2.llama3's named prefix holds the whole header: the call starts with the first delta.
        var parser = TemplateV2Llama3().makeStreamParser(toolChoice: .function("get_weather"))
        let events = parser.feed("{\"loc")
        guard case .toolCallStart(0, _, "get_weather")? = events.first else {
            Issue.record("expected a call start, got \(events)")
            return
        }
        #expect(events.dropFirst().first == .toolCallArguments(index: 0, "{\"loc"))
    }
}
