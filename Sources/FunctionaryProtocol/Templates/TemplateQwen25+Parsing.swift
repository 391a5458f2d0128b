/// Parsing of qwen2.5-text-only output (protocol §3.6): text and `<tool_call>` JSON calls.
extension TemplateQwen25 {
    static let parsingStops = ["<|im_end|>"]

    /// Reads the output as the reference does, except that nothing is lost: an unterminated `<tool_call>`, a call that
    /// is not valid JSON (or has no name), and text after a call are content; a python call without a `code` string
    /// keeps its JSON arguments.
    public func parse(_ output: String, toolChoice: ToolChoice) -> AssistantOutput {
        ToolCallTagFormat.parse(
            ToolCallTagFormat.prefix(for: toolChoice).scalars + OutputTrimmer.trim(output, stops: Self.parsingStops))
    }

    public func makeStreamParser(toolChoice: ToolChoice) -> any StreamParser {
        TemplateStreamParser(
            prefix: ToolCallTagFormat.prefix(for: toolChoice), stops: Self.parsingStops, grammar: ToolCallTagGrammar())
    }
}
