/// Placeholder parser that streams everything as content (until each template has its own).
struct PassthroughStreamParser: StreamParser {
    mutating func feed(_ delta: String) -> [StreamEvent] { delta.isEmpty ? [] : [.content(delta)] }
    mutating func finish() -> [StreamEvent] { [] }
}
