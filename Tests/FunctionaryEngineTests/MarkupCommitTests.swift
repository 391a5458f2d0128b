import FunctionaryProtocol
import Testing

@testable import FunctionaryEngine

/// In `auto` mode, text that starts spelling a call marker commits to a well-formed call, in llama.cpp's own grammar
/// engine: fed `Sure. <tool_call` (gemma3) or `Sure <function` (v3-llama3.1), the grammar forces the rest of the
/// call's opening, and refuses `<tool_call name=…` markup.
@Suite struct MarkupCommitTests {
    static let tool = Tool(
        function: FunctionDefinition(
            name: "get_time", description: "Current time in a time zone",
            parameters: ["type": "object", "properties": ["tz": ["type": "string"]], "required": ["tz"]]))

    func makeSampler(_ version: TemplateVersion) throws -> (TokenSampler, LlamaModel) {
        let engine = try SharedEngine.get()
        let chat = ChatCompletionRequest(model: "", messages: [ChatMessage(role: "user", content: "Time?")], tools: [Self.tool])
        let constraint = try #require(ToolGrammar.constraint(for: version, resolved: try chat.resolveTools()))
        let compiled = try GrammarCompiler(model: engine.model).compile(constraint)
        let sampler = try TokenSampler(
            parameters: SamplingParameters(), seed: 1, grammar: compiled.makeSampler(), model: engine.model, contextSize: 2048)
        return (sampler, engine.model)
    }

    func feed(_ text: String, _ sampler: TokenSampler, _ model: LlamaModel) throws -> Bool {
        for token in model.tokenize(text, addSpecial: false, parseSpecial: false) {
            guard try sampler.acceptForced(token) else { return false }
        }
        return true
    }

    @Test func theStartOfAToolCallTagForcesTheCall() throws {
        let (sampler, model) = try makeSampler(.gemma3)
        #expect(try feed("Sure. <tool_call", sampler, model))
        let forced = String(decoding: sampler.forcedText(maxCharacters: 64).bytes, as: UTF8.self)
        #expect(forced.hasPrefix(">\n{\"name\": \"get_time\", \"arguments\": {\"tz\": \""), "\(forced)")

        let (other, _) = try makeSampler(.gemma3)
        #expect(try !feed("Sure. <tool_call name=\"get_time\">", other, model))
    }

    @Test func theStartOfAFunctionTagForcesTheCall() throws {
        let (sampler, model) = try makeSampler(.v3Llama31)
        #expect(try feed("Sure <function", sampler, model))
        let forced = String(decoding: sampler.forcedText(maxCharacters: 64).bytes, as: UTF8.self)
        #expect(forced.hasPrefix("=get_time>{\"tz\": \""), "\(forced)")
    }

    @Test func plainTextIsNotForced() throws {
        let (sampler, model) = try makeSampler(.gemma3)
        #expect(try feed("Sure. The time in <b>Paris</b> is", sampler, model))
        #expect(sampler.forcedText(maxCharacters: 64).bytes.isEmpty)
    }
}
