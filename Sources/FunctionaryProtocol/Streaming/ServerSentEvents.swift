/// One server-sent event: its `event:` name (if any) and its `data:` lines joined with newlines.
public struct ServerSentEvent: Sendable, Hashable {
    public var event: String?
    public var data: String

    public init(event: String? = nil, data: String) {
        self.event = event
        self.data = data
    }
}

extension ServerSentEvent {
    /// The JSON an OpenAI-style stream event carries: nil for an empty event and for `data: [DONE]` (which sets
    /// `done`), and `invalid(error, data)` thrown for data that is not JSON (`data` cut to 200 characters).
    public func jsonPayload<Failure: Error>(
        done: inout Bool, invalid: (_ error: any Error, _ data: Substring) -> Failure
    ) throws(Failure) -> JSONValue? {
        let data = self.data.trimmingWhitespace()
        if data == "[DONE]" {
            done = true
            return nil
        }
        if data.isEmpty { return nil }
        do {
            return try JSONValue(parsing: data)
        } catch {
            throw invalid(error, data.prefix(200))
        }
    }
}

/// Incremental decoder of a `text/event-stream` body (the WHATWG rules that OpenAI-style servers use):
/// lines end with `\n`, `\r\n` or `\r`; `data:` lines accumulate; a blank line dispatches the event;
/// lines starting with `:` are comments. Bytes may be split anywhere, inside a line or a UTF-8 character.
public struct ServerSentEventDecoder: Sendable {
    var line: [UInt8] = []
    var dataLines: [String] = []
    /// Bytes in `dataLines`: `data:` lines without a blank line between them make one event, bounded too.
    var dataBytes = 0
    var eventName: String?
    var afterCR = false
    /// The longest line accepted, so that a broken server cannot make a client buffer without end.
    public let maximumLineBytes: Int
    /// The most `data:` bytes of one event (its lines until a blank line), for the same reason.
    public let maximumEventBytes: Int

    public init(maximumLineBytes: Int = 16 << 20, maximumEventBytes: Int? = nil) {
        self.maximumLineBytes = maximumLineBytes
        self.maximumEventBytes = maximumEventBytes ?? maximumLineBytes
    }

    /// Consumes more of the body and returns the events it completed.
    /// - Throws: `ServerSentEventError.lineTooLong` when a line grows past `maximumLineBytes`,
    ///   `.eventTooLong` when one event's `data:` lines grow past `maximumEventBytes`.
    public mutating func feed<Bytes: Sequence>(_ bytes: Bytes) throws(ServerSentEventError) -> [ServerSentEvent]
    where Bytes.Element == UInt8 {
        var events: [ServerSentEvent] = []
        for byte in bytes {
            if afterCR {
                afterCR = false
                if byte == UInt8(ascii: "\n") { continue }
            }
            switch byte {
            case UInt8(ascii: "\n"):
                try endLine(into: &events)
            case UInt8(ascii: "\r"):
                afterCR = true
                try endLine(into: &events)
            default:
                line.append(byte)
                if line.count > maximumLineBytes { throw .lineTooLong(maximumLineBytes) }
            }
        }
        return events
    }

    /// Ends the body: an event not yet closed by a blank line is dispatched (servers that end with
    /// `data: [DONE]` and no blank line are common).
    public mutating func finish() -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        if !line.isEmpty { try? endLine(into: &events) }
        dispatch(into: &events)
        return events
    }

    private mutating func endLine(into events: inout [ServerSentEvent]) throws(ServerSentEventError) {
        defer { line.removeAll(keepingCapacity: true) }
        if line.isEmpty {
            dispatch(into: &events)
            return
        }
        if line.first == UInt8(ascii: ":") { return }
        let text = String(decoding: line, as: UTF8.self)
        let field: Substring
        var value: Substring
        if let colon = text.firstIndex(of: ":") {
            field = text[..<colon]
            value = text[text.index(after: colon)...]
            if value.first == " " { value = value.dropFirst() }
        } else {
            field = text[...]
            value = ""
        }
        switch field {
        case "data":
            dataBytes += value.utf8.count + 1
            if dataBytes > maximumEventBytes { throw .eventTooLong(maximumEventBytes) }
            dataLines.append(String(value))
        case "event": eventName = String(value)
        default: break  // id, retry and unknown fields do not matter here
        }
    }

    private mutating func dispatch(into events: inout [ServerSentEvent]) {
        defer {
            dataLines.removeAll()
            dataBytes = 0
            eventName = nil
        }
        guard !dataLines.isEmpty else { return }
        events.append(ServerSentEvent(event: eventName, data: dataLines.joined(separator: "\n")))
    }
}

/// A server-sent-event stream that cannot be read.
public enum ServerSentEventError: Error, Hashable, Sendable {
    /// A line longer than the decoder's limit (in bytes).
    case lineTooLong(Int)
    /// An event whose `data:` lines (without a blank line to end it) add up to more than the decoder's limit.
    case eventTooLong(Int)
}
