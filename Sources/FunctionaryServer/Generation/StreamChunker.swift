import FunctionaryProtocol

/// Turns generation events into the chunks of one streaming response.
protocol StreamChunker: Sendable {
    /// Chunks sent before any event (the role chunks of a chat completion).
    mutating func start() -> [JSONValue]
    mutating func handle(_ event: GenerationEvent) -> [JSONValue]
    /// Chunks after the last event: finishes the choices the engine did not finish, with `unfinishedReason`.
    mutating func end(unfinishedReason: FinishReason) -> [JSONValue]
    /// The usage chunk, when the client asked for one.
    func usageChunk(_ usage: GenerationUsage) -> JSONValue?
    /// One chunk as server-sent-event text (`data: …` and a blank line by default).
    func frame(_ chunk: JSONValue) -> String
    /// The chunks that report an engine error after the stream has begun (`{"error": …}` by default).
    mutating func failure(_ error: OpenAIError) -> [JSONValue]
    /// Text written after the last chunk (`data: [DONE]` by default; nil for none).
    var terminator: String? { get }
}

extension StreamChunker {
    func frame(_ chunk: JSONValue) -> String { "data: " + chunk.compactJSON() + "\n\n" }
    mutating func failure(_ error: OpenAIError) -> [JSONValue] { [error.json] }
    var terminator: String? { "data: [DONE]\n\n" }
}

/// Chunks sent as named events (`event: <type>` then `data: …`), as the Responses and Messages APIs stream them:
/// each chunk's `type` names its event, and no `[DONE]` follows the last.
protocol NamedEventChunker: StreamChunker {}

extension NamedEventChunker {
    func frame(_ chunk: JSONValue) -> String {
        "event: " + (chunk["type"]?.stringValue ?? "message") + "\ndata: " + chunk.compactJSON() + "\n\n"
    }
    var terminator: String? { nil }
}

/// What a stream of one parsed assistant turn keeps (the Responses and Messages APIs): the template's stream parser
/// and what the engine said about the turn's choice (choice 0), read event by event.
struct TurnStream {
    private(set) var parser: any StreamParser
    /// The engine's finish reason, or `end`'s reason for a turn the engine did not finish.
    private(set) var reason: FinishReason?
    private(set) var usage: GenerationUsage?
    /// The request's stop string that ended the turn, when the engine said.
    private(set) var stopSequence: String?
    /// The stream has ended (`end`, or an error).
    var done = false

    init(parser: any StreamParser) {
        self.parser = parser
    }

    /// Reads an event of choice 0 (or the usage).
    /// - Returns: the parser's events for the text it brought, and whether it finished the turn; nil for an event
    ///   with no text (or after the end).
    mutating func read(_ event: GenerationEvent) -> (events: [StreamEvent], finished: Bool)? {
        guard !done else { return nil }
        switch event {
        case .text(0, let text):
            return (parser.feed(text), false)
        case .finished(0, let finishReason):
            reason = finishReason
            return (parser.finish(), true)
        case .usage(let usage):
            self.usage = usage
        case .stopSequence(0, let stop):
            stopSequence = stop
        default:
            break
        }
        return nil
    }

    /// Ends the stream after the last event.
    /// - Returns: the parser's last events when the engine did not finish the turn (it ends with `unfinishedReason`);
    ///   nil when it did, or the stream had already ended.
    mutating func end(unfinishedReason: FinishReason) -> [StreamEvent]? {
        guard !done else { return nil }
        done = true
        guard reason == nil else { return nil }
        reason = unfinishedReason
        return parser.finish()
    }
}

/// The stream of one parsed assistant turn as named events (the Responses and Messages APIs): the turn's text goes
/// through the template's stream parser (`turn`) into the API's blocks or items, one open at a time.
///
/// `apply` turns the parser's events into blocks or items the same way for both: text goes on in the open text block
/// (opening one after closing what is open), each call opens its own (only the first when the request forbids
/// parallel calls), and its arguments go on in it.
protocol TurnEventChunker: NamedEventChunker {
    var turn: TurnStream { get set }
    /// Whether the request lets the model make more than one call (else only the parser's first call is sent).
    var parallelToolCalls: Bool { get }
    /// Sees each event before the parser does (nothing by default).
    mutating func observe(_ event: GenerationEvent)
    /// The log probabilities that go with each of the parser's events (none by default).
    mutating func logprobEntries(for events: [StreamEvent]) -> [[TokenLogprobs]]
    /// Whether a text block or item is open.
    var textIsOpen: Bool { get }
    /// The events that open a text block or item (none is open).
    mutating func openText() -> [JSONValue]
    /// The events for more text of the open text block or item.
    mutating func appendText(_ text: String, logprobs entries: [TokenLogprobs]) -> [JSONValue]
    /// The events that open a call's block or item (none is open).
    mutating func openCall(parserIndex: Int, callID: String, name: String) -> [JSONValue]
    /// The events for more arguments of the parser's call `parserIndex`: none unless it is the open one.
    mutating func appendArguments(_ piece: String, parserIndex: Int) -> [JSONValue]
    /// The events that close the open block or item (none when none is open).
    mutating func close() -> [JSONValue]
    /// The events after the turn has ended (its reason and usage are in `turn`).
    mutating func finish() -> [JSONValue]
    /// The events that report an engine error after the stream has begun.
    mutating func failed(_ error: OpenAIError) -> [JSONValue]
}

extension TurnEventChunker {
    mutating func observe(_ event: GenerationEvent) {}

    mutating func logprobEntries(for events: [StreamEvent]) -> [[TokenLogprobs]] {
        Array(repeating: [], count: events.count)
    }

    /// The API's events for the parser's events.
    mutating func apply(_ events: [StreamEvent]) -> [JSONValue] {
        var out: [JSONValue] = []
        for (event, entries) in zip(events, logprobEntries(for: events)) {
            switch event {
            case .content(let text):
                guard !text.isEmpty else { continue }
                if !textIsOpen {
                    out += close()
                    out += openText()
                }
                out += appendText(text, logprobs: entries)
            case .toolCallStart(let parserIndex, let callID, let name):
                out += close()
                guard parallelToolCalls || parserIndex == 0 else { continue }
                out += openCall(parserIndex: parserIndex, callID: callID, name: name)
            case .toolCallArguments(let parserIndex, let piece):
                guard !piece.isEmpty else { continue }
                out += appendArguments(piece, parserIndex: parserIndex)
            }
        }
        return out
    }

    mutating func handle(_ event: GenerationEvent) -> [JSONValue] {
        if !turn.done { observe(event) }
        guard let step = turn.read(event) else { return [] }
        return apply(step.events) + (step.finished ? close() : [])
    }

    mutating func end(unfinishedReason: FinishReason) -> [JSONValue] {
        guard !turn.done else { return [] }
        var events: [JSONValue] = []
        if let last = turn.end(unfinishedReason: unfinishedReason) { events += apply(last) + close() }
        return events + finish()
    }

    func usageChunk(_ usage: GenerationUsage) -> JSONValue? { nil }

    mutating func failure(_ error: OpenAIError) -> [JSONValue] {
        turn.done = true
        return failed(error)
    }
}

extension JSONValue {
    /// An integer as a JSON number.
    static func int(_ value: Int) -> JSONValue { .number(JSONNumber(value)) }
}
