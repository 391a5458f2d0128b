import Foundation
import FunctionaryAgent
import FunctionaryProtocol
import Testing

/// Raw model outputs in each template's format (the reference's mock outputs, protocol Appendix A, cases 10, 1
/// and 11, with the demo tool's name and places).
let templateOutputs: [(version: TemplateVersion, twoCalls: String, text: String, python: String)] = [
    (
        .v2,
        #"get_current_weather\#n<|content|>{"location": "Santa Cruz, CA"}\#n<|from|>assistant\#n<|recipient|>get_current_weather\#n<|content|>{"location": "Seattle, WA"}"#,
        "all\n<|content|>Santa Cruz is warmer.", "python\n<|content|>from datetime import date\ndate(2024, 1, 2)"
    ),
    (
        .v2Llama3,
        #"get_current_weather\#n{"location": "Santa Cruz, CA"}<|reserved_special_token_249|>get_current_weather\#n{"location": "Seattle, WA"}"#,
        "Santa Cruz is warmer.", "<|reserved_special_token_249|>python\nfrom datetime import date\ndate(2024, 1, 2)"
    ),
    (
        .v3Llama3, #"get_current_weather\#n{"location": "Santa Cruz, CA"}>>>get_current_weather\#n{"location": "Seattle, WA"}"#,
        "all\nSanta Cruz is warmer.", "python\nfrom datetime import date\ndate(2024, 1, 2)"
    ),
    (
        .v3Llama31,
        #"get_current_weather>{"location": "Santa Cruz, CA"}</function><function=get_current_weather>{"location": "Seattle, WA"}</function>"#,
        "Santa Cruz is warmer.", "<|python_tag|>from datetime import date\ndate(2024, 1, 2)"
    ),
    (
        .qwen25,
        #"{"name": "get_current_weather", "arguments": {"location": "Santa Cruz, CA"}}\#n</tool_call>\#n<tool_call>\#n{"name": "get_current_weather", "arguments": {"location": "Seattle, WA"}}\#n</tool_call>"#,
        "Santa Cruz is warmer.",
        #"<tool_call>\#n{"name": "python", "arguments": {"code": "from datetime import date\ndate(2024, 1, 2)"}}\#n</tool_call>"#
    ),
    (
        .gemma3,
        #"{"name": "get_current_weather", "arguments": {"location": "Santa Cruz, CA"}}\#n</tool_call>\#n<tool_call>\#n{"name": "get_current_weather", "arguments": {"location": "Seattle, WA"}}\#n</tool_call>"#,
        "Santa Cruz is warmer.",
        #"<tool_call>\#n{"name": "python", "arguments": {"code": "from datetime import date\ndate(2024, 1, 2)"}}\#n</tool_call>"#
    ),
]

@Suite("The loop on every Functionary template")
struct TemplateLoopTests {
    @Test("required first step with two parallel calls, then a text answer", arguments: templateOutputs.map(\.version))
    func weather(version: TemplateVersion) async throws {
        let outputs = try #require(templateOutputs.first { $0.version == version })
        let generator = SequenceGenerator(outputs: [outputs.twoCalls, outputs.text])
        let backend = EngineBackend(generator: generator, template: version.template) { _, _ in nil }
        let conversation = Conversation(
            backend: backend, tools: [DemoTools.currentWeather()], options: .init(toolChoice: .required, followUpToolChoice: .auto))
        let log = EventLog()
        #expect(try await conversation.send("What's the weather like in Santa Cruz, CA compared to Seattle, WA?") { log.append($0) } == .answered)

        let messages = await conversation.messages
        #expect(messages.map(\.role) == ["user", "assistant", "tool", "tool", "assistant"])
        let calls = messages[1].toolCalls ?? []
        #expect(calls.map(\.function.name) == ["get_current_weather", "get_current_weather"])
        #expect(messages[2].toolCallID == calls.first?.id && messages[3].toolCallID == calls.last?.id)
        #expect(messages[2].text?.contains(#""forecast": "foggy""#) == true)
        #expect(messages[3].text?.contains(#""forecast": "rainy""#) == true)
        #expect(messages[4].text?.trimmingCharacters(in: .whitespacesAndNewlines) == "Santa Cruz is warmer.")
        let streamed = log.events.compactMap { if case .textDelta(let text) = $0 { return text } else { return nil } }.joined()
        #expect(streamed.trimmingCharacters(in: .whitespacesAndNewlines) == "Santa Cruz is warmer.")
        // The second prompt carries both results, rendered by the template.
        let prompts = generator.prompts
        #expect(prompts.count == 2)
        #expect(prompts[1].contains("foggy") && prompts[1].contains("rainy"))
    }

    @Test("a python call runs in the code interpreter", arguments: templateOutputs.map(\.version))
    func python(version: TemplateVersion) async throws {
        let outputs = try #require(templateOutputs.first { $0.version == version })
        let generator = SequenceGenerator(outputs: [outputs.python, outputs.text])
        let backend = EngineBackend(generator: generator, template: version.template) { _, _ in nil }
        let conversation = Conversation(backend: backend)
        let python = CodeInterpreter()
        defer { Task { await python.shutdown() } }
        await conversation.useCodeInterpreter(python)
        #expect(try await conversation.send("What is the date?") == .answered)
        let results = await conversation.messages.filter { $0.role == "tool" }
        #expect(results.map(\.text) == ["datetime.date(2024, 1, 2)"])
        #expect(results.first?.name == "python")
    }
}
