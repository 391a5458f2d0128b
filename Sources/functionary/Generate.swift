import ArgumentParser
import Foundation
import FunctionaryEngine
import FunctionaryProtocol

/// `functionary generate REQUEST.json`: one chat request through the embedded engine.
struct Generate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one chat completion request (messages, tools, tool_choice) through the engine.",
        discussion: """
            Prints the assistant message as JSON ({"role","content","tool_calls"}) on stdout, and usage and \
            timings on stderr. Tool calls are constrained by a grammar built from the tools' JSON Schemas.
            """)

    @OptionGroup var engineOptions: EngineOptions

    @Option(name: .customLong("max-tokens"), help: "Most tokens to generate (default: the request's, else up to the context).")
    var maxTokens: Int?

    @Option(name: .long, help: "Sampling temperature (0: greedy; default: the request's, else 0.6).")
    var temperature: Double?

    @Option(name: .long, help: "Random seed (same seed and request: same output).")
    var seed: UInt32?

    @Flag(name: .customLong("no-grammar"), help: "Do not constrain the output with the tool grammar.")
    var noGrammar = false

    @Flag(name: .customLong("show-raw"), help: "Also print the raw generated text on stderr.")
    var showRaw = false

    @Argument(help: "The request JSON file (OpenAI chat completion body; \"model\" may be left out), or - for stdin.")
    var requestFile: String

    func validate() throws {
        if let maxTokens, maxTokens < 1 { throw ValidationError("--max-tokens must be at least 1") }
        if let temperature, !(temperature >= 0) { throw ValidationError("--temperature must be 0 or more") }
    }

    func run() async throws {
        // A bad request is one `error: …` line and exit code 2, as with render and parse.
        let (request, resolved) = try CommandIO.run { () throws -> (ChatCompletionRequest, ResolvedTools) in
            let request = try readRequest()
            return (request, try request.resolveTools())
        }
        let loadStart = ContinuousClock.now
        let (engine, version) = try engineOptions.loadEngine()
        defer { engine.shutdown() }
        let loadTime = ContinuousClock.now - loadStart
        let template = version.template
        let prompt = try CommandIO.run {
            try PromptBuilder.prompt(template: template, messages: request.messages, resolved: resolved)
        }

        var sampling = SamplingParameters(request: request)
        if let maxTokens { sampling.maxTokens = maxTokens }
        if let temperature { sampling.temperature = temperature }
        if let seed { sampling.seed = seed }
        var constraint: OutputConstraint?
        if !noGrammar {
            constraint = ToolGrammar.constraint(
                for: version, resolved: resolved, parallelToolCalls: request.parallelToolCalls ?? true)
        }
        let generation = GenerationRequest(
            prompt: prompt, sampling: sampling, n: 1, constraint: constraint, templateStops: template.stopTokens)

        let start = ContinuousClock.now
        var firstText: Duration?
        var text = ""
        var finish: FinishReason?
        var usage: GenerationUsage?
        for try await event in engine.generate(generation) {
            switch event {
            case .text(0, let delta):
                if firstText == nil { firstText = ContinuousClock.now - start }
                text += delta
            case .finished(0, let reason): finish = reason
            case .usage(let u): usage = u
            default: break
            }
        }
        let total = ContinuousClock.now - start

        let output = template.parse(text.trimmingCharacters(in: .whitespacesAndNewlines), toolChoice: resolved.choice)
        let message: JSONValue = [
            "role": "assistant",
            "content": output.content.map(JSONValue.string) ?? .null,
            "tool_calls": output.toolCalls.isEmpty ? .null : .array(output.toolCalls.map(\.json)),
        ]
        print(message.pythonJSON())
        if showRaw { printError("raw: \(JSONValue.string(text).pythonJSON())") }
        printError(report(version: version, engine: engine, usage: usage, finish: finish, load: loadTime, first: firstText, total: total))
    }

    private func readRequest() throws(InputError) -> ChatCompletionRequest {
        var json = try CommandIO.readJSON(requestFile)
        if case .object(var object) = json, object["model"] == nil {
            object["model"] = ""
            json = .object(object)
        }
        return try CommandIO.decode(ChatCompletionRequest.self, from: json)
    }

    private func report(
        version: TemplateVersion, engine: LlamaEngine, usage: GenerationUsage?, finish: FinishReason?, load: Duration,
        first: Duration?, total: Duration
    ) -> String {
        let completion = usage?.completionTokens ?? 0
        let decodeTime = total - (first ?? .zero)
        let rate = completion > 1 && decodeTime > .zero ? Double(completion - 1) / decodeTime.seconds : 0
        var lines = [
            "model: \(engine.modelName) (template \(version.rawValue), context \(engine.contextSize), adapter "
                + "\(engine.adapters.isEmpty ? "none" : engine.adapters.map(\.description).joined(separator: ",")))",
            "usage: prompt_tokens=\(usage?.promptTokens ?? 0) completion_tokens=\(completion) "
                + "cached_prompt_tokens=\(usage?.cachedPromptTokens ?? 0) finish_reason=\(finish?.rawValue ?? "none")",
        ]
        lines.append(
            "timings: load=\(format(load.seconds))s first_token=\(format((first ?? total).seconds))s "
                + "total=\(format(total.seconds))s decode=\(format(rate)) tokens/s")
        return lines.joined(separator: "\n")
    }
}

extension SamplingParameters {
    /// The sampling settings of a chat completion request (the reference's defaults where absent).
    fileprivate init(request: ChatCompletionRequest) {
        self.init()
        if let t = request.temperature { temperature = t }
        if let p = request.topP { topP = p }
        if let k = request.topK, k > 0 { topK = k }
        if let m = request.minP { minP = m }
        if let s = request.seed { seed = UInt32(truncatingIfNeeded: s) }
        maxTokens = request.requestedMaxTokens
        stop = request.stop?.values ?? []
        if let p = request.presencePenalty { presencePenalty = p }
        if let f = request.frequencyPenalty { frequencyPenalty = f }
        if let r = request.repetitionPenalty { repetitionPenalty = r }
    }
}

extension Duration {
    fileprivate var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) / 1e18
    }
}

private func format(_ value: Double) -> String {
    String(format: "%.2f", value)
}

private func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
