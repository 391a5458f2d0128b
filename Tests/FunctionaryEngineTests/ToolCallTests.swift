import Foundation
import FunctionaryEngine
import FunctionaryProtocol
import GBNFTestSupport
import Testing

/// Grammar-enforced tool calls on the default model (which knows nothing of tools) for every template.
@Suite struct ToolCallTests {
    static let weather = Tool(
        function: FunctionDefinition(
            name: "get_weather", description: "Get the current weather in a city",
            parameters: [
                "type": "object",
                "properties": [
                    "location": ["type": "string", "maxLength": 24],
                    "unit": ["type": "string", "enum": ["celsius", "fahrenheit"]],
                ],
                "required": ["location", "unit"],
                "additionalProperties": false,
            ]))
    /// Nested objects, arrays, enums, type lists, oneOf, nullable, additionalProperties.
    static let order = Tool(
        function: FunctionDefinition(
            name: "place_order", description: "Place a stock order",
            parameters: [
                "type": "object",
                "properties": [
                    "ticker": ["type": "string", "enum": ["AAPL", "GOOG", "MSFT"]],
                    "quantity": ["type": "integer", "minimum": 1, "maximum": 1000],
                    "limit": ["type": ["number", "null"]],
                    "tags": ["type": "array", "items": ["type": "string", "maxLength": 8], "maxItems": 3],
                    "account": [
                        "type": "object",
                        "properties": [
                            "id": ["type": "string", "maxLength": 12],
                            "kind": ["oneOf": [["const": "cash"], ["const": "margin"]]],
                        ],
                        "required": ["id", "kind"], "additionalProperties": false,
                    ],
                    "note": ["type": "string", "nullable": true, "maxLength": 20],
                ],
                "required": ["ticker", "quantity", "account"],
                "additionalProperties": false,
            ]))
    static let tools = [weather, order]

    /// One request through the real pipeline: tool_choice handling, the template's prompt and
    /// prefix, the engine with the tool grammar, the template's parser.
    static func run(
        _ engine: LlamaEngine, _ version: TemplateVersion, toolChoice: JSONValue, parallel: Bool = false, user: String,
        tools: [Tool] = tools, seed: UInt32 = 11, maxTokens: Int = 120
    ) async throws -> (raw: String, output: AssistantOutput, finish: FinishReason?) {
        var request = ChatCompletionRequest(
            model: "", messages: [ChatMessage(role: "user", content: user)], tools: tools, toolChoice: toolChoice)
        request.parallelToolCalls = parallel
        let resolved = try request.resolveTools()
        let template = version.template
        let constraint = try #require(ToolGrammar.constraint(for: version, resolved: resolved, parallelToolCalls: parallel))
        let prompt = try PromptBuilder.prompt(template: template, messages: request.messages, resolved: resolved)
        let generation = GenerationRequest(
            prompt: prompt, sampling: sampling(maxTokens: maxTokens, temperature: 0.7, seed: seed), constraint: constraint,
            templateStops: template.stopTokens)
        let result = try await engine.collect(generation)
        return (result.text, template.parse(result.text, toolChoice: resolved.choice), result.finish[0])
    }

    static func named(_ name: String) -> JSONValue { ["type": "function", "function": ["name": .string(name)]] }

    static func expectValid(_ call: ToolCall, tools: [Tool] = tools, _ context: String) {
        guard let schema = tools.first(where: { $0.function?.name == call.function.name })?.function?.parameters else {
            Issue.record("\(context): undeclared function '\(call.function.name)'")
            return
        }
        do {
            let arguments = try JSONValue(parsing: call.function.arguments)
            let violations = JSONSchemaValidator(schema: schema).validate(arguments)
            #expect(violations.isEmpty, "\(context): \(call.function.arguments.debugDescription) → \(violations)")
        } catch {
            Issue.record("\(context): arguments are not JSON: \(call.function.arguments.debugDescription)")
        }
    }

    /// `required` and a named function give calls whose arguments validate, for every template, on a
    /// model that knows nothing of tools (the prompt is each template's own rendering).
    @Test(arguments: TemplateVersion.allCases)
    func requiredAndNamedCallsAreValid(version: TemplateVersion) async throws {
        let engine = try SharedEngine.get()
        let required = try await Self.run(engine, version, toolChoice: "required", user: "What's the weather in Paris?")
        #expect(required.finish == .stop, "\(version) required: \(required.raw.debugDescription)")
        #expect(required.output.toolCalls.count == 1, "\(version) required: \(required.raw.debugDescription)")
        for call in required.output.toolCalls { Self.expectValid(call, "\(version) required") }

        for name in ["get_weather", "place_order"] {
            let named = try await Self.run(engine, version, toolChoice: Self.named(name), user: "Please help me.")
            #expect(named.finish == .stop, "\(version) \(name): \(named.raw.debugDescription)")
            #expect(named.output.toolCalls.map(\.function.name) == [name], "\(version) \(name): \(named.raw.debugDescription)")
            for call in named.output.toolCalls { Self.expectValid(call, "\(version) \(name)") }
        }
    }

    @Test func parallelRequiredCallsAreValid() async throws {
        let engine = try SharedEngine.get()
        let result = try await Self.run(
            engine, .gemma3, toolChoice: "required", parallel: true, user: "Weather in Oslo and an order of AAPL?", maxTokens: 160)
        #expect(!result.output.toolCalls.isEmpty, "\(result.raw.debugDescription)")
        for call in result.output.toolCalls { Self.expectValid(call, "gemma3 parallel") }
    }

