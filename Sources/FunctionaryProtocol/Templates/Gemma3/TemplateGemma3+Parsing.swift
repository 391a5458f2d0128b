/// Parsing of gemma3 output (protocol §3.7): the qwen2.5 `<tool_call>` format (`ToolCallTagFormat`) with `<end_of_turn>` as
/// stop token.
extension TemplateGemma3 {
    public func parse(_ output: String, toolChoice: ToolChoice) -> AssistantOutput {
        ToolCallTagFormat.parse(output, toolChoice: toolChoice, stops: Self.endMarkers)
    }

    public func makeStreamParser(toolChoice: ToolChoice) -> any StreamParser {
        ToolCallTagFormat.streamParser(toolChoice: toolChoice, stops: Self.endMarkers)
    }
}
