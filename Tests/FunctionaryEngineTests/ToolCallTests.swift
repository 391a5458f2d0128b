import Foundation
import FunctionaryEngine
import FunctionaryProtocol
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
    static let stock = Tool(
        function: FunctionDefinition(
            name: "get_stock_price", description: "Get a stock price",
            parameters: [
                "type": "object",
                "properties": [
                    "ticker": ["type": "string", "enum": ["AAPL", "GOOG", "MSFT"]],
                    "days": ["type": "integer"],
                    "exact": ["type": ["boolean", "null"]],
                ],
                "required": ["ticker", "days"],
                "additionalProperties": false,
            ]))
    static let tools = [weather, stock]

    static func schema(_ name: String) -> JSONValue? {
        tools.first { $0.function?.name == name }?.function?.parameters
    }

    static func resolved(_ choice: ToolChoice) -> ResolvedTools {
        if case .function(let name) = choice {
            return ResolvedTools(
                tools: tools.filter { $0.function?.name == name }, declaredTools: tools, choice: choice, legacyFunctions: false)
        }
        return ResolvedTools(tools: tools, declaredTools: tools, choice: choice, legacyFunctions: false)
    }

    /// Runs one tool request and returns the calls read from the raw output.
    static func run(
        _ engine: LlamaEngine, _ version: TemplateVersion, _ choice: ToolChoice, parallel: Bool = false, user: String,
        seed: UInt32 = 11
    ) async throws -> (raw: String, calls: [(name: String, arguments: String)], finish: FinishReason?) {
        let constraint = try #require(ToolGrammar.constraint(for: version, resolved: resolved(choice), parallelToolCalls: parallel))
        let prompt = TestTemplates.prompt(version, tools: resolved(choice).tools, choice: choice, user: user)
        let request = GenerationRequest(
            prompt: prompt, sampling: sampling(maxTokens: 160, temperature: 0.7, seed: seed), constraint: constraint,
            templateStops: TestTemplates.stops(version))
        let result = try await engine.collect(request)
        return (result.text, TestTemplates.calls(version, choice, raw: result.text), result.finish[0])
    }

    static func expectValid(_ call: (name: String, arguments: String), _ context: String) {
        guard let schema = schema(call.name) else {
            Issue.record("\(context): undeclared function '\(call.name)'")
            return
        }
        do {
            let arguments = try JSONValue(parsing: call.arguments)
            let problems = MiniSchema.problems(arguments, schema)
            #expect(problems.isEmpty, "\(context): \(call.arguments.debugDescription) → \(problems)")
        } catch {
            Issue.record("\(context): arguments are not JSON: \(call.arguments.debugDescription)")
        }
    }

    @Test(arguments: TemplateVersion.allCases)
    func requiredAndNamedCallsAreValid(version: TemplateVersion) async throws {
        let engine = try SharedEngine.get()
        let required = try await Self.run(engine, version, .required, user: "What's the weather in Paris?")
        #expect(required.finish == .stop, "\(version) required: \(required.raw.debugDescription)")
        #expect(required.calls.count == 1, "\(version) required: \(required.raw.debugDescription)")
        for call in required.calls { Self.expectValid(call, "\(version) required") }

        for name in ["get_weather", "get_stock_price"] {
            let named = try await Self.run(engine, version, .function(name), user: "Please help me.")
            #expect(named.finish == .stop, "\(version) \(name): \(named.raw.debugDescription)")
            #expect(named.calls.map(\.name) == [name], "\(version) \(name): \(named.raw.debugDescription)")
            for call in named.calls { Self.expectValid(call, "\(version) \(name)") }
        }
    }

    @Test func parallelRequiredCallsAreValid() async throws {
        let engine = try SharedEngine.get()
        let result = try await Self.run(engine, .gemma3, .required, parallel: true, user: "Weather in Oslo and the AAPL price?")
        #expect(!result.calls.isEmpty, "\(result.raw.debugDescription)")
        for call in result.calls { Self.expectValid(call, "gemma3 parallel") }
    }

    /// Every template's grammar, in every mode, is accepted by llama.cpp for the default model (markers
    /// as text) and the tiny v2 model (v2 markers as its special tokens).
    @Test func grammarsCompileForEveryTemplate() throws {
        let engine = try SharedEngine.get()
        let tiny = try TestModels.tinyEngine()
        for version in TemplateVersion.allCases {
            for choice in [ToolChoice.auto, .none, .required, .function("get_weather")] {
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

    /// On the tiny v2 model the grammar makes noise into well-formed v2 calls over its special tokens.
    @Test(arguments: [ToolChoice.required, .auto, .function("get_stock_price")])
    func tinyModelCallsAreWellFormed(choice: ToolChoice) async throws {
        let tiny = try TestModels.tinyEngine(contextSize: 1024)
        let constraint = try #require(ToolGrammar.constraint(for: .v2, resolved: Self.resolved(choice), parallelToolCalls: false))
        let prompt = TestTemplates.prompt(.v2, tools: Self.resolved(choice).tools, choice: choice, user: "hi")
        var finished = 0
        for seed: UInt32 in 1...6 {
            let result = try await tiny.collect(
                GenerationRequest(
                    prompt: prompt, sampling: sampling(maxTokens: 200, temperature: 1.0, seed: seed), constraint: constraint,
                    templateStops: ["<|stop|>"]))
            guard result.finish[0] == .stop else { continue }
            finished += 1
            let calls = TestTemplates.calls(.v2, choice, raw: result.text)
            if choice != .auto { #expect(calls.count == 1, "\(result.text.debugDescription)") }
            if case .function(let name) = choice { #expect(calls.map(\.name) == [name]) }
            for call in calls {
                if call.name == "python" { continue }
                Self.expectValid(call, "tiny v2 \(choice)")
            }
        }
        #expect(finished > 0, "no run finished within 200 tokens")
    }

    /// Four concurrent requests, each forced to a different function, each get their own function.
    @Test func concurrentRequestsDoNotMix() async throws {
        let engine = try SharedEngine.get()
        var functions: [Tool] = []
        for (i, key) in ["alpha", "beta", "gamma", "delta"].enumerated() {
            functions.append(
                Tool(
                    function: FunctionDefinition(
                        name: "fn_\(key)",
                        parameters: [
                            "type": "object", "properties": [key: ["type": "integer"], "tag": ["type": "string", "enum": [.string("t\(i)")]]],
                            "required": [.string(key), "tag"], "additionalProperties": false,
                        ])))
        }
        let all = functions
        let results = try await withThrowingTaskGroup(of: (String, String, FinishReason?).self) { group in
            for tool in all {
                let name = tool.callName
                group.addTask {
                    let choice = ToolChoice.function(name)
                    let resolved = ResolvedTools(tools: [tool], declaredTools: all, choice: choice, legacyFunctions: false)
                    let constraint = try #require(ToolGrammar.constraint(for: .gemma3, resolved: resolved))
                    let prompt = TestTemplates.prompt(.gemma3, tools: [tool], choice: choice, user: "Call \(name).")
                    let result = try await engine.collect(
                        GenerationRequest(
                            prompt: prompt, sampling: sampling(maxTokens: 60, temperature: 0.8, seed: 3), constraint: constraint,
                            templateStops: ["<end_of_turn>"]))
                    return (name, result.text, result.finish[0])
                }
            }
            var collected: [(String, String, FinishReason?)] = []
            for try await result in group { collected.append(result) }
            return collected
        }
        #expect(results.count == 4)
        for (name, raw, finish) in results {
            #expect(finish == .stop, "\(name): \(raw.debugDescription)")
            let calls = TestTemplates.calls(.gemma3, .function(name), raw: raw)
            #expect(calls.map(\.name) == [name])
            let schema = try #require(all.first { $0.callName == name }?.function?.parameters)
            let arguments = try JSONValue(parsing: try #require(calls.first).arguments)
            #expect(MiniSchema.problems(arguments, schema).isEmpty, "\(name): \(raw)")
        }
    }
}
