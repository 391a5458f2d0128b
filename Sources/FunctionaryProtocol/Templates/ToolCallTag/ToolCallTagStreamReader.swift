/// Incremental `<tool_call>` reading (same rules as `ToolCallTagFormat.parse`). A call is announced, with all its
/// arguments, when its `</tool_call>` arrives: until then it may still turn out to be text (unterminated or invalid).
struct ToolCallTagStreamReader: MarkerStreamReader {
    private var inCall = false
    private var buffer: Scalars = []
    private var run = TextRun(.stripped)

    var markers: [Scalars] {
        inCall ? [ToolCallTagFormat.close, ToolCallTagFormat.open] : [ToolCallTagFormat.open]
    }

    mutating func plain(_ scalar: Unicode.Scalar, into sink: inout EventSink) {
        if inCall { buffer.append(scalar) } else { run.push(scalar, into: &sink) }
    }

    mutating func marker(_ index: Int, into sink: inout EventSink) {
        if !inCall {
            inCall = true
        } else if index == 1 {
            // A new <tool_call> before </tool_call>: the open one was text.
            run.push(contentsOf: ToolCallTagFormat.open + buffer, into: &sink)
        } else {
            switch ToolCallTagFormat.read(buffer) {
            case .empty: break
            case .call(let name, let arguments):
                sink.startCall(name: name)
                sink.arguments(arguments.unicodeScalars)
            case .text:
                run.push(contentsOf: ToolCallTagFormat.open + buffer + ToolCallTagFormat.close, into: &sink)
            }
            inCall = false
        }
        buffer.removeAll()
    }

    mutating func end(into sink: inout EventSink) {
        if inCall { run.push(contentsOf: ToolCallTagFormat.open + buffer, into: &sink) }
        buffer.removeAll()
        run.end()
    }
}
