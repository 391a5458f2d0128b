extension TemplateGemma3 {
    public func parse(_ output: String, toolChoice: ToolChoice) -> AssistantOutput {
        AssistantOutput(content: output, toolCalls: [])
    }

    public func makeStreamParser(toolChoice: ToolChoice) -> any StreamParser {
        PassthroughStreamParser()
    }
}
