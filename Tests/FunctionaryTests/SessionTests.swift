import Foundation
import Functionary
import Synchronization
import Testing

/// Plays scripted turns and records the requests (text streamed in pieces of `chunk` characters).
final class ScriptBackend: ChatBackend {
    let recorded = Mutex([TurnRequest]())
    let script: @Sendable (Int, TurnRequest) async throws -> AssistantTurn
    init(_ script: @escaping @Sendable (Int, TurnRequest) async throws -> AssistantTurn) { self.script = script }
    var requests: [TurnRequest] { recorded.withLock { $0 } }

    func respond(to request: TurnRequest, onEvent: @escaping @Sendable (TurnEvent) -> Void) async throws -> AssistantTurn {
        let step = recorded.withLock {
            $0.append(request); return $0.count - 1
        }
        let turn = try await script(step, request)
        var text = Substring(turn.message.text ?? "")
        while !text.isEmpty {
            onEvent(.text(String(text.prefix(4))))
            text = text.dropFirst(4)
        }
        return turn
    }

    static func text(_ text: String) -> AssistantTurn {
        AssistantTurn(
            message: ChatMessage(role: "assistant", content: text), finishReason: "stop",
            usage: GenerationUsage(promptTokens: 10, completionTokens: 3))
    }

    static func calls(_ calls: [(String, String)]) -> AssistantTurn {
        let toolCalls = calls.enumerated().map { ToolCall(id: "call_\($0.offset)", name: $0.element.0, arguments: $0.element.1) }
        return AssistantTurn(message: ChatMessage(role: "assistant", content: nil, toolCalls: toolCalls), finishReason: "tool_calls")
    }
}

@Generable struct CityArguments {
    @Guide(description: "The city") var city: String
}

struct WeatherReport: Encodable, Sendable {
    var city: String
    var temperature: Int
}

/// A typed tool with an Encodable output, which waits `delay` (to see calls of one turn run together).
struct SlowWeather: Tool {
    let name = "get_weather"
    let description = "Get the weather of a city"
    var delay: Duration = .zero
    func call(arguments: CityArguments) async throws -> WeatherReport {
        try await Task.sleep(for: delay)
        if arguments.city == "Nowhere" { throw ToolError("no such city") }
        return WeatherReport(city: arguments.city, temperature: arguments.city.count * 10)
    }
}

