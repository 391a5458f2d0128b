import FunctionaryProtocol

/// A small prompt format for server tests, independent of the real templates: calls are written
/// `<call>name{json}</call>`, anything else is content. Ids are deterministic (`call_0`, `call_1`…).
struct TestTemplate: PromptTemplate {
    var version: TemplateVersion { .qwen25 }

    func render(messages: [ChatMessage], tools: [Tool], addGenerationPrompt: Bool) throws(ProtocolError) -> String {
        var out = tools.isEmpty ? "" : "tools: \(tools.map(\.callName).joined(separator: ","))\n"
        for message in messages {
            out += "\(message.role): \(message.text ?? "")\n"
        }
        return out + (addGenerationPrompt ? assistantPrefix : "")
    }

    func generationPrefix(for choice: ToolChoice) -> String {
        if case .function(let name) = choice { return "<call>\(name)" }
        return ""
    }

    var assistantPrefix: String { "assistant: " }
    var stopTokens: [String] { ["<end>"] }

    func parse(_ output: String, toolChoice: ToolChoice) -> AssistantOutput {
        var text = output
        if case .function(let name) = toolChoice { text = "<call>\(name)" + text }
        var parser = TestStreamParser()
        let events = parser.feed(text) + parser.finish()
        var content = ""
        var calls: [ToolCall] = []
        for event in events {
            switch event {
            case .content(let piece): content += piece
            case .toolCallStart(_, let id, let name): calls.append(ToolCall(id: id, name: name, arguments: ""))
            case .toolCallArguments(let index, let piece): calls[index].function.arguments += piece
            }
        }
        // An unclosed call is not a call: all of it is content.
        if parser.unclosed { return AssistantOutput(content: output, toolCalls: []) }
        return AssistantOutput(content: content.isEmpty ? nil : content, toolCalls: calls)
    }

    func makeStreamParser(toolChoice: ToolChoice) -> any StreamParser {
        var parser = TestStreamParser()
        if case .function(let name) = toolChoice { parser.pendingPrefix = "<call>\(name)" }
        return parser
    }
}

/// The incremental parser of `TestTemplate`: holds back text that may be the start of a marker.
struct TestStreamParser: StreamParser {
    enum Mode { case content, name, arguments }
    var mode = Mode.content
    var buffer = ""
    var calls = 0
    var pendingPrefix = ""
    var unclosed: Bool { mode != .content }

    mutating func feed(_ delta: String) -> [StreamEvent] {
        buffer += pendingPrefix + delta
        pendingPrefix = ""
        var events: [StreamEvent] = []
        while true {
            switch mode {
            case .content:
                if let range = buffer.range(of: "<call>") {
                    if range.lowerBound > buffer.startIndex { events.append(.content(String(buffer[..<range.lowerBound]))) }
                    buffer = String(buffer[range.upperBound...])
                    mode = .name
                    continue
                }
                let keep = Self.heldBack(buffer, marker: "<call>")
                let emit = String(buffer.dropLast(keep))
                if !emit.isEmpty { events.append(.content(emit)) }
                buffer = String(buffer.suffix(keep))
                return events
            case .name:
                guard let brace = buffer.firstIndex(of: "{") else { return events }
                events.append(.toolCallStart(index: calls, id: "call_\(calls)", name: String(buffer[..<brace])))
                buffer = String(buffer[brace...])
                mode = .arguments
            case .arguments:
                if let range = buffer.range(of: "</call>") {
                    let arguments = String(buffer[..<range.lowerBound])
                    if !arguments.isEmpty { events.append(.toolCallArguments(index: calls, arguments)) }
                    buffer = String(buffer[range.upperBound...])
                    calls += 1
                    mode = .content
                    continue
                }
                let keep = Self.heldBack(buffer, marker: "</call>")
                let emit = String(buffer.dropLast(keep))
                if !emit.isEmpty { events.append(.toolCallArguments(index: calls, emit)) }
                buffer = String(buffer.suffix(keep))
                return events
            }
        }
    }

    mutating func finish() -> [StreamEvent] {
        defer { buffer = "" }
        guard !buffer.isEmpty else { return [] }
        switch mode {
        case .content: return [.content(buffer)]
        case .name: return [.content(buffer)]
        case .arguments: return [.toolCallArguments(index: calls, buffer)]
        }
    }

    /// How many trailing characters could be the start of `marker`.
    static func heldBack(_ text: String, marker: String) -> Int {
        for length in stride(from: min(marker.count - 1, text.count), to: 0, by: -1)
        where marker.hasPrefix(String(text.suffix(length))) {
            return length
        }
        return 0
    }
}
