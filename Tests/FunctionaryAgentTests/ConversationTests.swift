import Foundation
import FunctionaryAgent
import FunctionaryProtocol
import Testing

struct WeatherArgs: ToolArguments {
    var location: String
}

@Suite("Conversation loop")
struct ConversationTests {
    @Test("parallel calls of one turn run concurrently; results keep call order and ids")
    func parallelCalls() async throws {
        let backend = ScriptedBackend { step, _ in
            step == 0
                ? ScriptedBackend.calls([("call_slow", "slow", "{}"), ("call_fast", "fast", "{}")])
                : ScriptedBackend.text("both done")
        }
        // "slow" finishes after "fast": the history must still follow the call order.
        let conversation = Conversation(
            backend: backend, tools: [sleepingTool("slow", seconds: 2.0), sleepingTool("fast", seconds: 1.9)])
        let log = EventLog()
        let start = ContinuousClock.now
        let end = try await conversation.send("go") { log.append($0) }
        let elapsed = ContinuousClock.now - start

        #expect(end == .answered)
        // One after the other they would take 3.9 s; together about 2 s (the margin holds on a loaded 2-core machine).
        #expect(elapsed >= .seconds(2.0))
        #expect(elapsed < .seconds(3.5), "tools of 2.0 s and 1.9 s took \(elapsed): they did not run concurrently")

        let messages = await conversation.messages
        #expect(messages.map(\.role) == ["user", "assistant", "tool", "tool", "assistant"])
        #expect(messages[2].toolCallID == "call_slow")
        #expect(messages[2].name == "slow")
        #expect(messages[2].text == "slow done")
        #expect(messages[3].toolCallID == "call_fast")
        #expect(messages[3].text == "fast done")
        #expect(messages[4].text == "both done")
        // Live results arrive as they finish: fast first.
        #expect(log.results.map(\.name) == ["fast", "slow"])
        // The second request carried the results.
        #expect(backend.requests.count == 2)
        #expect(backend.requests[1].messages.count == 4)
    }

