import FunctionaryProtocol
import Hummingbird
import NIOCore
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
    /// it). When the client disconnects, the next write fails and the generation is cancelled at once. The
    /// generation is read as fast as it comes into a `StreamBuffer` of `--max-stream-buffer` bytes: a client that
    /// falls further behind (a slow reader) is disconnected and its generation cancelled, freeing its place.
    func streamResponse<Chunker: StreamChunker>(
        cursor: GenerationCursor, first: GenerationEvent?, chunker: Chunker, context: ServerRequestContext
    ) -> Response {
        let stop = self.stop
        let record = context.record
        let channel = context.channel
        let limit = configuration.maxStreamBuffer
        let metrics = self.metrics
        let headers: HTTPFields = [
            .contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-cache",
        ]
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                let buffer = StreamBuffer(limit: limit)
                do {
                    try await withGracefulShutdownHandler {
                        try await withThrowingTaskGroup(of: Void.self) { group in
                            group.addTask {
                                await Self.produce(cursor: cursor, first: first, chunker: chunker, into: buffer, channel: channel)
                            }
                            do {
                                while let text = await buffer.next() {
                                    try await writer.write(ByteBuffer(string: text))
                                }
                            } catch {
                                group.cancelAll()
                                throw error
                            }
                            try await group.waitForAll()
                        }
                        if buffer.overflowed { throw SlowReader(limit: limit) }
                        try await writer.finish(nil)
                    } onGracefulShutdown: {
                        stop.trigger()
                    }
                } catch {
                    // The client went away (a write failed) or fell too far behind: stop generating now (the reading
                    // task has ended, so the cursor is ours again).
                    cursor.close()
                    record.update { $0.statusOverride = 499 }
                    if buffer.overflowed { metrics.recordSlowReader() }
                    throw error
                }
                cursor.close()
            })
    }

    /// A streaming client that fell more than `--max-stream-buffer` bytes behind its generation.
    struct SlowReader: Error, CustomStringConvertible {
        let limit: Int
        var description: String { "the client read the stream too slowly (more than \(limit) bytes waiting, --max-stream-buffer)" }
    }

    /// Reads the generation into `buffer` as fast as it comes, framing each chunk. On overflow the generation is
    /// cancelled and the connection closed (the writer may be blocked on a client that reads nothing).
    private static func produce<Chunker: StreamChunker>(
        cursor: GenerationCursor, first: GenerationEvent?, chunker: Chunker, into buffer: StreamBuffer, channel: any Channel
    ) async {
        defer { buffer.finish() }
        var chunker = chunker
        func push(_ chunks: [JSONValue]) async -> Bool {
            var text = ""
            for chunk in chunks { text += chunker.frame(chunk) }
            if await buffer.push(text) { return true }
            cursor.close()
            if buffer.overflowed { channel.close(promise: nil) }
            return false
        }
        guard await push(chunker.start()) else { return }
        var event = first
        do {
            while let current = event {
                guard await push(chunker.handle(current)) else { return }
                event = try await cursor.next()
            }
        } catch {
            // `cursor.next()` throws only `OpenAIError`.
            _ = await push(chunker.failure(error))
            return
        }
        if Task.isCancelled { return }
        guard await push(chunker.end(stoppedByShutdown: cursor.stoppedByShutdown)) else { return }
        if let usage = cursor.usage, let chunk = chunker.usageChunk(usage) {
            guard await push([chunk]) else { return }
        }
        if let terminator = chunker.terminator { _ = await buffer.push(terminator) }
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
