import FunctionaryProtocol
import Hummingbird
import ServiceLifecycle

/// Runs generations for the routes: admission, the engine call, waiting with cancellation when the client
/// goes away, and writing SSE streams. Shared by `/v1/chat/completions` and `/v1/completions`.
struct GenerationRunner: Sendable {
    let configuration: ServerConfiguration
    let metrics: ServerMetrics
    let admission: Admission
    let stop: StopSignal

    /// What a non-streaming generation produced.
    struct Collected: Sendable {
        var texts: [String]
        var reasons: [FinishReason?]
        var usage: GenerationUsage?
        var stoppedByShutdown: Bool
        /// Each choice's token log probabilities (empty unless the request asked for them).
        var logprobs: [[TokenLogprobs]] = []
        /// The request's stop string that ended each choice, when the engine said.
        var stopSequences: [String?] = []
    }

    /// Takes a place in admission, before the request's prompt is rendered and its grammar built (that work
    /// counts against the same `--parallel` + `--max-queue` budget as generation).
    /// - Throws: 503 while shutting down, 429 when the queue is full.
    func admit() throws(OpenAIError) -> Admission.Ticket {
        if stop.isTriggered {
            throw OpenAIError.unavailable("The server is shutting down.", retryAfter: configuration.retryAfterSeconds)
        }
        guard let ticket = admission.admit() else {
            throw OpenAIError.queueFull(
                "The server is busy: \(admission.slots) requests are generating and \(configuration.maxQueue) are waiting (--max-queue). Retry later.",
                retryAfter: configuration.retryAfterSeconds)
        }
        return ticket
    }

    /// Starts an admitted request's generation, in its tenant's prompt-cache partition (every generation the server
    /// starts goes through here, so none can reuse another tenant's cached prompt cells).
    /// - Throws: 503 while shutting down.
    func start(
        _ generation: GenerationRequest, on engine: some TextGenerator, ticket: Admission.Ticket, context: ServerRequestContext,
        started: ContinuousClock.Instant
    ) throws(OpenAIError) -> GenerationCursor {
        if stop.isTriggered {
            throw OpenAIError.unavailable("The server is shutting down.", retryAfter: configuration.retryAfterSeconds)
        }
        var generation = generation
        generation.cachePartition = context.tenant
        return GenerationCursor(
            stream: engine.generate(generation), ticket: ticket, metrics: metrics, record: context.record, stop: stop,
            retryAfter: configuration.retryAfterSeconds, started: started)
    }

    /// Runs `operation`, cancelling it when the request's connection closes.
    ///
    /// Not Hummingbird's `consumeWithCancellationOnInboundClose`: that reads the connection's inbound stream and,
    /// when cancelled at the end, finishes it, so the connection closed after every response without a
    /// `Connection: close`, and a client that reused it at once got "server disconnected".
    private static func untilClientLeaves<Value: Sendable>(
        _ context: ServerRequestContext, _ operation: () async throws -> Value
    ) async throws -> Value {
        guard let signal = await context.connectionCloseSignal() else { return try await operation() }
        return try await signal.cancelling(operation)
    }

    /// Reads a whole generation, cancelling it if the client disconnects.
    /// - Returns: nil when the client went away.
    func collect(_ cursor: GenerationCursor, choices: Int, context: ServerRequestContext) async throws -> Collected? {
        let stop = self.stop
        do {
            return try await Self.untilClientLeaves(context) {
                try await withGracefulShutdownHandler {
                    var collected = Collected(
                        texts: Array(repeating: "", count: choices), reasons: Array(repeating: nil, count: choices), usage: nil,
                        stoppedByShutdown: false, logprobs: Array(repeating: [], count: choices),
                        stopSequences: Array(repeating: nil, count: choices))
                    while let event = try await cursor.next() {
                        switch event {
                        case .text(let choice, let text) where collected.texts.indices.contains(choice):
                            collected.texts[choice] += text
                        case .finished(let choice, let reason) where collected.reasons.indices.contains(choice):
                            collected.reasons[choice] = reason
                        case .logprobs(let choice, let entries) where collected.logprobs.indices.contains(choice):
                            collected.logprobs[choice] += entries
                        case .stopSequence(let choice, let stop) where collected.stopSequences.indices.contains(choice):
                            collected.stopSequences[choice] = stop
                        case .usage(let usage):
                            collected.usage = usage
                        default:
                            break
                        }
                    }
                    if Task.isCancelled { throw CancellationError() }
                    collected.stoppedByShutdown = cursor.stoppedByShutdown
                    return collected
                } onGracefulShutdown: {
                    stop.trigger()
                }
            }
        } catch is CancellationError {
            cursor.close()
            return nil
        }
    }

