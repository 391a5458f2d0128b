import FunctionaryProtocol

/// Runs turns on an in-process engine (any `TextGenerator`, e.g. the embedded llama.cpp engine): builds
/// the Functionary prompt, constrains the output with the tool grammar, streams it through the
/// template's incremental parser and parses the whole output at the end.
///
/// Each step sends the whole conversation again; the engine's prompt cache finds the common prefix
/// with the previous step, so only the new messages (the tool results) are evaluated.
public struct EngineBackend: ChatBackend {
    /// Builds the grammar constraint for a turn: the resolved tools and whether parallel calls are allowed.
    public typealias ConstraintBuilder = @Sendable (ResolvedTools, Bool) throws -> OutputConstraint?

    public let generator: any TextGenerator
    public let template: any PromptTemplate
    /// Sampling for every turn; a request's `SamplingOptions` override single fields.
    public var sampling: SamplingParameters
    let constraintBuilder: ConstraintBuilder

    /// - Parameters:
    ///   - generator: the engine.
    ///   - template: the prompt format of the engine's model.
    ///   - sampling: the base sampling settings.
    ///   - constraint: builds the output grammar for a turn; by default the tool grammar of the protocol library.
    public init(
        generator: any TextGenerator, template: any PromptTemplate, sampling: SamplingParameters = SamplingParameters(),
        constraint: ConstraintBuilder? = nil
    ) {
        self.generator = generator
        self.template = template
        self.sampling = sampling
        let version = template.version
        self.constraintBuilder =
            constraint ?? { resolved, parallel in
                ToolGrammar.constraint(for: version, resolved: resolved, parallelToolCalls: parallel)
            }
    }

    public func respond(to request: TurnRequest, onEvent: @escaping @Sendable (TurnEvent) -> Void) async throws -> AssistantTurn {
        let resolved = try Self.resolve(request)
        let prompt = try PromptBuilder.prompt(template: template, messages: request.messages, resolved: resolved)
        if let schema = request.responseFormat {
            return try await respondJSON(prompt: prompt, schema: schema, request: request, onEvent: onEvent)
        }
        let constraint = try constraintBuilder(resolved, request.parallelToolCalls)
        let generation = GenerationRequest(
            prompt: prompt, sampling: effectiveSampling(request.sampling), n: 1, constraint: constraint,
            templateStops: template.stopTokens)

        var parser = template.makeStreamParser(toolChoice: resolved.choice)
        var streamedIDs: [Int: String] = [:]
        func forward(_ events: [StreamEvent]) {
            for event in events {
                switch event {
                case .content(let text): onEvent(.text(text))
                case .toolCallStart(let index, let id, let name):
                    streamedIDs[index] = id
                    onEvent(.toolCallStart(index: index, id: id, name: name))
                case .toolCallArguments(let index, let text): onEvent(.toolCallArguments(index: index, text))
                }
            }
        }
        let (output, finish, usage) = try await run(generation) { forward(parser.feed($0)) }
        forward(parser.finish())

        var parsed = template.parse(output, toolChoice: resolved.choice)
        for index in parsed.toolCalls.indices {
            // Keep the ids the stream announced, so events and history agree.
            parsed.toolCalls[index].id = streamedIDs[index] ?? parsed.toolCalls[index].id ?? ToolCallID.make()
        }
        let reason = parsed.finishReason(engine: finish, toolChoice: resolved.choice, legacyFunctions: false)
        return AssistantTurn(message: parsed.message, finishReason: reason.rawValue, usage: usage)
    }

    /// A turn whose answer is JSON text satisfying `schema` (the grammar `response_format` gets on the server).
    func respondJSON(
        prompt: String, schema: JSONValue, request: TurnRequest, onEvent: @escaping @Sendable (TurnEvent) -> Void
    ) async throws -> AssistantTurn {
        let generation = GenerationRequest(
            prompt: prompt, sampling: effectiveSampling(request.sampling), n: 1,
            constraint: ToolGrammar.jsonResponse(schema: schema), templateStops: template.stopTokens)
        let (output, finish, usage) = try await run(generation) { onEvent(.text($0)) }
        return AssistantTurn(
            message: ChatMessage(role: "assistant", content: output), finishReason: finish == .length ? "length" : "stop", usage: usage)
    }

    /// Runs one generation (choice 0), handing each piece of text to `onText` as it comes.
    private func run(
        _ generation: GenerationRequest, onText: (String) -> Void
    ) async throws -> (output: String, finish: FinishReason, usage: GenerationUsage?) {
        var output = ""
        var finish = FinishReason.stop
        var usage: GenerationUsage?
        for try await event in generator.generate(generation) {
            switch event {
            case .text(choice: 0, let text):
                output += text
                onText(text)
            case .finished(choice: 0, let reason): finish = reason
            case .usage(let counts): usage = counts
            default: break
            }
        }
        try Task.checkCancellation()
        return (output, finish, usage)
    }

    /// Applies tool_choice exactly as the server does (same validation and messages).
    static func resolve(_ request: TurnRequest) throws(ProtocolError) -> ResolvedTools {
        let hasTools = !request.tools.isEmpty
        var chat = ChatCompletionRequest(
            model: "", messages: request.messages, tools: hasTools ? request.tools : nil,
            toolChoice: hasTools ? request.toolChoice?.requestJSON : nil)
        chat.parallelToolCalls = request.parallelToolCalls
        return try chat.resolveTools()
    }

    func effectiveSampling(_ options: SamplingOptions) -> SamplingParameters {
        var result = sampling
        if let temperature = options.temperature { result.temperature = temperature }
        if let topP = options.topP { result.topP = topP }
        if let maxTokens = options.maxTokens { result.maxTokens = maxTokens }
        if let seed = options.seed { result.seed = UInt32(truncatingIfNeeded: seed) }
        return result
    }
}