    static func resolved(_ choice: ToolChoice, tools: [Tool] = tools + [Tool.codeInterpreter]) -> ResolvedTools {
        if case .function(let name) = choice {
            return ResolvedTools(
                tools: tools.filter { $0.function?.name == name }, declaredTools: tools, choice: choice, legacyFunctions: false)
        }
        return ResolvedTools(tools: choice == .none ? [] : tools, declaredTools: tools, choice: choice, legacyFunctions: false)
    }

    /// Every template's grammar, in every mode, is accepted by llama.cpp for the default model (markers
    /// as text) and the tiny v2 model (v2 markers as its special tokens).
    @Test func grammarsCompileForEveryTemplate() throws {
        let engine = try SharedEngine.get()
        let tiny = try TestModels.tinyEngine()
        for version in TemplateVersion.allCases {
            for choice in [ToolChoice.auto, .none, .required, .function("get_weather"), .function("place_order")] {
                for parallel in [true, false] {
                    let constraint = try #require(
                        ToolGrammar.constraint(for: version, resolved: Self.resolved(choice), parallelToolCalls: parallel))
                    #expect(throws: Never.self) { _ = try engine.compiledGrammar(for: constraint) }
                    #expect(throws: Never.self) { _ = try tiny.compiledGrammar(for: constraint) }
                }
            }
        }
        let v2 = try #require(ToolGrammar.constraint(for: .v2, resolved: Self.resolved(.auto)))
        let text = try tiny.compiledGrammar(for: v2)
        for marker in ["<|from|>", "<|recipient|>", "<|content|>"] {
            let token = try #require(tiny.tokenize(marker).last)
            #expect(text.contains("<[\(token)]>"), "\(marker) is not its token in the grammar")
        }
        #expect(try engine.compiledGrammar(for: v2).contains(#""<|from|>""#))
    }

    /// `"nullable": true` admits `null` in the engine's argument grammars (llama.cpp's converter knows no
    /// `nullable`; the engine rewrites it first), and only where the schema says so.
    @Test func nullableFieldsAdmitNull() throws {
        let engine = try SharedEngine.get()
        let schema: JSONValue = [
            "type": "object",
            "properties": [
                "note": ["type": "string", "nullable": true],
                "size": ["type": "integer"],
                "tags": ["type": "array", "items": ["type": "string", "enum": ["a", "b"], "nullable": true]],
            ],
            "required": ["note", "size", "tags"], "additionalProperties": false,
        ]
        let matcher = try GBNFMatcher(try engine.compiledGrammar(for: ToolGrammar.jsonResponse(schema: schema)))
        #expect(matcher.matches(#"{"note": null, "size": 3, "tags": [null, "a"]}"#))
        #expect(matcher.matches(#"{"note": "hi", "size": 3, "tags": []}"#))
        #expect(!matcher.matches(#"{"note": 5, "size": 3, "tags": []}"#))
        #expect(!matcher.matches(#"{"note": null, "size": null, "tags": []}"#))
        #expect(!matcher.matches(#"{"note": null, "size": 3, "tags": ["c"]}"#))
    }

    /// On the tiny v2 model (random weights, Functionary's special tokens) the grammar turns noise
    /// into well-formed v2 output over the special tokens, which the v2 parser reads back.
    @Test(arguments: ["required", "auto", "place_order"])
    func tinyModelCallsAreWellFormed(choice: String) async throws {
        let tiny = try TestModels.tinyEngine(contextSize: 1024)
        let toolChoice: JSONValue = choice == "place_order" ? Self.named(choice) : .string(choice)
        var finished = 0
        for seed: UInt32 in 1...6 {
            let result = try await Self.run(tiny, .v2, toolChoice: toolChoice, user: "hi", seed: seed, maxTokens: 200)
            guard result.finish == .stop else { continue }
            finished += 1
            let calls = result.output.toolCalls
            if choice != "auto" { #expect(calls.count == 1, "\(result.raw.debugDescription)") }
            if choice == "place_order" { #expect(calls.map(\.function.name) == ["place_order"]) }
            for call in calls { Self.expectValid(call, "tiny v2 \(choice)") }
            let tokens = tiny.tokenize(result.raw).map(tiny.tokenText)
            if result.raw.contains("<|from|>") { #expect(tokens.contains("<|from|>")) }
        }
        #expect(finished > 0, "no run finished within 200 tokens")
    }

    /// Four concurrent requests, each forced to a different function, each get their own function.
    @Test func concurrentRequestsDoNotMix() async throws {
        let engine = try SharedEngine.get()
        var functions: [Tool] = []
        for (i, key) in ["alpha", "beta", "gamma", "delta"].enumerated() {
            let properties: JSONValue = [key: ["type": "integer"], "tag": ["type": "string", "enum": [.string("t\(i)")]]]
            functions.append(
                Tool(
                    function: FunctionDefinition(
                        name: "fn_\(key)",
                        parameters: [
                            "type": "object", "properties": properties, "required": [.string(key), "tag"],
                            "additionalProperties": false,
                        ])))
        }
        let all = functions
        let results = try await withThrowingTaskGroup(of: (String, String, AssistantOutput, FinishReason?).self) { group in
            for tool in all {
                let name = tool.callName
                group.addTask {
                    let result = try await Self.run(
                        engine, .gemma3, toolChoice: Self.named(name), user: "Call \(name).", tools: all, seed: 3, maxTokens: 60)
                    return (name, result.raw, result.output, result.finish)
                }
            }
            var collected: [(String, String, AssistantOutput, FinishReason?)] = []
            for try await result in group { collected.append(result) }
            return collected
        }
        #expect(results.count == 4)
        for (name, raw, output, finish) in results {
            #expect(finish == .stop, "\(name): \(raw.debugDescription)")
            #expect(output.toolCalls.map(\.function.name) == [name], "\(name): \(raw.debugDescription)")
            for call in output.toolCalls { Self.expectValid(call, tools: all, name) }
        }
    }
}