@Suite struct SessionTests {
    @Test func toolLoopWithTypedToolsAndTranscript() async throws {
        let backend = ScriptBackend { step, _ in
            step == 0 ? ScriptBackend.calls([("get_weather", #"{"city": "Paris"}"#), ("flip", "{}")]) : ScriptBackend.text("It is 50 there.")
        }
        let flip = FunctionTool(name: "flip", description: "Flip a coin") { (_: EmptyArguments) in "heads" }
        let session = LanguageModelSession(backend: backend, tools: [SlowWeather(), flip], instructions: "Be brief.")
        let response = try await session.respond(to: "Weather in Paris?", options: GenerationOptions(temperature: 0))
        #expect(response.content == "It is 50 there.")
        #expect(Set(response.toolResults.map(\.output)) == [#"{"city":"Paris","temperature":50}"#, "heads"])
        let request = try #require(backend.requests.first)
        #expect(request.tools.map(\.callName) == ["get_weather", "flip"])
        #expect(request.tools.first?.function?.parameters == CityArguments.generationSchema)
        #expect(request.sampling.temperature == 0)
        #expect(request.messages.first?.text == "Be brief.")

        let transcript = await session.transcript
        #expect(transcript.entries.first == .instructions("Be brief."))
        #expect(transcript.entries.last == .response("It is 50 there."))
        #expect(transcript.entries.contains { if case .toolCalls(let calls) = $0 { calls.count == 2 } else { false } })
        // Saved and restored: the next request continues the same history.
        let saved = try JSONEncoder().encode(transcript)
        let restoredTranscript = try JSONDecoder().decode(Transcript.self, from: saved)
        #expect(restoredTranscript == transcript)
        let next = ScriptBackend { _, _ in ScriptBackend.text("Again.") }
        let restored = await LanguageModelSession(backend: next, tools: [SlowWeather(), flip], transcript: restoredTranscript)
        try await restored.respond(to: "And now?")
        #expect(next.requests.first?.messages.count == transcript.messages.count + 1)
        #expect(next.requests.first?.messages.dropLast() == transcript.messages[...])
    }

    @Test func callsOfOneTurnRunConcurrently() async throws {
        let backend = ScriptBackend { step, _ in
            step == 0
                ? ScriptBackend.calls([("get_weather", #"{"city":"A"}"#), ("get_weather", #"{"city":"B"}"#), ("get_weather", #"{"city":"C"}"#)])
                : ScriptBackend.text("ok")
        }
        let session = LanguageModelSession(backend: backend, tools: [SlowWeather(delay: .milliseconds(400))])
        let start = ContinuousClock.now
        let response = try await session.respond(to: "three cities")
        #expect(response.toolResults.count == 3)
        #expect(ContinuousClock.now - start < .milliseconds(1100))
    }

    @Test func typedResponseUsesTheSchemaAsResponseFormat() async throws {
        let backend = ScriptBackend { _, _ in
            ScriptBackend.text(
                #"{"destination": "Paris", "days": 3, "activities": ["Louvre", "Seine"], "transport": "train", "airport": "CDG", "budget": 900}"#)
        }
        let session = LanguageModelSession(backend: backend)
        let plan = try await session.respond(to: "Plan a trip", generating: TripPlan.self).content
        #expect(plan.destination == "Paris" && plan.days == 3 && plan.airport == "CDG")
        #expect(backend.requests.first?.responseFormat == TripPlan.generationSchema)
    }

    @Test func typedResponseAfterToolCalls() async throws {
        let backend = ScriptBackend { step, request in
            switch step {
            case 0: return ScriptBackend.calls([("get_weather", #"{"city": "Oslo"}"#)])
            default: return ScriptBackend.text(#"{"on": true}"#)
            }
        }
        let session = LanguageModelSession(backend: backend, tools: [SlowWeather()])
        let flag = try await session.respond(to: "Is it on?", generating: Flag.self).content
        #expect(flag.on)
        let requests = backend.requests
        #expect(requests.count == 2)
        #expect(requests[0].responseFormat == nil && requests[0].toolChoice == .auto)
        #expect(requests[1].responseFormat == Flag.generationSchema && requests[1].toolChoice == ToolChoice.none)
    }

    @Test func aTextAnswerWhereATypedOneIsWantedIsAskedAgain() async throws {
        let backend = ScriptBackend { step, _ in
            step == 0 ? ScriptBackend.text("Sure, here it is") : ScriptBackend.text(#"{"on": false}"#)
        }
        let session = LanguageModelSession(backend: backend, tools: [SlowWeather()])
        #expect(try await session.respond(to: "?", generating: Flag.self).content.on == false)
        #expect(backend.requests.count == 2)
        #expect(await session.transcript.entries.filter { if case .response = $0 { true } else { false } }.count == 1)
    }

    @Test func errorsACallerCanSwitchOn() async throws {
        let refusing = LanguageModelSession(backend: ScriptBackend { _, _ in ScriptBackend.text("I can't help with that.") })
        await #expect(throws: LanguageModelSession.Error.refused("I can't help with that.")) {
            try await refusing.respond(to: "?", generating: Flag.self)
        }
        let cut = LanguageModelSession(backend: ScriptBackend { _, _ in ScriptBackend.text(#"{"on": tr"#) })
        await #expect(throws: LanguageModelSession.Error.self) { try await cut.respond(to: "?", generating: Flag.self) }
        let full = LanguageModelSession(
            backend: ScriptBackend { _, _ in
                throw GenerationError.contextOverflow(promptTokens: 5000, maxTokens: 100, contextSize: 4096)
            })
        do {
            try await full.respond(to: "long")
            Issue.record("no error")
        } catch LanguageModelSession.Error.exceededContextWindowSize {
        } catch { Issue.record("unexpected \(error)") }

        let failing = LanguageModelSession(
            backend: ScriptBackend { step, _ in step == 0 ? ScriptBackend.calls([("get_weather", #"{"city": "Nowhere"}"#)]) : ScriptBackend.text("x")
            },
            tools: [SlowWeather()])
        await #expect(throws: LanguageModelSession.Error.toolFailed(tool: "get_weather", message: "Error: get_weather failed: no such city")) {
            try await failing.respond(to: "?", options: GenerationOptions(toolFailure: .throwError))
        }
        let looping = LanguageModelSession(
            backend: ScriptBackend { _, _ in ScriptBackend.calls([("get_weather", #"{"city": "A"}"#)]) }, tools: [SlowWeather()])
        await #expect(throws: LanguageModelSession.Error.maximumStepsReached(2)) {
            try await looping.respond(to: "?", options: GenerationOptions(maximumSteps: 2))
        }
    }

    @Test func cancellingAResponse() async throws {
        let session = LanguageModelSession(
            backend: ScriptBackend { _, _ in
                try await Task.sleep(for: .seconds(30))
                return ScriptBackend.text("late")
            })
        let task = Task { try await session.respond(to: "slow") }
        try await Task.sleep(for: .milliseconds(100))
        task.cancel()
        await #expect(throws: LanguageModelSession.Error.cancelled) { try await task.value }
    }

    @Test func streamingATypedResponse() async throws {
        let backend = ScriptBackend { _, _ in
            ScriptBackend.text(
                #"{"destination": "Rome", "days": 2, "activities": ["Colosseum", "Forum"], "transport": "plane", "airport": "FCO", "budget": 1200}"#)
        }
        let session = LanguageModelSession(backend: backend)
        var partials: [TripPlan.PartiallyGenerated] = []
        var deltas = ""
        var final: TripPlan?
        for try await event in session.streamResponse(to: "Rome", generating: TripPlan.self) {
            switch event {
            case .textDelta(let text): deltas += text
            case .partial(let partial): partials.append(partial)
            case .completed(let response): final = response.content
            default: break
            }
        }
        #expect(final?.budget == 1200)
        #expect(try JSONValue(parsing: deltas) == final?.generatedContent)
        #expect(partials.count > 5)
        #expect(partials.contains { $0.destination == "Ro" || $0.destination == "Rom" })
        #expect(partials.contains { $0.days == 2 && $0.airport == nil })
        #expect(partials.last?.activities == ["Colosseum", "Forum"])
    }

    @Test func streamingTextWithToolEvents() async throws {
        let backend = ScriptBackend { step, _ in
            step == 0 ? ScriptBackend.calls([("get_weather", #"{"city": "Oslo"}"#)]) : ScriptBackend.text("Cold in Oslo.")
        }
        let session = LanguageModelSession(backend: backend, tools: [SlowWeather()])
        var kinds: [String] = []
        for try await event in session.streamResponse(to: "Oslo?") {
            switch event {
            case .toolCall(let call): kinds.append("call \(call.name)")
            case .toolResult(let result): kinds.append("result \(result.output)")
            case .textDelta: if kinds.last != "text" { kinds.append("text") }
            case .partial: break
            case .completed(let response): kinds.append("done \(response.content)")
            }
        }
        #expect(kinds == ["call get_weather", #"result {"city":"Oslo","temperature":40}"#, "text", "done Cold in Oslo."])
    }

    @Test func agentToolsAreTools() async throws {
        let tools: [any Tool] = DemoTools.all()
        #expect(tools.map(\.name) == ["flip_coin", "get_current_weather", "get_car_price"])
        let weather = DemoTools.currentWeather()
        let output = try await weather.call(arguments: ["location": "Seattle"])
        #expect(output.contains("rainy"))
    }
}
