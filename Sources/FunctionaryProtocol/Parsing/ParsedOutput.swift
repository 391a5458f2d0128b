/// Collects what a non-streaming parser reads: text blocks and calls.
struct ParsedOutput {
    private var blocks: [String] = []
    private(set) var calls: [ToolCall] = []

    /// Adds a text block of v2/v2.llama3/v3.llama3: stripped, skipped when empty; blocks are joined with `"\n"`
    /// (the reference keeps only the last `all` block; joining loses no text).
    mutating func addBlock<C: BidirectionalCollection>(_ text: C) where C.Element == Unicode.Scalar {
        let stripped = text.pythonStripped()
        if !stripped.isEmpty { blocks.append(String(scalars: stripped)) }
    }

    mutating func addCall<N: Collection, A: Collection>(name: N, arguments: A)
    where N.Element == Unicode.Scalar, A.Element == Unicode.Scalar {
        calls.append(ToolCall(name: String(scalars: name), arguments: String(scalars: arguments)))
    }

    mutating func addCall(name: String, arguments: String) {
        calls.append(ToolCall(name: name, arguments: arguments))
    }

    /// The output with the blocks joined (content `nil` when there is no text).
    var blockOutput: AssistantOutput {
        AssistantOutput(content: blocks.isEmpty ? nil : blocks.joined(separator: "\n"), toolCalls: calls)
    }

    /// The output with the given content (`nil` when empty).
    func output(content: Scalars) -> AssistantOutput {
        AssistantOutput(content: content.isEmpty ? nil : String(scalars: content), toolCalls: calls)
    }
}

extension TextRun {
    /// Streams a whole text block at once (a block found to be text only at its end).
    static func emitBlock(_ text: Scalars, into sink: inout EventSink) {
        var run = TextRun(.block)
        run.push(contentsOf: text, into: &sink)
        run.end()
    }
}
