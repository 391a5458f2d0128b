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

    /// Every template, on the default model's vocabulary (where the other templates' special markers are not single
    /// tokens, so the grammar spells them): text followed by the template's call marker can only go on as a
    /// well-formed call of the one offered function, and the marker's characters never pass as text.
    @Test(arguments: [
        (TemplateVersion.gemma3, "Sure. <tool_call", ">\n{\"name\": \"get_time\", \"arguments\": {\"tz\": \""),
        (.qwen25, "Sure. <tool_call", ">\n{\"name\": \"get_time\", \"arguments\": {\"tz\": \""),
        (.v3Llama31, "Sure <function", "=get_time>{\"tz\": \""),
        (.v2, "all\n<|content|>Sure\n<|from|>", "assistant\n<|recipient|>get_time\n<|content|>{\"tz\": \""),
        (.v3Llama3, "all\nSure>>>", "get_time\n{\"tz\": \""),
        (.v2Llama3, "Sure<|reserved_special_token_249|>", "get_time\n{\"tz\": \""),
    ])
    func everyTemplateCommitsToACallAfterItsMarker(version: TemplateVersion, fed: String, forcedPrefix: String) throws {
        let (sampler, model) = try makeSampler(version)
        #expect(try feed(fed, sampler, model), "\(version)")
        let forced = String(decoding: sampler.forcedText(maxCharacters: 96).bytes, as: UTF8.self)
        #expect(forced.hasPrefix(forcedPrefix), "\(version): \(forced)")
    }

    /// A template's call markup written as text (a marker followed by something that is not a call) is refused.
    @Test(arguments: [
        (TemplateVersion.gemma3, "Sure. <tool_call name=\"get_time\">"),
        (.qwen25, "Sure. <tool_call name=\"get_time\">"),
        (.v3Llama31, "Sure <function name=get_time>"),
        (.v2, "all\n<|content|>Sure <|recipient|>get_time"),
        (.v3Llama3, "all\nSure>>> get_time"),
        (.v2Llama3, "Sure<|reserved_special_token_249|> get_time"),
    ])
    func everyTemplateRefusesItsMarkupAsText(version: TemplateVersion, fed: String) throws {
        let (sampler, model) = try makeSampler(version)
        #expect(try !feed(fed, sampler, model), "\(version)")
    }

    @Test func plainTextIsNotForced() throws {
        let (sampler, model) = try makeSampler(.gemma3)
        #expect(try feed("Sure. The time in <b>Paris</b> is", sampler, model))
        #expect(sampler.forcedText(maxCharacters: 64).bytes.isEmpty)
    }
}
