import FunctionaryProtocol

/// A tool-calling conversation: the history, the registered tools and the loop that runs the model,
/// executes its tool calls (the calls of one turn concurrently), sends the results back and goes on
/// until the model answers in text.
///
/// ```swift
/// let chat = Conversation(backend: HTTPBackend(url: "http://127.0.0.1:8000/v1", model: "functionary"), tools: DemoTools.all())
/// for try await event in chat.submit("What's the weather like in Santa Cruz, CA compared to Seattle, WA?") {
///     if case .textDelta(let text) = event { print(text, terminator: "") }
/// }
/// ```
public actor Conversation {
    /// How runs go.
    public struct Options: Sendable, Hashable {
        /// The most model turns one run may take (a turn with tool calls, then one per follow-up).
        public var maxSteps: Int
        /// tool_choice of the first turn of a run (`.required` makes a small model call a tool).
        public var toolChoice: ToolChoice
        /// tool_choice of the turns after tool results.
        public var followUpToolChoice: ToolChoice
        /// The longest one tool call may run (the code interpreter has its own limit); `nil`: no limit.
        public var toolTimeout: Duration?
        /// Whether the model may make several calls in one turn.
        public var parallelToolCalls: Bool
        public var sampling: SamplingOptions
        /// A JSON Schema the final answer must satisfy. Turns that offer tools (tool_choice other than `none`)
        /// run as usual; the answer comes from a turn with tool_choice `none` (or no tools) under this schema.
        public var responseFormat: JSONValue?

        public init(
            maxSteps: Int = 8, toolChoice: ToolChoice = .auto, followUpToolChoice: ToolChoice = .auto,
            toolTimeout: Duration? = .seconds(60), parallelToolCalls: Bool = true, sampling: SamplingOptions = SamplingOptions(),
            responseFormat: JSONValue? = nil
        ) {
            self.responseFormat = responseFormat
            self.maxSteps = maxSteps
            self.toolChoice = toolChoice
            self.followUpToolChoice = followUpToolChoice
            self.toolTimeout = toolTimeout
            self.parallelToolCalls = parallelToolCalls
            self.sampling = sampling
        }
    }

    public let backend: any ChatBackend
    public var options: Options
    /// The conversation so far.
    public internal(set) var messages: [ChatMessage]
    public internal(set) var tools: [AgentTool]
    let systemPrompt: String?
    var codeInterpreter: CodeInterpreter?
    /// One run (or reset) at a time.
    var runGate = TurnGate()

    /// - Parameters:
    ///   - backend: where the model runs.
    ///   - tools: the tools the model may call.
    ///   - system: a system message that starts the conversation (and survives `reset()`).
    ///   - options: limits and tool_choice.
    public init(backend: any ChatBackend, tools: [AgentTool] = [], system: String? = nil, options: Options = Options()) {
        self.backend = backend
        var unique: [AgentTool] = []
        for tool in tools {
            unique.removeAll { $0.name == tool.name }
            unique.append(tool)
        }
        self.tools = unique
        self.options = options
        self.systemPrompt = system
        self.messages = system.map { [ChatMessage(role: "system", content: $0)] } ?? []
    }

    /// Replaces the history (a saved transcript); the next run continues from it.
    public func restore(messages: [ChatMessage]) async {
        await beginRun()
        defer { endRun() }
        self.messages = messages
    }

    /// Adds a tool (replacing one of the same name).
    public func register(_ tool: AgentTool) {
        tools.removeAll { $0.name == tool.name }
        tools.append(tool)
    }

    /// Offers the code interpreter (`{"type": "code_interpreter"}`): `python` calls run in `interpreter`,
    /// which `reset()` restarts.
    public func useCodeInterpreter(_ interpreter: CodeInterpreter) {
        codeInterpreter = interpreter
        register(.codeInterpreter(interpreter))
    }

    /// Changes the options (e.g. tool_choice) for the next runs.
    public func setOptions(_ options: Options) { self.options = options }

    /// Forgets the history (the system message stays) and restarts the code interpreter; waits for a
    /// run that is going to end first.
    public func reset() async {
        await beginRun()
        defer { endRun() }
        messages = systemPrompt.map { [ChatMessage(role: "system", content: $0)] } ?? []
        await codeInterpreter?.restart()
    }

    /// Sends a user message and streams the run: text deltas, tool calls and their results, usage, the final
    /// message, and `finished` last. Stopping the iteration (or cancelling the task that iterates) cancels the run.
    ///
    /// The stream throws what the backend throws (an unreachable server, an engine error). Runs of one
    /// conversation take turns: a run submitted while another is going starts when it ends.
    public nonisolated func submit(_ text: String) -> AsyncThrowingStream<ConversationEvent, any Error> {
        AsyncThrowingStream { continuation in
            // The run needs a task of its own to produce events while the caller consumes them;
            // `onTermination` cancels it as soon as the consumer stops listening or is cancelled.
            let task = Task {
                do {
                    _ = try await self.send(text) { continuation.yield($0) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Sends a user message and runs the loop in the calling task, reporting each event to `onEvent`.
    ///
    /// History: each finished step (an assistant turn and all its tool results) is kept, even when the run
    /// is cancelled or fails later; a run that fails or is cancelled before its first step finished leaves
    /// the history as it was.
    /// A run that is going when this is called is waited for.
    /// - Returns: why the run ended (also reported as the last event).
    /// - Throws: the backend's errors.
    /// - Parameter options: options for this run only (the conversation's own options when nil).
    @discardableResult
    public func send(
        _ text: String, options runOptions: Options? = nil, onEvent: @escaping @Sendable (ConversationEvent) -> Void = { _ in }
    ) async throws -> RunEnd {
        await beginRun()
        let saved = options
        if let runOptions { options = runOptions }
        defer {
            options = saved
            endRun()
        }
        let start = messages.count
        messages.append(ChatMessage(role: "user", content: text))
        do {
            let end = try await loop(onEvent: onEvent)
            if end == .cancelled, messages.count == start + 1 { messages.removeLast() }
            onEvent(.finished(end))
            return end
        } catch {
            if messages.count == start + 1 { messages.removeLast() }
            if Task.isCancelled {
                onEvent(.finished(.cancelled))
                return .cancelled
            }
            throw error
        }
    }

    /// Waits until no other run (or reset) is going, then marks one as going.
    func beginRun() async {
        if !runGate.tryEnter() { await withCheckedContinuation { runGate.enqueue($0) } }
    }

    func endRun() {
        runGate.leave()
    }
}
