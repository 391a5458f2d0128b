import Foundation
import Testing

@testable import FunctionaryProtocol

/// Reads the reference fixtures bundled with the test target (`resources: [.copy("Fixtures")]`).
enum RenderingFixtures {
    static func url(_ name: String) throws -> URL {
        let resources = try #require(Bundle.module.resourceURL, "the test bundle has no resource folder")
        return resources.appendingPathComponent("Fixtures").appendingPathComponent(name)
    }

    static func text(_ name: String) throws -> String {
        let data = try Data(contentsOf: try url(name))
        return try #require(String(data: data, encoding: .utf8), "\(name) is not UTF-8")
    }

    static func json(_ name: String) throws -> JSONValue {
        try JSONValue(parsing: try text(name))
    }

    /// `tools` and `messages` of `test_case.json`.
    static func testCase() throws -> (tools: [Tool], messages: [ChatMessage]) {
        let value = try json("test_case.json")
        let tools = try JSONValueDecoder().decode([Tool].self, from: try #require(value["tools"]))
        let messages = try JSONValueDecoder().decode([ChatMessage].self, from: try #require(value["messages"]))
        return (tools, messages)
    }
}

/// Python's `str.strip()`, as the reference's fixture comparison uses it.
func pythonStripped(_ text: String) -> String {
    TypeScriptSchema.pythonStrip(text)
}

@Suite struct TemplateRenderingTests {
    @Test(arguments: TemplateVersion.allCases)
    func rendersReferenceFixture(version: TemplateVersion) throws {
        let (tools, messages) = try RenderingFixtures.testCase()
        var expected = try RenderingFixtures.text("prompt_test_\(version.rawValue).txt")
        if version == .v2 { expected = expected.replacing("\n\n<|from|>", with: "\n<|from|>") }
        let rendered = try version.template.render(messages: messages, tools: tools, addGenerationPrompt: false)
        #expect(pythonStripped(rendered) == pythonStripped(expected))
    }
}

/// Generation prompts, tool_choice prefixes, stop tokens (protocol §3.1).
@Suite struct TemplatePrefixTests {
    struct Row: Sendable, CustomTestStringConvertible {
        let version: TemplateVersion
        let generationPrompt: String
        let stops: [String]
        let none: String
        let required: String
        let named: String  // for a function named `get_weather`
        var testDescription: String { version.rawValue }
    }

    static let table: [Row] = [
        Row(
            version: .v2, generationPrompt: "\n<|from|>assistant\n<|recipient|>", stops: ["<|stop|>"],
            none: "all\n<|content|>", required: "", named: "get_weather\n<|content|>"),
        Row(
            version: .v2Llama3, generationPrompt: "<|start_header_id|>assistant<|end_header_id|>\n\n", stops: ["<|eot_id|>", "<|end_of_text|>"],
            none: "", required: "<|reserved_special_token_249|>", named: "<|reserved_special_token_249|>get_weather\n"),
        Row(
            version: .v3Llama3, generationPrompt: "<|start_header_id|>assistant<|end_header_id|>\n\n>>>", stops: ["<|eot_id|>", "<|end_of_text|>"],
            none: "all\n", required: "", named: "get_weather\n"),
        Row(
            version: .v3Llama31, generationPrompt: "<|start_header_id|>assistant<|end_header_id|>\n\n",
            stops: ["<|eot_id|>", "<|end_of_text|>", "<|eom_id|>"], none: "", required: "<function=", named: "<function=get_weather>"),
        Row(
            version: .qwen25, generationPrompt: "<|im_start|>assistant\n", stops: ["<|im_end|>"],
            none: "", required: "<tool_call>\n", named: "<tool_call>\n{\"name\": \"get_weather\", \"arguments"),
        Row(
            version: .gemma3, generationPrompt: "<start_of_turn>model\n", stops: ["<end_of_turn>"],
            none: "", required: "<tool_call>\n", named: "<tool_call>\n{\"name\": \"get_weather\", \"arguments"),
    ]

    @Test(arguments: table)
    func prefixesAndStops(row: Row) throws {
        let template = row.version.template
        #expect(template.version == row.version)
        #expect(template.stopTokens == row.stops)
        #expect(template.generationPrefix(for: .auto) == "")
        #expect(template.generationPrefix(for: .none) == row.none)
        #expect(template.generationPrefix(for: .required) == row.required)
        #expect(template.generationPrefix(for: .function("get_weather")) == row.named)
        // v2's training prefix has no leading newline; elsewhere it is the generation prompt
        #expect(template.assistantPrefix == (row.version == .v2 ? "<|from|>assistant\n<|recipient|>" : row.generationPrompt))

        let messages = [ChatMessage(role: "user", content: "hi")]
        let without = try template.render(messages: messages, tools: [], addGenerationPrompt: false)
        let with = try template.render(messages: messages, tools: [], addGenerationPrompt: true)
        #expect(with == without + row.generationPrompt)
    }

    /// The full inference prompt: rendering + generation prompt + tool_choice prefix (§1.1, §3.1).
    @Test func promptBuilderAppendsTheToolChoicePrefix() throws {
        let request = try JSONValueDecoder().decode(
            ChatCompletionRequest.self,
            from: """
                {"model": "m", "messages": [{"role": "user", "content": "weather in Paris?"}],
                 "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object",
                   "properties": {"city": {"type": "string"}}}}}, {"type": "function", "function": {"name": "other"}}],
                 "tool_choice": {"type": "function", "function": {"name": "get_weather"}}}
                """)
        let resolved = try request.resolveTools()
        let prompt = try PromptBuilder.prompt(template: TemplateV3Llama31(), messages: request.messages, resolved: resolved)
        #expect(prompt.hasSuffix("weather in Paris?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n<function=get_weather>"))
        #expect(prompt.contains("Use the function 'get_weather' to ''\n{\"name\": \"get_weather\", \"description\": \"\", \"parameters\""))
        #expect(!prompt.contains("other"))  // only the named tool is shown

        let none = try JSONValueDecoder().decode(ChatCompletionRequest.self, from: #"{"model":"m","messages":[{"role":"user","content":"x"}]}"#)
        let v2 = try PromptBuilder.prompt(template: TemplateV2(), messages: none.messages, resolved: try none.resolveTools())
        #expect(v2.hasSuffix("<|content|>x\n<|from|>assistant\n<|recipient|>all\n<|content|>"))
    }
}

/// Performance: rendering is linear and cheap (a bound, not a benchmark).
@Suite struct TemplateRenderingPerformanceTests {
    static func conversation() -> (tools: [Tool], messages: [ChatMessage]) {
        let tools = (0..<20).map { i in
            Tool(
                function: FunctionDefinition(
                    name: "tool_\(i)", description: "Tool number \(i) does something useful",
                    parameters: [
                        "type": "object",
                        "properties": [
                            "query": ["type": "string", "description": "What to look for"],
                            "limit": ["type": "integer", "minimum": 1, "maximum": 100, "default": 10],
                            "filters": [
                                "type": "array",
                                "items": ["type": "object", "properties": ["field": ["type": "string"], "value": ["type": "string"]]],
                            ],
                            "mode": ["type": "string", "enum": ["fast", "exact"]],
                        ],
                        "required": ["query"],
                    ]))
        }
        var messages = [ChatMessage(role: "system", content: "You are a helpful assistant.")]
        for i in 0..<12 {
            messages.append(ChatMessage(role: "user", content: "Question \(i): " + String(repeating: "lorem ipsum ", count: 20)))
            messages.append(
                ChatMessage(role: "assistant", content: nil, toolCalls: [ToolCall(id: "call_\(i)", name: "tool_\(i)", arguments: #"{"query": "x"}"#)])
            )
            messages.append(ChatMessage(role: "tool", content: #"{"result": "ok"}"#, name: "tool_\(i)", toolCallID: "call_\(i)"))
            messages.append(ChatMessage(role: "assistant", content: "Answer \(i): " + String(repeating: "dolor sit amet ", count: 10)))
        }
        messages.append(ChatMessage(role: "user", content: "Thanks"))
        return (tools, messages)
    }

    /// "Well under a millisecond per KB": the fastest of several renderings (robust against other tests running
    /// at the same time) must take under 0.25 ms per KB of prompt, even in a debug build (measured: 0.03–0.05 ms).
    @Test func renderingIsFast() throws {
        let (tools, messages) = Self.conversation()
        #expect(messages.count == 50)
        let clock = ContinuousClock()
        for version in TemplateVersion.allCases {
            let template = version.template
            var fastest = Duration.seconds(1000)
            var bytes = 0
            for _ in 0..<10 {
                let elapsed = try clock.measure {
                    let prepared = try MessagePreprocessor.prepare(messages)
                    bytes = try template.render(messages: prepared, tools: tools, addGenerationPrompt: true).utf8.count
                }
                fastest = min(fastest, elapsed)
            }
            let perKB = fastest * 1024 / bytes
            print("\(version.rawValue): \(bytes) bytes in \(fastest), \(perKB) per KB")
            #expect(bytes > 10_000)
            #expect(perKB < .microseconds(250), "\(version.rawValue): \(perKB) per KB of prompt (\(bytes) bytes)")
        }
    }
}
