import Foundation
import FunctionaryAgent
import FunctionaryProtocol
import Testing

/// A toy prompt format: `role: text` lines; the output is `content|name args|name args`.
struct PipeTemplate: PromptTemplate {
    var version: TemplateVersion { .gemma3 }
    var assistantPrefix: String { "assistant:" }
    var stopTokens: [String] { ["<end>"] }

    func render(messages: [ChatMessage], tools: [Tool], addGenerationPrompt: Bool) throws(ProtocolError) -> String {
        let lines = ["tools: " + tools.map(\.callName).joined(separator: ",")] + messages.map { "\($0.role): \($0.text ?? "")" }
        return lines.joined(separator: "\n") + (addGenerationPrompt ? "\nassistant:" : "")
    }

    func generationPrefix(for choice: ToolChoice) -> String { choice == .required ? "!" : "" }

    func parse(_ output: String, toolChoice: ToolChoice) -> AssistantOutput {
        var parts = output.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        let content = parts.removeFirst()
        let calls = parts.map { part -> ToolCall in
            let pieces = part.split(separator: " ", maxSplits: 1).map(String.init)
            return ToolCall(name: pieces[0], arguments: pieces.count > 1 ? pieces[1] : "")
        }
        return AssistantOutput(content: content.isEmpty ? nil : content, toolCalls: calls)
    }

    func makeStreamParser(toolChoice: ToolChoice) -> any StreamParser { PipeStreamParser() }
}

/// Holds everything back, then reports it with ids of its own (which the backend must keep).
struct PipeStreamParser: StreamParser {
    var text = ""
    mutating func feed(_ delta: String) -> [StreamEvent] {
        text += delta
        return []
    }

    mutating func finish() -> [StreamEvent] {
        let output = PipeTemplate().parse(text, toolChoice: .auto)
        var events: [StreamEvent] = output.content.map { [.content($0)] } ?? []
        for (index, call) in output.toolCalls.enumerated() {
            events.append(.toolCallStart(index: index, id: "call_streamed\(index)", name: call.function.name))
            events.append(.toolCallArguments(index: index, call.function.arguments))
        }
        return events
    }
}

/// An engine that replies with fixed text in small pieces and records its requests.
final class FixedGenerator: TextGenerator, @unchecked Sendable {
    // @unchecked Sendable: `recorded` is only touched under `lock`.
    private let lock = NSLock()
    private var recorded: [GenerationRequest] = []
    let output: String
    var contextSize: Int { 4096 }

    init(output: String) { self.output = output }

    var requests: [GenerationRequest] {
        lock.lock()
        defer { lock.unlock() }
        return recorded
    }

    func generate(_ request: GenerationRequest) -> AsyncThrowingStream<GenerationEvent, any Error> {
        lock.lock()
        recorded.append(request)
        lock.unlock()
        let output = self.output
        return AsyncThrowingStream { continuation in
            var rest = Substring(output)
            while !rest.isEmpty {
                continuation.yield(.text(choice: 0, String(rest.prefix(3))))
                rest = rest.dropFirst(3)
            }
            continuation.yield(.finished(choice: 0, .stop))
            continuation.yield(.usage(GenerationUsage(promptTokens: 42, completionTokens: 7, cachedPromptTokens: 40)))
            continuation.finish()
        }
    }
}

