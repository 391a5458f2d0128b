/// A template that declares its end-of-turn markers once, with the prefix its parser reads the output after: the
/// stop tokens, what parsing trims from the end of the output, and the constraint grammar's `end` rule
/// (`TemplateFormat`) all come from `endMarkers`.
protocol EndMarkedTemplate: PromptTemplate {
    /// The end-of-turn markers.
    static var endMarkers: [String] { get }

    /// The text the parser puts before the output for a tool_choice (the reference parser's own prefix).
    static func parsingPrefix(for choice: ToolChoice) -> String
}

extension EndMarkedTemplate {
    public var stopTokens: [String] { Self.endMarkers }

    /// The tool_choice prefix of §3.1 (what the prompt ends with): by default what the parser reads before the output.
    public func generationPrefix(for choice: ToolChoice) -> String {
        Self.parsingPrefix(for: choice)
    }

    /// The output as the parser reads it: after the parsing prefix, without the end-of-turn markers at its end.
    static func prefixedOutput(_ output: String, toolChoice: ToolChoice) -> Scalars {
        parsingPrefix(for: toolChoice).scalars + OutputTrimmer.trim(output, stops: endMarkers)
    }

    /// A fresh incremental parser that reads the output after the parsing prefix with `reader`.
    static func streamParser<Reader: MarkerStreamReader>(toolChoice: ToolChoice, reader: Reader) -> any StreamParser {
        TemplateStreamParser(prefix: parsingPrefix(for: toolChoice), stops: endMarkers, reader: reader)
    }
}
