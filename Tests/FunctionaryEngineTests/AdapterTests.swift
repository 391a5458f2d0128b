import Foundation
import FunctionaryEngine
import FunctionaryProtocol
import Testing

/// LoRA adapters: the project's adapter loads on the default model and changes what it generates; files that
/// are not adapters, or adapters for another model, are refused with a clear error.
@Suite(.serialized) struct AdapterTests {
    /// The committed adapter (models/ of this checkout).
    static var projectAdapter: String {
        TestModels.repositoryRoot.appendingPathComponent("models/\(DefaultAdapter.fileName)").path
    }

    static var haveAdapter: Bool { FileManager.default.fileExists(atPath: projectAdapter) && TestModels.haveDefault }

    private func engine(_ adapters: [LoraAdapterSpec], model: String = TestModels.defaultModel) throws(EngineError) -> LlamaEngine {
        try LlamaEngine(
            configuration: EngineConfiguration(
                modelPath: model, contextSize: 1024, threads: TestModels.threads, parallel: 1, adapters: adapters))
    }

    private func loadError(_ adapters: [LoraAdapterSpec], model: String = TestModels.defaultModel) -> EngineError? {
        do {
            let engine = try engine(adapters, model: model)
            engine.shutdown()
            return nil
        } catch {
            return error
        }
    }

    @Test func flagParsing() throws {
        #expect(try LoraAdapterSpec(flag: "a.gguf") == LoraAdapterSpec(path: "a.gguf", scale: 1))
        #expect(try LoraAdapterSpec(flag: "dir/a.gguf:0.5") == LoraAdapterSpec(path: "dir/a.gguf", scale: 0.5))
        #expect(try LoraAdapterSpec(flag: "c:/x:y.gguf").path == "c:/x:y.gguf")
        #expect(throws: EngineError.self) { try LoraAdapterSpec(flag: ":0.5") }
        #expect(throws: EngineError.self) { try LoraAdapterSpec(flag: "a.gguf:inf") }
        #expect(LoraAdapterSpec(path: "/m/functionary-gemma3-270m-lora.gguf", scale: 0.5).description == "functionary-gemma3-270m-lora:0.5")
    }

    @Test(.enabled(if: TestModels.haveDefault)) func missingAdapterIsAClearError() {
        let error = loadError([LoraAdapterSpec(path: "/nonexistent/adapter.gguf")])
        #expect(error?.code == .modelNotFound)
        #expect(error?.message.contains("LoRA adapter") == true)
        #expect(error?.message.contains("/nonexistent/adapter.gguf") == true)
    }

    @Test(.enabled(if: TestModels.haveDefault && TestModels.haveTiny)) func aModelIsNotAnAdapter() {
        let error = loadError([LoraAdapterSpec(path: TestModels.tinyModel)])
        #expect(error?.code == .adapterLoadFailed)
        #expect(error?.message.contains("not a LoRA adapter") == true)
    }

    @Test(.enabled(if: haveAdapter && TestModels.haveTiny)) func adapterForAnotherModelIsRefused() {
        let error = loadError([LoraAdapterSpec(path: Self.projectAdapter)], model: TestModels.tinyModel)
        #expect(error?.code == .adapterLoadFailed)
        #expect(error?.message.contains("gemma3") == true)
    }

    /// The adapter changes what the default model generates for a tool-use prompt (greedy, same request), and at
    /// scale 0 it changes nothing: the adapter really goes through llama.cpp's adapter API.
    @Test(.enabled(if: haveAdapter)) func adapterLoadsAndChangesTheOutput() async throws {
        let tools = [
            Tool(
                function: FunctionDefinition(
                    name: "get_current_weather", description: "Get the current weather in a given location",
                    parameters: [
                        "type": "object", "properties": ["location": ["type": "string", "description": "The city"]], "required": ["location"],
                    ]))
        ]
        let template = TemplateVersion.gemma3.template
        var chat = ChatCompletionRequest(model: "", messages: [ChatMessage(role: "user", content: "What is the weather in Paris?")], tools: tools)
        chat.parallelToolCalls = true
        let prompt = try PromptBuilder.prompt(template: template, messages: chat.messages, resolved: chat.resolveTools())
        let request = GenerationRequest(prompt: prompt, sampling: sampling(maxTokens: 24), n: 1, constraint: nil, templateStops: template.stopTokens)

        func output(_ adapters: [LoraAdapterSpec]) async throws -> String {
            let engine = try engine(adapters)
            defer { engine.shutdown() }
            #expect(engine.adapters == adapters)
            return try await engine.collect(request).text
        }
        let base = try await output([])
        let tuned = try await output([LoraAdapterSpec(path: Self.projectAdapter)])
        let off = try await output([LoraAdapterSpec(path: Self.projectAdapter, scale: 0)])
        #expect(base != tuned, "the adapter did not change the output: \(tuned)")
        #expect(off == base, "scale 0 should leave the model as it is")
    }
}
