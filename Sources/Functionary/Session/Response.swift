import FunctionaryAgent
import FunctionaryProtocol

/// A finished response.
public struct Response<Content: Sendable>: Sendable {
    /// The answer: text, or the typed value.
    public var content: Content
    /// The answer as the model wrote it (JSON text for a typed response).
    public var rawText: String
    /// The tool calls of this response, with their results, in the order they finished.
    public var toolResults: [ToolResult]
    /// What this response added to the transcript (the prompt, tool calls, outputs and the answer).
    public var transcriptEntries: [Transcript.Entry]
    /// Token counts, summed over the model turns of the response (when the backend reports them).
    public var usage: GenerationUsage?
}

/// What a streamed response reports while it goes, in order; `completed` is last.
public enum ResponseEvent<Content: Sendable, Partial: Sendable>: Sendable {
    /// More text of the answer (JSON text for a typed response).
    case textDelta(String)
    /// A tool call is about to run.
    case toolCall(ToolCallStarted)
    /// A tool call finished.
    case toolResult(ToolResult)
    /// The answer so far: the text, or the partially generated value (each property `nil` until it is complete).
    case partial(Partial)
    /// The finished response.
    case completed(Response<Content>)
}
