/// A piece of an assistant message as a streaming parser discovers it.
public enum StreamEvent: Sendable, Hashable {
    /// Text content.
    case content(String)
    /// A tool call starts: its position in the turn, a fresh id and its name.
    case toolCallStart(index: Int, id: String, name: String)
    /// More of the arguments of the call at `index`.
    case toolCallArguments(index: Int, String)
}

/// Turns text deltas of one generation into `StreamEvent`s.
///
/// Contract: the concatenated content and the per-call arguments equal what the template's `parse`
/// returns for the concatenated deltas, for any split of the text; nothing emitted is retracted;
/// text that may still turn into a marker is held back until it is decided.
public protocol StreamParser: Sendable {
    /// Consumes one delta and returns what it decided.
    mutating func feed(_ delta: String) -> [StreamEvent]
    /// Ends the generation and returns what was held back.
    mutating func finish() -> [StreamEvent]
}
