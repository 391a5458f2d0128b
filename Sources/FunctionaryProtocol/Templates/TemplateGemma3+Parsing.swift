/// Parsing of gemma3 output (protocol §3.7): the qwen2.5 `<tool_call>` format with `<end_of_turn>` as stop token.
extension TemplateGemma3 {
    static let parsingStops = ["<end_of_turn>"]

    /// Same rules as `TemplateQwen25.parse`.
    public func parse(_ output: String, toolChoice: ToolChoice) -> AssistantOutput {
        ToolCallTagFormat.parse(
            ToolCallTagFormat.prefix(for: toolChoice).scalars + OutputTrimmer.trim(output, stops: Self.parsingStops))
    }

    public func makeStreamParser(toolChoice: ToolChoice) -> any StreamParser {
        TemplateStreamParser(
            prefix: ToolCallTagFormat.prefix(for: toolChoice), stops: Self.parsingStops, grammar: ToolCallTagGrammar())
    }
}
