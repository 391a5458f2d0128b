import FunctionaryProtocol
import Testing

@testable import FunctionaryEngine

/// The engine against hostile numbers and schemas (issue "Hardening"); each crashed the process before.
@Suite struct EngineHardeningTests {
    /// `max_tokens` = Int.max: `prompt + max_tokens` trapped on overflow.
    @Test func maxTokensOfIntMaxIsAContextOverflow() async throws {
        let engine = try SharedEngine.get()
        var sampling = SamplingParameters()
        sampling.maxTokens = Int.max
        do {
            _ = try await engine.collect(GenerationRequest(prompt: "Hello", sampling: sampling))
            Issue.record("no error")
        } catch let error as GenerationError {
            guard case .contextOverflow(_, Int.max, 2048) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(error.description.contains("more than"))
        }
    }

    /// A `$ref` chain 40,000 hops long overflowed the stack of llama.cpp's schema converter.
    @Test func referenceChainIsRefusedBeforeTheConverter() throws {
        let engine = try SharedEngine.get()
        var defs = JSONObject()
        for i in 0..<40_000 { defs["d\(i)"] = ["$ref": .string("#/$defs/d\(i + 1)")] }
        defs["d40000"] = ["type": "string"]
        let schema: JSONValue = ["type": "object", "properties": ["x": ["$ref": "#/$defs/d0"]], "$defs": .object(defs)]
        #expect(throws: GenerationError.self) { _ = try engine.compiledGrammar(for: ToolGrammar.jsonResponse(schema: schema)) }
    }

    @Test func grammarOverTheSizeLimitIsRefused() throws {
        #expect(throws: GenerationError.self) {
            let compiler = GrammarCompiler(model: try SharedEngine.get().model, maxGrammarBytes: 1024)
            var properties = JSONObject()
            for i in 0..<200 { properties["property_\(i)"] = ["type": "string"] }
            _ = try compiler.compile(ToolGrammar.jsonResponse(schema: ["type": "object", "properties": .object(properties)]))
        }
    }

    /// A tool set's grammar is compiled once (the cache is keyed by content): the same 200 tools in another
    /// request get the very grammar llama.cpp parsed for the first.
    @Test func aLargeToolSetsGrammarIsCompiledOnce() throws {
        let compiler = GrammarCompiler(model: try SharedEngine.get().model)
        func constraint() throws -> OutputConstraint {
            let tools = (0..<200).map { i in
                Tool(
                    function: FunctionDefinition(
                        name: "tool_\(i)", description: "Tool \(i).",
                        parameters: [
                            "type": "object", "properties": ["names": ["type": "array", "items": ["type": "string"]]], "required": ["names"],
                        ]))
            }
            let chat = ChatCompletionRequest(
                model: "", messages: [ChatMessage(role: "user", content: "x")], tools: tools, toolChoice: "required")
            return try #require(ToolGrammar.constraint(for: .gemma3, resolved: try chat.resolveTools()))
        }
        let first = try compiler.compile(try constraint())
        let again = try compiler.compile(try constraint())
        #expect(first === again)
        #expect(first.text.contains("tool_199"))
    }

    @Test func grammarBudgetNamesTheLimit() {
        let budget = GrammarBudget(perToken: .milliseconds(100), perRequest: .seconds(1))
        #expect(throws: Never.self) { try budget.check(token: .milliseconds(50), total: .milliseconds(500)) }
        #expect(throws: GenerationError.self) { try budget.check(token: .milliseconds(150), total: .milliseconds(150)) }
        #expect(throws: GenerationError.self) { try budget.check(token: .milliseconds(50), total: .seconds(2)) }
    }

    /// The grammar budget is the request's: `n` choices share it (they do not each get their own), so a request with
    /// a tiny budget ends with the error naming the per-request limit.
    @Test func grammarBudgetIsPerRequest() async throws {
        var configuration = EngineConfiguration(
            modelPath: TestModels.defaultModel, contextSize: 1024, threads: TestModels.threads, parallel: 2)
        configuration.grammarTimePerRequest = .microseconds(200)
        let engine = try LlamaEngine(configuration: configuration)
        defer { engine.shutdown() }
        var request = GenerationRequest(
            prompt: "<start_of_turn>user\nWrite letters.<end_of_turn>\n<start_of_turn>model\n",
            sampling: sampling(maxTokens: 200), n: 2, constraint: OutputConstraint(grammar: "root ::= [a-z ]+\n"))
        request.jumpForward = false
        do {
            _ = try await engine.collect(request)
            Issue.record("the request should have run out of grammar time")
        } catch let error as GenerationError {
            guard case .invalidConstraint(let message) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(message.contains("per request"), "\(message)")
        }
    }
}
