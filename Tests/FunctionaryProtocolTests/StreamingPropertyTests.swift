import Testing

@testable import FunctionaryProtocol

/// Streaming equals parsing for any split of any output, and streaming cost is linear.
@Suite struct StreamingPropertyTests {
    static let sep = "<|reserved_special_token_249|>"

    /// Outputs every template is fed, well-formed for some template or for none.
    static let corpus: [String] = {
        var outputs = RequestHandlingCases.raw.values.flatMap { $0 }
        outputs += [
            "", " ", "\n\n\t ", "Hello", "  Hello world  \n", "a\u{1C}b\u{1F}", "\u{3000}全角\u{3000}",
            "中文回答：你好，世界！ Emoji 😀👍🏽 family 👨‍👩‍👧 flag 🇹🇷", "e\u{301} and >\u{301}> and <\u{301}|from|>",
            "a < b and c > d <", "x >> y >>> z >>", "x >>>> y", "function=foo and <function and <func", "{\"a\": 1}", "{",
            "text with <|recipient|> and <|content|> and <|from|>", "<|from|>", "<|recipient|>", "<|content|>",
            "<tool_call>", "</tool_call>", "<tool_", "<|python_tag|>", "<|recip", "Hi<|eot_id|>", "Hi \n<|eot_id|>  ",
            "<|eot_id|>", "x<|end_of_text|><|eot_id|>", "x<|eot_id|><|end_of_text|>", "x<|eot_id|><|eot_id|>", "x<|eot_id",
            "x <|eom_id|> y", "x<|stop|>", "x<|stop|><|stop|>", "x<|im_end|>\n", "x<end_of_turn>", "<|eot_id|>x", " \n<|stop|>",
            // v2
            "all\n<|content|>Text\n<|from|>assistant\n<|recipient|>all\n<|content|>More  ",
            "get_weather\n<|content|>{\"q\": \"<|from|> inside\"}\n<|from|>assistant\n<|recipient|>get_weather_and_time\n<|content|>{}",
            "get_weather", "\n<|content|>x", "all\n<|content|>", "all\n<|content|>Hi<|from|>assistant\n<|recipient|>get_wea",
            "all\n<|content|>A<|from|>user\nB", "python\n<|content|>  print(1)  \n\n", "<|content|>x<|recipient|>y",
            // v2.llama3
            "Text \(sep)get_weather\n{\"a\": 1}\(sep)get_weather_and_time\n{\"b\": 2}", "\(sep)get_wea", "Text\(sep)",
            "\(sep)\n\n name \n args \n\(sep)", "\(sep)\(sep)x\n", "<|reserved_special", "Text<|reserved_special_token_24",
            // v3.llama3
            "all\nHi>>>get_weather\n{}>>>all\nBye", "all", "get_weather", "all\n>>>", ">>>>>>", "all\n>\n>>\n",
            "get_weather_and_time\n{\"x\": \">>>\"}", "  all  \n  text  ",
            // v3-llama3.1
            "<function=get_weather>{\"a\": 1}</function><function=get_weather_and_time>{\"b\": 2}</function>",
            "Sure <function=get_weather>{\"location\": \"Ist", "<function=>{}</function>", "<function=f{}</function>",
            "Hi <function=f>{\"a\": \"<function=g>\"}</function> bye", "<|python_tag|>code <function=x>", "Set function=5",
            "<function=f>{}</function>\n\nAfter", "<function=f>{}</function>\n<function=g>{}</function>", "a</function>b",
            "<function=f> {\"a\": \"</functio\"} </function>", "<|python_tag|>\n  x = 1\n",
            // qwen2.5 / gemma3
            "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"location\": \"東京\"}}\n</tool_call>",
            "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"location\": }\n</tool_call>",
            "Checking.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"location\": \"Ist",
            "<tool_call>{\"name\": \"a\"<tool_call>{\"name\": \"b\", \"arguments\": {}}</tool_call>", "<tool_call>\n</tool_call>",
            "Before\n<tool_call>\n{\"name\": \"f\", \"arguments\": {}}\n</tool_call>\nAfter <tool_call>",
            "<tool_call>{\"name\":\"f\",\"arguments\":{\"n\":[1,2.50,1e5],\"s\":\"\\u00e9\\/\"}}</tool_call>",
            "<tool_call>{\"name\": \"python\", \"arguments\": {\"code\": \"print('</tool')\"}}</tool_call>",
            "<tool_call>{\"name\": \"f\", \"arguments\": {\"s\": \"</tool_call>\"}}</tool_call>", "</tool_call><tool_call>",
        ]
        return outputs
    }()

    static let choices: [ToolChoice] = [.auto, .none, .required, .function("get_weather")]

    /// Every split point of every output, each with one of the four tool choices in turn (so every choice meets every
    /// output at a quarter of its split points), plus one delta per scalar with every choice.
    @Test(arguments: TemplateVersion.allCases)
    func everyTwoPieceSplitMatchesParse(_ version: TemplateVersion) {
        var failures = 0
        for output in Self.corpus {
            let parsed = Self.choices.map { version.template.parse(output, toolChoice: $0) }
            var runs: [(Int, [String])] = twoPieceSplits(output).enumerated().map { ($0 % Self.choices.count, $1) }
            runs += Self.choices.indices.map { ($0, scalarDeltas(output)) }
            for (choice, deltas) in runs {
                if let message = streamMismatch(version, Self.choices[choice], deltas, parsed: parsed[choice]) {
                    failures += 1
                    if failures <= 5 { Issue.record(Comment(rawValue: message)) }
                }
            }
        }
        #expect(failures == 0)
    }