@Suite("Engine backend")
struct EngineBackendTests {
    @Test("builds the prompt, passes the constraint and stops, streams, and keeps the streamed call ids")
    func turn() async throws {
        let generator = FixedGenerator(output: #"Checking.|get_car_price {"car_name": "Song"}|get_car_price {"car_name": "Tang"}"#)
        let seen = ConstraintLog()
        let backend = EngineBackend(generator: generator, template: PipeTemplate()) { resolved, parallel in
            seen.record(resolved.tools.map(\.callName), resolved.choice, parallel)
            return OutputConstraint(grammar: "root ::= \"x\"")
        }
        let request = TurnRequest(
            messages: [ChatMessage(role: "user", content: "Is Song more expensive than Tang?")], tools: DemoTools.all().map(\.definition),
            toolChoice: .required, parallelToolCalls: true, sampling: SamplingOptions(temperature: 0, maxTokens: 100, seed: 3))
        let log = TurnLog()
        let turn = try await backend.respond(to: request) { log.append($0) }

        let sent = try #require(generator.requests.first)
        #expect(sent.prompt == "tools: flip_coin,get_current_weather,get_car_price\nuser: Is Song more expensive than Tang?\nassistant:!")
        #expect(sent.constraint == OutputConstraint(grammar: "root ::= \"x\""))
        #expect(sent.templateStops == ["<end>"])
        #expect(sent.sampling.temperature == 0 && sent.sampling.maxTokens == 100 && sent.sampling.seed == 3)
        #expect(seen.calls == ["flip_coin,get_current_weather,get_car_price|required|true"])

        #expect(turn.message.text == "Checking.")
        #expect(turn.toolCalls.map(\.id) == ["call_streamed0", "call_streamed1"])
        #expect(turn.toolCalls.map(\.function.arguments) == [#"{"car_name": "Song"}"#, #"{"car_name": "Tang"}"#])
        #expect(turn.finishReason == "tool_calls")
        #expect(turn.usage == GenerationUsage(promptTokens: 42, completionTokens: 7, cachedPromptTokens: 40))
        #expect(log.events.first == .text("Checking."))
        #expect(log.events[1] == .toolCallStart(index: 0, id: "call_streamed0", name: "get_car_price"))
    }

    @Test("a whole conversation on the engine: calls, results in the next prompt, a text answer")
    func conversation() async throws {
        let generator = SequenceGenerator(outputs: [#"|get_car_price {"car_name": "Song"}"#, "Song costs $25,000."])
        let backend = EngineBackend(generator: generator, template: PipeTemplate()) { _, _ in nil }
        let conversation = Conversation(backend: backend, tools: [DemoTools.carPrice()], options: .init(toolChoice: .required))
        #expect(try await conversation.send("How much is the Song?") == .answered)
        let prompts = generator.prompts
        #expect(prompts.count == 2)
        #expect(prompts[1].hasPrefix(prompts[0].dropLast(1)))  // the next step extends the previous prompt (prompt cache)
        #expect(prompts[1].contains(#"tool: {"car_name": "Song", "price": "$25,000"}"#))
        #expect(await conversation.messages.last?.text == "Song costs $25,000.")
    }

    @Test("an unknown named tool_choice is the server's error")
    func badToolChoice() async {
        let backend = EngineBackend(generator: FixedGenerator(output: ""), template: PipeTemplate()) { _, _ in nil }
        let request = TurnRequest(
            messages: [ChatMessage(role: "user", content: "hi")], tools: [DemoTools.flipCoin().definition], toolChoice: .function("nope"))
        await #expect {
            try await backend.respond(to: request) { _ in }
        } throws: { error in
            (error as? ProtocolError)?.message
                == "Invalid value for 'tool_choice': no function named nope was specified in the 'tools' parameter"
        }
    }
}

/// Replies with the next output on each request.
final class SequenceGenerator: TextGenerator, @unchecked Sendable {
    // @unchecked Sendable: `recorded` is only touched under `lock`.
    private let lock = NSLock()
    private var recorded: [String] = []
    let outputs: [String]
    var contextSize: Int { 4096 }

    init(outputs: [String]) { self.outputs = outputs }

    var prompts: [String] {
        lock.lock()
        defer { lock.unlock() }
        return recorded
    }

    func generate(_ request: GenerationRequest) -> AsyncThrowingStream<GenerationEvent, any Error> {
        lock.lock()
        let output = outputs[min(recorded.count, outputs.count - 1)]
        recorded.append(request.prompt)
        lock.unlock()
        return AsyncThrowingStream { continuation in
            var rest = Substring(output)
            while !rest.isEmpty {  // small pieces, split anywhere, as a stress for the stream parsers
                continuation.yield(.text(choice: 0, String(rest.prefix(3))))
                rest = rest.dropFirst(3)
            }
            continuation.yield(.finished(choice: 0, .stop))
            continuation.yield(.usage(GenerationUsage(promptTokens: 1, completionTokens: 1)))
            continuation.finish()
        }
    }
}

final class ConstraintLog: @unchecked Sendable {
    // @unchecked Sendable: `items` is only touched under `lock`.
    private let lock = NSLock()
    private var items: [String] = []

    func record(_ tools: [String], _ choice: ToolChoice, _ parallel: Bool) {
        lock.lock()
        items.append("\(tools.joined(separator: ","))|\(choice.flag)|\(parallel)")
        lock.unlock()
    }

    var calls: [String] {
        lock.lock()
        defer { lock.unlock() }
        return items
    }
}
