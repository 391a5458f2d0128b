/// Incremental v3-llama3.1 reading (same rules as `TemplateV3Llama31.parse`). A `<function=…>` call is announced when
/// its `</function>` arrives — until then it may still turn out to be text (unterminated) — and a `<|python_tag|>`
/// call streams its code as it comes.
struct Llama31StreamReader: MarkerStreamReader {
    enum State: Sendable {
        case text
        /// Inside `<function=` … `</function>`.
        case function
        /// After `<|python_tag|>`: code to the end.
        case python
    }

    private var state = State.text
    private var buffer: Scalars = []
    private var run = TextRun(.unlessBlank)

    var markers: [Scalars] {
        switch state {
        case .text: return [TemplateV3Llama31.pythonTag, TemplateV3Llama31.functionOpen]
        case .function: return [TemplateV3Llama31.functionClose]
        case .python: return []
        }
    }

    mutating func plain(_ scalar: Unicode.Scalar, into sink: inout EventSink) {
        switch state {
        case .text: run.push(scalar, into: &sink)
        case .function: buffer.append(scalar)
        case .python: sink.argument(scalar)
        }
    }

    mutating func marker(_ index: Int, into sink: inout EventSink) {
        switch (state, index) {
        case (.text, 0):
            sink.startCall(name: "python")
            state = .python
        case (.text, _):
            buffer.removeAll()
            state = .function
        default:  // </function>
            if let call = TemplateV3Llama31.readFunction(buffer[...]) {
                sink.startCall(name: call.name)
                sink.arguments(call.arguments.unicodeScalars)
            } else {
                run.push(contentsOf: TemplateV3Llama31.functionOpen + buffer + TemplateV3Llama31.functionClose, into: &sink)
            }
            buffer.removeAll()
            state = .text
        }
    }

    mutating func end(into sink: inout EventSink) {
        if state == .function {
            run.push(contentsOf: TemplateV3Llama31.functionOpen + buffer, into: &sink)
        }
        run.end()
    }
}