    /// Waits for the first event of a streaming generation (while the request may still get an error status),
    /// cancelling it if the client disconnects meanwhile.
    /// - Returns: `.clientGone`, or the first event (nil when the generation produced none).
    func firstEvent(_ cursor: GenerationCursor, context: ServerRequestContext) async throws -> FirstEvent {
        let stop = self.stop
        do {
            let event = try await Self.untilClientLeaves(context) {
                try await withGracefulShutdownHandler {
                    try await cursor.next()
                } onGracefulShutdown: {
                    stop.trigger()
                }
            }
            return .event(event)
        } catch is CancellationError {
            cursor.close()
            return .clientGone
        }
    }

    enum FirstEvent {
        case event(GenerationEvent?)
        case clientGone
    }

    /// The response for a request whose client left before it was answered (logged as 499).
    static var clientClosedResponse: Response {
        Response(status: .init(code: 499, reasonPhrase: "Client Closed Request"))
    }

    /// A `text/event-stream` response that writes the generation's chunks as `data:` events, then `data: [DONE]`.
    ///
    /// An engine error after the stream has begun is sent as a `data: {"error": …}` event (OpenAI's clients raise
    /// it). When the client disconnects, the next write fails and the generation is cancelled at once.
    func streamResponse<Chunker: StreamChunker>(
        cursor: GenerationCursor, first: GenerationEvent?, chunker: Chunker, record: RequestRecord
    ) -> Response {
        let stop = self.stop
        let headers: HTTPFields = [
            .contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-cache",
        ]
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                var chunker = chunker
                do {
                    try await withGracefulShutdownHandler {
                        try await Self.send(chunker.start(), framing: chunker, to: &writer)
                        var event = first
                        do {
                            while let current = event {
                                try await Self.send(chunker.handle(current), framing: chunker, to: &writer)
                                event = try await cursor.next()
                            }
                        } catch let error as OpenAIError {
                            try await Self.send(chunker.failure(error), framing: chunker, to: &writer)
                            try await writer.finish(nil)
                            return
                        }
                        try await Self.send(chunker.end(stoppedByShutdown: cursor.stoppedByShutdown), framing: chunker, to: &writer)
                        if let usage = cursor.usage, let chunk = chunker.usageChunk(usage) {
                            try await Self.send([chunk], framing: chunker, to: &writer)
                        }
                        if let terminator = chunker.terminator {
                            try await writer.write(ByteBuffer(string: terminator))
                        }
                        try await writer.finish(nil)
                    } onGracefulShutdown: {
                        stop.trigger()
                    }
                } catch {
                    // The client went away (a write failed): stop generating now.
                    cursor.close()
                    record.update { $0.statusOverride = 499 }
                    throw error
                }
                cursor.close()
            })
    }

    private static func send(
        _ chunks: [JSONValue], framing chunker: some StreamChunker, to writer: inout any ResponseBodyWriter
    ) async throws {
        guard !chunks.isEmpty else { return }
        var text = ""
        for chunk in chunks { text += chunker.frame(chunk) }
        try await writer.write(ByteBuffer(string: text))
    }
}

/// Turns generation events into the chunks of one streaming response.
protocol StreamChunker: Sendable {
    /// Chunks sent before any event (the role chunks of a chat completion).
    mutating func start() -> [JSONValue]
    mutating func handle(_ event: GenerationEvent) -> [JSONValue]
    /// Chunks after the last event: finishes the choices the engine did not finish.
    mutating func end(stoppedByShutdown: Bool) -> [JSONValue]
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
