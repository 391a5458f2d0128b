/// One choice of a streamed chat completion: the template's streaming parser and a `ChatCompletionChunkBuilder`
/// together, from model text deltas to `chat.completion.chunk` objects.
public struct ChatCompletionChunkStream: Sendable {
    private var parser: any StreamParser
    /// The chunk builder (its `callCount`, `finishReason(engine:)`…).
    public private(set) var builder: ChatCompletionChunkBuilder

    /// - Parameters:
    ///   - template: the prompt template the model was prompted with.
    ///   - toolChoice: the resolved tool_choice (its prefix ended the prompt).
    ///   - legacyFunctions: the request used `functions`: calls go out as `function_call`.
    ///   - parallelToolCalls: `parallel_tool_calls`; `false` sends only the first call.
    ///   - id: the completion id (`ChatCompletionChunkBuilder.makeID()`).
    ///   - model: the model name the client asked for.
    ///   - created: Unix time in seconds.
    ///   - choiceIndex: the choice index.
    ///   - includeUsage: `stream_options.include_usage`.
    public init(
        template: any PromptTemplate, toolChoice: ToolChoice, legacyFunctions: Bool = false, parallelToolCalls: Bool = true,
        id: String, model: String, created: Int, choiceIndex: Int = 0, includeUsage: Bool = false
    ) {
        self.parser = template.makeStreamParser(toolChoice: toolChoice)
        self.builder = ChatCompletionChunkBuilder(
            id: id, model: model, created: created, choiceIndex: choiceIndex, toolChoice: toolChoice,
            legacyFunctions: legacyFunctions, parallelToolCalls: parallelToolCalls, includeUsage: includeUsage)
    }

    /// The chunks for the next piece of generated text (often none: text may be held back).
    public mutating func feed(_ text: String) -> [JSONValue] {
        builder.chunks(for: parser.feed(text))
    }

    /// The remaining chunks when generation stopped for `reason`, ending with the finish chunk.
    public mutating func finish(_ reason: FinishReason) -> [JSONValue] {
        builder.chunks(for: parser.finish()) + builder.finish(reason)
    }
}
