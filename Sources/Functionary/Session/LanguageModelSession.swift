import FunctionaryAgent
import FunctionaryProtocol
import Synchronization

/// A conversation with a model that runs the tool loop itself: prompts go in, the model calls the session's
/// tools (the calls of one turn concurrently), and the answer comes back as text or as a typed `Generable` value.
///
/// ```swift
/// let session = LanguageModelSession(backend: backend, tools: [FlipCoin(), WeatherTool()],
///                                    instructions: "You are a helpful assistant.")
/// let answer = try await session.respond(to: "Flip a coin for me", options: GenerationOptions(temperature: 0))
/// print(answer.content)
/// let plan = try await session.respond(to: "Plan three days in Paris", generating: TripPlan.self).content
/// ```
///
/// The backend is any `ChatBackend`: the embedded engine (`EngineBackend`, e.g. the default model) or any
/// OpenAI-compatible server (`HTTPBackend`, e.g. `functionary serve`). Responses of one session take turns.
public final class LanguageModelSession: Sendable {
    /// Where the model runs.
    public let backend: any ChatBackend
    /// The tools the model may call.
    public let tools: [any Tool]
    let conversation: Conversation

    /// - Parameters:
    ///   - backend: where the model runs.
    ///   - tools: the tools the model may call.
    ///   - instructions: the system message.
    public init(backend: any ChatBackend, tools: [any Tool] = [], instructions: String? = nil) {
        self.backend = backend
        self.tools = tools
        self.conversation = Conversation(backend: backend, tools: tools.map(\.agentTool), system: instructions)
    }

    /// A session that continues a saved transcript (its instructions included).
    public convenience init(backend: any ChatBackend, tools: [any Tool] = [], transcript: Transcript) async {
        self.init(backend: backend, tools: tools)
        await conversation.restore(messages: transcript.messages)
    }

    /// Everything so far.
    public var transcript: Transcript {
        get async { Transcript(messages: await conversation.messages) }
    }

    /// Answers `prompt` in text, calling tools as the model asks.
    /// - Throws: `LanguageModelSession.Error`.
    @discardableResult
    public func respond(to prompt: String, options: GenerationOptions = GenerationOptions()) async throws -> Response<String> {
        try await run(prompt, schema: nil, options: options, onEvent: { _ in }) { $0 }
    }

    /// Answers `prompt` with a value of `type`, generated under the grammar of its JSON Schema (after any tool calls).
    /// - Throws: `LanguageModelSession.Error` (`.decodingFailed` when the answer was cut short).
    public func respond<Content: Generable>(
        to prompt: String, generating type: Content.Type = Content.self, options: GenerationOptions = GenerationOptions()
    ) async throws -> Response<Content> {
        try await run(prompt, schema: Content.generationSchema, options: options, onEvent: { _ in }) { text in
            try Self.decode(Content.self, from: text)
        }
    }

    /// Streams the answer to `prompt`: text deltas, tool calls and results, the text so far, then the response.
    public func streamResponse(
        to prompt: String, options: GenerationOptions = GenerationOptions()
    ) -> AsyncThrowingStream<ResponseEvent<String, String>, any Swift.Error> {
        stream { continuation in
            let text = Locked("")
            return try await self.run(prompt, schema: nil, options: options) { event in
                if case .textDelta(let delta) = event {
                    continuation.yield(.textDelta(delta))
                    continuation.yield(
                        .partial(
                            text.withLock {
                                $0 += delta; return $0
                            }))
                } else if case .toolCallStarted = event {
                    text.withLock { $0 = "" }
                }
                Self.forward(event, to: continuation)
            } decode: {
                $0
            }
        }
    }

    /// Streams a typed answer: text deltas (JSON), tool calls and results, the value as partially generated so far
    /// (each time it changes), then the response.
    public func streamResponse<Content: Generable>(
        to prompt: String, generating type: Content.Type = Content.self, options: GenerationOptions = GenerationOptions()
    ) -> AsyncThrowingStream<ResponseEvent<Content, Content.PartiallyGenerated>, any Swift.Error> {
        stream { continuation in
            let state = Locked((text: "", last: GeneratedContent?.none))
            return try await self.run(prompt, schema: Content.generationSchema, options: options) { event in
                switch event {
                case .textDelta(let delta):
                    continuation.yield(.textDelta(delta))
                    let changed: GeneratedContent? = state.withLock { state in
                        state.text += delta
                        guard let value = PartialJSON.parse(state.text), value != state.last else { return nil }
                        state.last = value
                        return value
                    }
                    if let changed, let partial = try? Content.PartiallyGenerated(changed) { continuation.yield(.partial(partial)) }
                case .toolCallStarted, .usage:
                    state.withLock { $0 = ("", nil) }  // a new turn starts
                default: break
                }
                Self.forward(event, to: continuation)
            } decode: { text in
                try Self.decode(Content.self, from: text)
            }
        }
    }

    static func forward<C, P>(_ event: ConversationEvent, to continuation: AsyncThrowingStream<ResponseEvent<C, P>, any Swift.Error>.Continuation) {
        switch event {
        case .toolCallStarted(let call): continuation.yield(.toolCall(call))
        case .toolResult(_, let result): continuation.yield(.toolResult(result))
        default: break
        }
    }

    func stream<C, P>(
        _ body: @escaping @Sendable (AsyncThrowingStream<ResponseEvent<C, P>, any Swift.Error>.Continuation) async throws -> Response<C>
    ) -> AsyncThrowingStream<ResponseEvent<C, P>, any Swift.Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    continuation.yield(.completed(try await body(continuation)))
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    static func decode<Content: Generable>(_ type: Content.Type, from text: String) throws -> Content {
        let json: JSONValue
        do {
            json = try JSONValue(parsing: text.trimmingWhitespace())
        } catch {
            if PartialJSON.parse(text) != nil { throw Error.decodingFailed("the JSON is incomplete: \(text)") }
            throw Error.refused(text)
        }
        let value: Content
        do {
            value = try Content(json)
        } catch {
            throw Error.decodingFailed(String(describing: error))
        }
        // The grammar enforces the schema except where it cannot (bounds of non-integer numbers): check the rest.
        let violations = JSONSchemaValidator(schema: Content.generationSchema).validate(json)
        if !violations.isEmpty {
            throw Error.decodingFailed(violations.map { "\($0)" }.joined(separator: "; "))
        }
        return value
    }
}

/// A value behind a `Mutex` that escaping closures can share.
final class Locked<Value: Sendable>: Sendable {
    let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func withLock<R: Sendable>(_ body: (inout Value) -> R) -> R {
        mutex.withLock { body(&$0) }
    }
}