    @Test(arguments: TemplateVersion.allCases)
    func randomMultiSplitsMatchParse(_ version: TemplateVersion) {
        var rng = SplitMix64(seed: 0x5EED + UInt64(TemplateVersion.allCases.firstIndex(of: version) ?? 0))
        var failures = 0
        for output in Self.corpus {
            let scalars = Array(output.unicodeScalars)
            for _ in 0..<25 {
                var deltas: [String] = []
                var i = 0
                while i < scalars.count {
                    let n = Int.random(in: 0...6, using: &rng)
                    let end = min(scalars.count, i + n)
                    deltas.append(String(scalars: scalars[i..<end]))
                    i = end
                }
                let choice = Self.choices.randomElement(using: &rng) ?? .auto
                if let message = streamMismatch(version, choice, deltas) {
                    failures += 1
                    if failures <= 5 { Issue.record(Comment(rawValue: message)) }
                }
            }
        }
        #expect(failures == 0)
    }

    /// Random outputs built from markers and text, for every template: streaming at random splits equals parsing.
    @Test(arguments: TemplateVersion.allCases)
    func randomMarkerSoupMatchesParse(_ version: TemplateVersion) {
        var rng = SplitMix64(seed: 99 + UInt64(TemplateVersion.allCases.firstIndex(of: version) ?? 0))
        let pieces = [
            "<|from|>", "assistant", "<|recipient|>", "<|content|>", "<|stop|>", Self.sep, ">>>", ">", "<", "\n", " ", "  ",
            "<function=", "</function>", "<|python_tag|>", "<tool_call>", "</tool_call>", "{\"name\": \"f\", \"arguments\": {}}",
            "{", "}", "all", "python", "get_weather", "<|eot_id|>", "<|end_of_text|>", "<|eom_id|>", "<|im_end|>",
            "<end_of_turn>", "é", "😀", "x", "\t",
        ]
        var failures = 0
        for _ in 0..<1500 {
            let output = (0..<Int.random(in: 0...10, using: &rng)).map { _ in pieces.randomElement(using: &rng) ?? "" }.joined()
            let scalars = Array(output.unicodeScalars)
            var deltas: [String] = []
            var i = 0
            while i < scalars.count {
                let end = min(scalars.count, i + Int.random(in: 1...5, using: &rng))
                deltas.append(String(scalars: scalars[i..<end]))
                i = end
            }
            let choice = Self.choices.randomElement(using: &rng) ?? .auto
            if let message = streamMismatch(version, choice, deltas) {
                failures += 1
                if failures <= 5 { Issue.record(Comment(rawValue: message)) }
            }
        }
        #expect(failures == 0)
    }

    /// Doubling the output doubles the time (allowing noise): nothing is re-read per delta.
    @Test(arguments: TemplateVersion.allCases)
    func streamingCostIsLinear(_ version: TemplateVersion) {
        let words = ["Normal", " text", " with", " some", " <", "b", ">", " and", " 😀", " \n", " >>", " function", "="]
        func text(_ n: Int) -> [String] { (0..<n).map { words[$0 % words.count] } }
        func arguments(_ n: Int) -> [String] {
            let call = [
                "get_weather\n<|content|>", Self.sep + "get_weather\n", "get_weather\n", "<function=get_weather>",
                "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": ", "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": ",
            ]
            let close = ["", "", "", "</function>", "}\n</tool_call>", "}\n</tool_call>"]
            let index = TemplateVersion.allCases.firstIndex(of: version) ?? 0
            return [call[index], "{\"items\": ["] + (0..<n).map { "\"item \($0)\", " } + ["\"end\"]}", close[index]]
        }
        for build in [text, arguments] {
            let small = build(4000)
            let large = build(8000)
            // Timing under a loaded machine is noisy: measure interleaved (so that load affects both sizes alike),
            // keep the fastest of 5 runs, and measure again (up to 3 times) before calling it non-linear.
            // Quadratic work would give a ratio near 4 every time.
            var ratios: [Double] = []
            for _ in 0..<3 {
                var tSmall = Double.infinity
                var tLarge = Double.infinity
                for _ in 0..<5 {
                    tSmall = min(tSmall, Self.time(version, small))
                    tLarge = min(tLarge, Self.time(version, large))
                }
                ratios.append(tLarge / tSmall)
                if tLarge / tSmall < 3 { break }
            }
            #expect(ratios.contains { $0 < 3 }, "\(version): time(8000 deltas) / time(4000 deltas) = \(ratios)")
        }
    }

    static func time(_ version: TemplateVersion, _ deltas: [String]) -> Double {
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            var parser = version.template.makeStreamParser(toolChoice: .auto)
            var count = 0
            for delta in deltas { count += parser.feed(delta).count }
            count += parser.finish().count
            #expect(count > 0)
        }
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }
}