    @Test("the events of a run, in order")
    func eventOrder() async throws {
        let backend = ScriptedBackend { step, _ in
            step == 0 ? ScriptedBackend.calls([("call_1", "get_weather", #"{"location": "Paris"}"#)]) : ScriptedBackend.text("Sunny.")
        }
        let tool = try AgentTool(name: "get_weather", description: "weather", arguments: WeatherArgs.self) { args in
            "sunny in \(args.location)"
        }
        let conversation = Conversation(backend: backend, tools: [tool])
        var events: [ConversationEvent] = []
        for try await event in conversation.submit("Weather in Paris?") { events.append(event) }
        let started = ToolCallStarted(index: 0, id: "call_1", name: "get_weather", arguments: #"{"location": "Paris"}"#)
        guard events.count == 7 else {
            Issue.record("unexpected events: \(events)")
            return
        }
        #expect(events[0] == .usage(GenerationUsage(promptTokens: 10, completionTokens: 5)))
        #expect(events[1] == .toolCallStarted(started))
        guard case .toolResult(0, let result) = events[2] else {
            Issue.record("expected a tool result, got \(events[2])")
            return
        }
        #expect(result.output == "sunny in Paris")
        #expect(!result.isError)
        #expect(events[3] == .textDelta("Sunny."))
        #expect(events[4] == .usage(GenerationUsage(promptTokens: 10, completionTokens: 3)))
        #expect(events[5] == .finalMessage(ChatMessage(role: "assistant", content: "Sunny.")))
        #expect(events[6] == .finished(.answered))
    }

    @Test("a throwing tool, undecodable arguments, invalid JSON and an unknown tool become tool results")
    func failuresBecomeResults() async throws {
        struct Broken: Error, CustomStringConvertible {
            var description: String { "the weather service is down" }
        }
        let backend = ScriptedBackend { step, _ in
            step == 0
                ? ScriptedBackend.calls([
                    ("c1", "throws", "{}"), ("c2", "get_weather", #"{"city": "Paris"}"#), ("c3", "get_weather", "{not json"),
                    ("c4", "nonexistent", "{}"), ("c5", "get_weather", #"{"location": 3}"#),
                ])
                : ScriptedBackend.text("Sorry.")
        }
        let throwing = AgentTool(name: "throws", description: "fails", parameters: ["type": "object"]) { _ in throw Broken() }
        let weather = try AgentTool(name: "get_weather", description: "weather", arguments: WeatherArgs.self) { _ in "ok" }
        let conversation = Conversation(backend: backend, tools: [throwing, weather])
        let end = try await conversation.send("go")
        #expect(end == .answered)
        let results = await conversation.messages.filter { $0.role == "tool" }
        #expect(results.map(\.toolCallID) == ["c1", "c2", "c3", "c4", "c5"])
        #expect(results[0].text == "Error: throws failed: the weather service is down")
        #expect(
            results[1].text
                == "Error: invalid arguments for get_weather: 'location' is a required property. Call get_weather again with arguments that match its parameters."
        )
        #expect(results[2].text?.hasPrefix("Error: the arguments of get_weather are not valid JSON (invalid JSON at line 1") == true)
        #expect(results[3].text == "Error: there is no tool named 'nonexistent'. Available tools: throws, get_weather.")
        #expect(results[4].text?.contains("'location': expected a string") == true)
        // The loop went on and sent the errors back.
        #expect(backend.requests.count == 2)
    }

    @Test("maxSteps stops a model that never stops calling")
    func maxSteps() async throws {
        let backend = ScriptedBackend { step, _ in ScriptedBackend.calls([("call_\(step)", "fast", "{}")]) }
        let conversation = Conversation(
            backend: backend, tools: [sleepingTool("fast", seconds: 0)], options: Conversation.Options(maxSteps: 3))
        let log = EventLog()
        let end = try await conversation.send("loop forever") { log.append($0) }
        #expect(end == .maxStepsReached(3))
        #expect(log.events.last == .finished(.maxStepsReached(3)))
        #expect(backend.requests.count == 3)
        // Every finished step stays: user + 3 × (assistant + tool).
        #expect(await conversation.messages.count == 7)
        #expect(end.description.contains("3 steps"))
    }

    @Test("the default maxSteps is 8")
    func defaultMaxSteps() async throws {
        let backend = ScriptedBackend { step, _ in ScriptedBackend.calls([("call_\(step)", "fast", "{}")]) }
        let conversation = Conversation(backend: backend, tools: [sleepingTool("fast", seconds: 0)])
        #expect(try await conversation.send("loop") == .maxStepsReached(8))
        #expect(backend.requests.count == 8)
    }

    @Test("cancelling the consuming task stops a run waiting on a tool")
    func cancellationDuringTool() async throws {
        let backend = ScriptedBackend { step, _ in
            step == 0 ? ScriptedBackend.calls([("c1", "slow", "{}")]) : ScriptedBackend.text("answer to 'again'")
        }
        let conversation = Conversation(
            backend: backend, tools: [sleepingTool("slow", seconds: 30)], options: Conversation.Options(toolTimeout: nil))
        let log = EventLog()
        let consumer = Task {
            for try await event in conversation.submit("go") { log.append(event) }
        }
        // Cancel once the tool is running (under load the run may take a while to start).
        let deadline = ContinuousClock.now + .seconds(20)
        while !log.events.contains(where: { if case .toolCallStarted = $0 { true } else { false } }), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        consumer.cancel()
        _ = try? await consumer.value
        let cancelled = ContinuousClock.now
        // The run is over: a new one may start, and the slow tool did not hold it for 30 s.
        let second = try await conversation.send("again")
        #expect(ContinuousClock.now - cancelled < .seconds(5))
        #expect(second == .answered)
        // One request for the cancelled run (it did not go on to a second step), one for "again".
        #expect(backend.requests.count == 2)
        #expect(backend.requests[1].messages.map(\.text) == ["again"], "the cancelled run left no step in the history")
    }

    @Test("cancelling a run while the model streams returns .cancelled and leaves the history as it was")
    func cancellationDuringTurn() async throws {
        let backend = ScriptedBackend { _, _ in
            try await Task.sleep(for: .seconds(30))
            return ScriptedBackend.text("too late")
        }
        let conversation = Conversation(backend: backend, system: "be brief")
        let log = EventLog()
        let run = Task { try await conversation.send("hello") { log.append($0) } }
        try await Task.sleep(for: .milliseconds(200))
        run.cancel()
        let end = try await run.value
        #expect(end == .cancelled)
        #expect(log.events.last == .finished(.cancelled))
        #expect(await conversation.messages.map(\.role) == ["system"])
    }

    @Test("a per-call timeout ends a slow tool with an error result")
    func toolTimeout() async throws {
        let backend = ScriptedBackend { step, _ in
            step == 0 ? ScriptedBackend.calls([("c1", "slow", "{}"), ("c2", "fast", "{}")]) : ScriptedBackend.text("ok")
        }
        let conversation = Conversation(
            backend: backend, tools: [sleepingTool("slow", seconds: 30), sleepingTool("fast", seconds: 0)],
            options: Conversation.Options(toolTimeout: .milliseconds(300)))
        let start = ContinuousClock.now
        #expect(try await conversation.send("go") == .answered)
        #expect(ContinuousClock.now - start < .seconds(3))
        let results = await conversation.messages.filter { $0.role == "tool" }
        #expect(results[0].text == "Error: slow did not finish within 0.3 s.")
        #expect(results[1].text == "fast done")
    }

    @Test("tool_choice: the first step uses the configured choice, later steps the follow-up choice")
    func toolChoicePerStep() async throws {
        let backend = ScriptedBackend { step, _ in
            step == 0 ? ScriptedBackend.calls([("c1", "fast", "{}")]) : ScriptedBackend.text("done")
        }
        let conversation = Conversation(
            backend: backend, tools: [sleepingTool("fast", seconds: 0)],
            options: Conversation.Options(toolChoice: .required, followUpToolChoice: .none, parallelToolCalls: false))
        try await conversation.send("go")
        #expect(backend.requests.map(\.toolChoice) == [.required, ToolChoice.none])
        #expect(backend.requests.allSatisfy { !$0.parallelToolCalls })
        #expect(backend.requests[0].tools.map(\.callName) == ["fast"])
    }

    @Test("without tools no tool_choice is sent")
    func noTools() async throws {
        let backend = ScriptedBackend { _, _ in ScriptedBackend.text("hi") }
        let conversation = Conversation(backend: backend, options: Conversation.Options(toolChoice: .required))
        try await conversation.send("hello")
        #expect(backend.requests[0].toolChoice == nil)
        #expect(backend.requests[0].tools.isEmpty)
    }

    @Test("a failing backend rethrows and leaves the history as it was; concurrent runs take turns")
    func backendErrorAndBusy() async throws {
        let backend = ScriptedBackend { step, _ in
            if step == 0 { throw AgentError(.httpStatus, "The server answered 401", status: 401) }
            try await Task.sleep(for: .milliseconds(500))
            return ScriptedBackend.text("ok")
        }
        let conversation = Conversation(backend: backend)
        await #expect(throws: AgentError.self) { try await conversation.send("hello") }
        #expect(await conversation.messages.isEmpty)

        async let first = conversation.send("one")
        try await Task.sleep(for: .milliseconds(100))
        #expect(try await conversation.send("two") == .answered)
        #expect(try await first == .answered)
        let texts = await conversation.messages.map { "\($0.role): \($0.text ?? "")" }
        #expect(texts == ["user: one", "assistant: ok", "user: two", "assistant: ok"])
    }

    @Test("calls without ids get fresh ids that match their results")
    func missingIDs() async throws {
        let backend = ScriptedBackend { step, _ in
            step == 0 ? ScriptedBackend.calls([("", "fast", "{}")]) : ScriptedBackend.text("ok")
        }
        let conversation = Conversation(backend: backend, tools: [sleepingTool("fast", seconds: 0)])
        try await conversation.send("go")
        let messages = await conversation.messages
        let id = try #require(messages[1].toolCalls?.first?.id)
        #expect(id.hasPrefix("call_") && id.count == 29)
        #expect(messages[2].toolCallID == id)
    }

    @Test("reset keeps the system message")
    func reset() async throws {
        let backend = ScriptedBackend { _, _ in ScriptedBackend.text("hi") }
        let conversation = Conversation(backend: backend, system: "You are terse.")
        try await conversation.send("hello")
        #expect(await conversation.messages.count == 3)
        await conversation.reset()
        #expect(await conversation.messages == [ChatMessage(role: "system", content: "You are terse.")])
    }

    @Test("the demo tools answer and format as 𝑓 lines")
    func demoTools() async throws {
        let backend = ScriptedBackend { step, _ in
            step == 0
                ? ScriptedBackend.calls([
                    ("c1", "get_current_weather", #"{"location":"Santa Cruz, CA"}"#),
                    ("c2", "get_current_weather", #"{"location":"Seattle, WA"}"#), ("c3", "get_car_price", #"{"car_name":"Song"}"#),
                    ("c4", "flip_coin", ""),
                ])
                : ScriptedBackend.text("done")
        }
        let conversation = Conversation(backend: backend, tools: DemoTools.all())
        let log = EventLog()
        try await conversation.send("demo") { log.append($0) }
        let results = await conversation.messages.filter { $0.role == "tool" }.compactMap(\.text)
        #expect(results[0] == #"{"location": "Santa Cruz, CA", "temperature": 64, "unit": "fahrenheit", "forecast": "foggy"}"#)
        #expect(results[1] == #"{"location": "Seattle, WA", "temperature": 52, "unit": "fahrenheit", "forecast": "rainy"}"#)
        #expect(results[2] == #"{"car_name": "Song", "price": "$25,000"}"#)
        #expect(results[3] == "heads" || results[3] == "tails")
        let price = try #require(log.results.first { $0.callID == "c3" })
        #expect(TranscriptFormatter.line(for: price) == #"𝑓 get_car_price({"car_name": "Song"}) -> {"car_name": "Song", "price": "$25,000"}"#)
    }
}
