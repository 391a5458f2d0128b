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

    @Test func grammarBudgetNamesTheLimit() {
        let budget = GrammarBudget(perToken: .milliseconds(100), perChoice: .seconds(1))
        #expect(throws: Never.self) { try budget.check(token: .milliseconds(50), total: .milliseconds(500)) }
        #expect(throws: GenerationError.self) { try budget.check(token: .milliseconds(150), total: .milliseconds(150)) }
        #expect(throws: GenerationError.self) { try budget.check(token: .milliseconds(50), total: .seconds(2)) }
    }
}
