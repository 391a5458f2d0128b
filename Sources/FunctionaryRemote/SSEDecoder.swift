/// Splits a `text/event-stream` body, arriving in arbitrary byte chunks, into events. Only whole
/// lines are decoded as UTF-8, so a character split between two chunks is never damaged.
struct SSEDecoder: Sendable {
    /// One server-sent event.
    struct Event: Sendable, Hashable {
        var name: String?
        var data: String
    }

    private var buffer: [UInt8] = []
    private var dataLines: [String] = []
    private var eventName: String?
    /// Limit on one line, so that a broken upstream cannot make us buffer without end.
    let maximumLineBytes: Int

    init(maximumLineBytes: Int = 16 << 20) {
        self.maximumLineBytes = maximumLineBytes
    }

    /// Feeds bytes; returns the events they complete.
    /// - Throws: `SSEError.lineTooLong` when a line exceeds `maximumLineBytes`.
    mutating func feed(_ bytes: some Collection<UInt8>) throws -> [Event] {
        buffer.append(contentsOf: bytes)
        var events: [Event] = []
        var start = 0
        while let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
            var end = newline
            if end > start && buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            if let event = line(buffer[start..<end]) { events.append(event) }
            start = newline + 1
        }
        buffer.removeFirst(start)
        if buffer.count > maximumLineBytes { throw SSEError.lineTooLong(maximumLineBytes) }
        return events
    }

    /// The event left when the body ends without a final blank line.
    mutating func finish() -> [Event] {
        var events: [Event] = []
        if !buffer.isEmpty {
            if let event = line(buffer[...]) { events.append(event) }
            buffer.removeAll()
        }
        if let event = dispatch() { events.append(event) }
        return events
    }

    private mutating func line(_ bytes: ArraySlice<UInt8>) -> Event? {
        if bytes.isEmpty { return dispatch() }
        let text = String(decoding: bytes, as: UTF8.self)
        if text.hasPrefix(":") { return nil }
        let field: Substring
        var value: Substring
        if let colon = text.firstIndex(of: ":") {
            field = text[..<colon]
            value = text[text.index(after: colon)...]
            if value.first == " " { value = value.dropFirst() }
        } else {
            field = Substring(text)
            value = ""
        }
        switch field {
        case "data": dataLines.append(String(value))
        case "event": eventName = String(value)
        default: break
        }
        return nil
    }

    private mutating func dispatch() -> Event? {
        defer {
            dataLines.removeAll()
            eventName = nil
        }
        guard !dataLines.isEmpty else { return nil }
        return Event(name: eventName, data: dataLines.joined(separator: "\n"))
    }
}

enum SSEError: Error, Hashable {
    case lineTooLong(Int)
}
