/// Collects the events of one `feed`, merging consecutive text of the same kind into one event.
struct EventSink: Sendable {
    private var events: [StreamEvent] = []
    private var text = String.UnicodeScalarView()
    private var arguments = String.UnicodeScalarView()
    /// The number of calls started so far; the current call is `callCount - 1`.
    private(set) var callCount = 0
    /// Whether any content has been emitted in this generation.
    private(set) var hasContent = false

    mutating func content(_ scalar: Unicode.Scalar) {
        flushArguments()
        text.append(scalar)
        hasContent = true
    }

    /// Starts a call; later `argument` scalars belong to it.
    mutating func startCall(name: String) {
        flushText()
        flushArguments()
        events.append(.toolCallStart(index: callCount, id: ToolCallID.make(), name: name))
        callCount += 1
    }

    mutating func argument(_ scalar: Unicode.Scalar) {
        flushText()
        arguments.append(scalar)
    }

    mutating func arguments<S: Sequence>(_ scalars: S) where S.Element == Unicode.Scalar {
        flushText()
        arguments.append(contentsOf: scalars)
    }

    /// The events collected since the last drain.
    mutating func drain() -> [StreamEvent] {
        flushText()
        flushArguments()
        defer { events.removeAll(keepingCapacity: true) }
        return events
    }

    private mutating func flushText() {
        guard !text.isEmpty else { return }
        events.append(.content(String(text)))
        text = String.UnicodeScalarView()
    }

    private mutating func flushArguments() {
        guard !arguments.isEmpty else { return }
        events.append(.toolCallArguments(index: callCount - 1, String(arguments)))
        arguments = String.UnicodeScalarView()
    }
}

/// A run of streamed text whose surrounding whitespace the non-streaming parser strips: whitespace is held back until
/// more text shows that it is inner whitespace, so the streamed text equals the stripped text exactly.
struct TextRun: Sendable {
    enum Kind: Sendable {
        /// A text block of v2/v2.llama3/v3.llama3: stripped, and joined to earlier content with `"\n"`.
        case block
        /// All of the content at once (qwen2.5/gemma3): stripped, nothing added.
        case stripped
        /// The content of v3-llama3.1: kept as is, but nothing at all when it is only whitespace.
        case unlessBlank
        /// Call arguments: stripped.
        case arguments
    }

    let kind: Kind
    private var started = false
    private var held: Scalars = []

    init(_ kind: Kind) {
        self.kind = kind
    }

    /// The run after a recipient line: a text block for a text recipient, else the arguments of a call named
    /// `name`, which starts on `sink`.
    static func after<C: Collection>(recipient name: C, isText: Bool, into sink: inout EventSink) -> TextRun
    where C.Element == Unicode.Scalar {
        guard !isText else { return TextRun(.block) }
        sink.startCall(name: String(scalars: name))
        return TextRun(.arguments)
    }

    mutating func push(_ scalar: Unicode.Scalar, into sink: inout EventSink) {
        if scalar.isPythonWhitespace {
            if started {
                if kind == .unlessBlank { emit(scalar, into: &sink) } else { held.append(scalar) }
            } else if kind == .unlessBlank {
                held.append(scalar)
            }
            return
        }
        if !started {
            started = true
            if kind == .block && sink.hasContent { sink.content("\n") }
        }
        for h in held { emit(h, into: &sink) }
        held.removeAll(keepingCapacity: true)
        emit(scalar, into: &sink)
    }

    mutating func push<S: Sequence>(contentsOf scalars: S, into sink: inout EventSink) where S.Element == Unicode.Scalar {
        for scalar in scalars { push(scalar, into: &sink) }
    }

    /// Ends the run: held whitespace is dropped.
    mutating func end() {
        held.removeAll()
    }

    private func emit(_ scalar: Unicode.Scalar, into sink: inout EventSink) {
        if kind == .arguments { sink.argument(scalar) } else { sink.content(scalar) }
    }
}
