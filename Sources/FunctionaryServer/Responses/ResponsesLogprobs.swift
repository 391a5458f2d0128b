import FunctionaryProtocol

/// Which generated tokens' log probabilities belong to a response's `output_text` (Responses API, with
/// `include: ["message.output_text.logprobs"]`).
///
/// The API has log probabilities on text parts only (`function_call` items have none), so a token counts for the
/// text when the stream parser turns the text it completes into content: entries wait until the parser emits
/// content (they go out with that delta) and are dropped when it emits a call instead (the tokens of the call's
/// markers, name and arguments). Streamed and non-streamed responses use this same rule, so the entries of a
/// stream's `output_text.delta` events, in order, are those of the non-streamed `output_text`.
struct ResponsesLogprobs: Sendable {
    private var waiting: [TokenLogprobs] = []

    /// Tokens generated since the last events.
    mutating func add(_ entries: [TokenLogprobs]) {
        waiting += entries
    }

    /// The entries that go with each of `events` (the parser's events for the text those tokens completed):
    /// a non-empty content event takes every waiting entry, a call event drops them.
    mutating func assign(_ events: [StreamEvent]) -> [[TokenLogprobs]] {
        events.map { event in
            switch event {
            case .content(let text):
                guard !text.isEmpty else { return [] }
                defer { waiting.removeAll() }
                return waiting
            case .toolCallStart, .toolCallArguments:
                waiting.removeAll()
                return []
            }
        }
    }

    /// The entries of a whole generation's text part, found by replaying its tokens through a fresh stream parser
    /// (what a stream of the same tokens would have attached to its `output_text.delta` events).
    static func content(of entries: [TokenLogprobs], parser: any StreamParser) -> [TokenLogprobs] {
        var parser = parser
        var attribution = ResponsesLogprobs()
        var content: [TokenLogprobs] = []
        var bytes: [UInt8] = []
        for entry in entries {
            attribution.add([entry])
            bytes += entry.token.bytes
            // A token may end inside a UTF-8 character: its text goes to the parser with the token that completes it.
            guard let text = String(validating: bytes, as: UTF8.self) else { continue }
            bytes.removeAll()
            content += attribution.assign(parser.feed(text)).joined()
        }
        if !bytes.isEmpty { content += attribution.assign(parser.feed(String(decoding: bytes, as: UTF8.self))).joined() }
        content += attribution.assign(parser.finish()).joined()
        return content
    }

    /// The `logprobs` array of an `output_text` part or a text event.
    static func json(_ entries: [TokenLogprobs]) -> JSONValue {
        .array(entries.map(LogprobsJSON.chatEntry))
    }
}
