/// The incremental reading of one template's output format, driven by the markers it contains.
///
/// A stream reader sees the trimmed output (tool_choice prefix first) as plain scalars and markers; it changes the set of
/// markers it looks for only when it sees a marker.
protocol MarkerStreamReader: Sendable {
    /// The markers to look for in the current state.
    var markers: [Scalars] { get }
    /// A scalar that is not part of a marker.
    mutating func plain(_ scalar: Unicode.Scalar, into sink: inout EventSink)
    /// Marker `index` of `markers`.
    mutating func marker(_ index: Int, into sink: inout EventSink)
    /// The end of the output.
    mutating func end(into sink: inout EventSink)
}

/// A `StreamParser` for any template: trims the output as the non-streaming parser does (`OutputTrimmer`), feeds the
/// tool_choice prefix and then the trimmed output to the template's stream reader, and hands out the reader's events.
///
/// Work per delta is proportional to the delta (plus what the reader decides at a marker): nothing is re-read.
///
/// Equality with `parse`, for any split of the output into deltas: the concatenated `.content` events equal
/// `parse(output).content ?? ""` scalar for scalar (`parse` returns `nil`, never `""`, for no text), and the calls have
/// the same names and, concatenated, the same arguments, in the same order (ids are fresh in both). Text is held back
/// while it may still be a marker, a stop token at the end, or whitespace that `parse` strips. Deltas are `String`s,
/// so they hold whole Unicode scalars; a grapheme cluster may still be split between two events.
struct TemplateStreamParser<Reader: MarkerStreamReader>: StreamParser {
    private let trimmer: OutputTrimmer
    private var trimState = OutputTrimmer.Stream()
    private var reader: Reader
    private var matcher: MarkerMatcher
    private var sink = EventSink()
    private var trimmed: Scalars = []
    private var plainBuffer: Scalars = []
    private var finished = false

    /// - Parameters:
    ///   - prefix: the tool_choice prefix the prompt ended with (parsed as if the model had written it).
    ///   - stops: the template's stop tokens, removed from the end of the output.
    ///   - reader: the template's stream reader in its initial state.
    init(prefix: String, stops: [String], reader: Reader) {
        self.trimmer = OutputTrimmer(stops: stops)
        self.reader = reader
        self.matcher = MarkerMatcher(reader.markers)
        for scalar in prefix.unicodeScalars { consume(scalar) }
    }

    mutating func feed(_ delta: String) -> [StreamEvent] {
        guard !finished else { return [] }
        for scalar in delta.unicodeScalars {
            trimmer.push(scalar, state: &trimState, into: &trimmed)
        }
        consumeTrimmed()
        return sink.drain()
    }

    mutating func finish() -> [StreamEvent] {
        guard !finished else { return [] }
        finished = true
        trimmer.finish(state: &trimState, into: &trimmed)
        consumeTrimmed()
        matcher.flush(plain: &plainBuffer)
        deliverPlain()
        reader.end(into: &sink)
        return sink.drain()
    }

    private mutating func consumeTrimmed() {
        guard !trimmed.isEmpty else { return }
        for scalar in trimmed { consume(scalar) }
        trimmed.removeAll(keepingCapacity: true)
    }

    private mutating func consume(_ scalar: Unicode.Scalar) {
        let hit = matcher.push(scalar, plain: &plainBuffer)
        deliverPlain()
        if let hit {
            reader.marker(hit, into: &sink)
            let markers = reader.markers
            if markers != matcher.markers { matcher.markers = markers }
        }
    }

    private mutating func deliverPlain() {
        guard !plainBuffer.isEmpty else { return }
        for scalar in plainBuffer { reader.plain(scalar, into: &sink) }
        plainBuffer.removeAll(keepingCapacity: true)
    }
}
