/// Parsing of qwen2.5-text-only output (protocol §3.6): text and `<tool_call>` JSON calls (`ToolCallTagFormat`).
extension TemplateQwen25 {
    public func parse(_ output: String, toolChoice: ToolChoice) -> AssistantOutput {
        ToolCallTagFormat.parse(output, toolChoice: toolChoice, stops: Self.endMarkers)
    }

    public func makeStreamParser(toolChoice: ToolChoice) -> any StreamParser {
        ToolCallTagFormat.streamParser(toolChoice: toolChoice, stops: Self.endMarkers)
    }
}
