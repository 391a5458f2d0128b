import FunctionaryProtocol

/// A stretch of a rendered training prompt whose tokens the model learns (labels not -100): one
/// assistant turn, from right after the assistant prefix through the turn's stop token.
///
/// Offsets count Unicode scalars, so they are Python `str` indices: `prompt[start:end]` in Python is
/// the span's text. `start` is inclusive, `end` exclusive.
public struct TrainingSpan: Sendable, Hashable {
    public var start: Int
    public var end: Int
    /// 0-based position of the turn among the assistant prefixes found in the prompt (the ordinal
    /// that `metadata.masked` refers to).
    public var assistantOrdinal: Int

    public init(start: Int, end: Int, assistantOrdinal: Int) {
        self.start = start
        self.end = end
        self.assistantOrdinal = assistantOrdinal
    }
}

/// A rendered training conversation: the prompt and the spans training learns.
public struct RenderedExample: Sendable, Hashable {
    public var prompt: String
    public var spans: [TrainingSpan]

    public init(prompt: String, spans: [TrainingSpan]) {
        self.prompt = prompt
        self.spans = spans
    }

    /// The text of a span of this prompt.
    public func text(of span: TrainingSpan) -> String {
        let scalars = prompt.unicodeScalars
        let start = scalars.index(scalars.startIndex, offsetBy: span.start, limitedBy: scalars.endIndex) ?? scalars.endIndex
        let end = scalars.index(start, offsetBy: max(0, span.end - span.start), limitedBy: scalars.endIndex) ?? scalars.endIndex
        return String(scalars[start..<end])
    }
}

/// Renders training conversations as the reference trainer does (protocol §8.2) and finds the
/// stretches it learns.
///
/// The prompt is `get_prompt_from_messages(messages, tools)` without a generation prompt. The spans are
/// found the way the reference masks labels, at string level instead of over token ids: scanning the
/// prompt left to right, each occurrence of the template's assistant prefix (protocol §3.1) opens a
/// turn; the span runs from right after the prefix (or from the prefix itself with
/// `keepAssistantPrefix`) up to and including the first stop token after it; scanning continues after
/// that stop token. The n-th turn found is skipped when the n-th assistant message has
/// `metadata.masked: true`. A prefix without a following stop token ends the scan.
public struct DatasetRenderer: Sendable {
    public let template: any PromptTemplate
    /// Include the assistant prefix in each span (the reference's `keep_assistant_prefix`).
    public var keepAssistantPrefix: Bool

    public init(template: any PromptTemplate, keepAssistantPrefix: Bool = false) {
        self.template = template
        self.keepAssistantPrefix = keepAssistantPrefix
    }

    public init(version: TemplateVersion, keepAssistantPrefix: Bool = false) {
        self.init(template: version.template, keepAssistantPrefix: keepAssistantPrefix)
    }

    /// Renders one conversation and finds its training spans.
    ///
    /// Messages go through `MessagePreprocessor` first (role validation; tool results with
    /// `tool_call_id`s are put in call order), then the template renders them with all the
    /// conversation's tools and no generation prompt.
    /// - Throws: `ProtocolError` when a message cannot be rendered (a bad role, a tool message without
    ///   `name` in v2, …).
    public func render(_ example: DatasetExample) throws(ProtocolError) -> RenderedExample {
        let messages = try MessagePreprocessor.prepare(example.messages)
        let prompt = try template.render(messages: messages, tools: example.tools, addGenerationPrompt: false)
        let spans = Self.trainingSpans(
            in: prompt, assistantPrefix: template.assistantPrefix, stopTokens: template.stopTokens,
            maskedOrdinals: example.maskedAssistantOrdinals, keepAssistantPrefix: keepAssistantPrefix)
        return RenderedExample(prompt: prompt, spans: spans)
    }

    /// Renders one JSONL line.
    /// - Throws: `DatasetProblem` for invalid JSON, bad field types or a conversation that cannot be rendered.
    public func render(line: DatasetReader.Line) throws(DatasetProblem) -> RenderedExample {
        let json = try DatasetReader.parse(line).get()
        do {
            return try render(try DatasetExample(json: json))
        } catch {
            let path = error.param.map { "$." + $0 } ?? "$"
            throw DatasetProblem(line: line.number, path: path, message: error.message)
        }
    }

    /// The label-mask scan of protocol §8.2 step 5 over the characters of a rendered prompt.
    ///
    /// - Parameters:
    ///   - prompt: the rendered conversation.
    ///   - assistantPrefix: the text that opens an assistant turn (§3.1 "assistant prefix").
    ///   - stopTokens: the template's stop tokens; the first one after the prefix ends the turn.
    ///   - maskedOrdinals: 0-based assistant turns not to learn.
    ///   - keepAssistantPrefix: start spans at the prefix instead of after it.
    /// - Returns: the learned spans, in Unicode-scalar offsets.
    public static func trainingSpans(
        in prompt: String, assistantPrefix: String, stopTokens: [String], maskedOrdinals: Set<Int> = [],
        keepAssistantPrefix: Bool = false
    ) -> [TrainingSpan] {
        let text = Array(prompt.unicodeScalars)
        let prefix = Array(assistantPrefix.unicodeScalars)
        let stops = stopTokens.map { Array($0.unicodeScalars) }.filter { !$0.isEmpty }
        guard !prefix.isEmpty, !stops.isEmpty else { return [] }
        var spans: [TrainingSpan] = []
        var ordinal = -1
        var index = 0
        while index < text.count {
            guard text.hasMatch(prefix, at: index) else {
                index += 1
                continue
            }
            ordinal += 1
            let contentStart = index + prefix.count
            var stopEnd: Int?
            var position = contentStart
            search: while position < text.count {
                for stop in stops where text.hasMatch(stop, at: position) {
                    stopEnd = position + stop.count
                    break search
                }
                position += 1
            }
            guard let stopEnd else { break }  // an unterminated turn: the reference stops scanning
            if !maskedOrdinals.contains(ordinal) {
                spans.append(TrainingSpan(start: keepAssistantPrefix ? index : contentStart, end: stopEnd, assistantOrdinal: ordinal))
            }
            index = position + 1
        }
        return spans
    }
}

extension Array where Element == Unicode.Scalar {
    /// Whether `needle` occurs at `offset`.
    fileprivate func hasMatch(_ needle: [Unicode.Scalar], at offset: Int) -> Bool {
        guard offset + needle.count <= count else { return false }
        for i in needle.indices where self[offset + i] != needle[i] { return false }
        return true
    }
}
