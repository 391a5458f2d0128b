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

    private func engine(
        _ adapters: [LoraAdapterSpec], model: String = TestModels.defaultModel, merge: Bool = true, mergedFolder: String? = nil
    ) throws(EngineError) -> LlamaEngine {
        var configuration = EngineConfiguration(
            modelPath: model, contextSize: 1024, threads: TestModels.threads, parallel: 1, adapters: adapters)
        configuration.mergeAdapters = merge
        if let mergedFolder { configuration.mergedModelFolder = mergedFolder }
        return try LlamaEngine(configuration: configuration)
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

    /// The adapter changes what the default model generates for a tool-use prompt (greedy, same request), merged
    /// into the weights (the default) and through llama.cpp's adapter API alike, and at scale 0 it changes nothing.
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
        let request = GenerationRequest(prompt: prompt, sampling: sampling(maxTokens: 40), n: 1, constraint: nil, templateStops: template.stopTokens)

        func output(_ adapters: [LoraAdapterSpec], merge: Bool = true) async throws -> String {
            let engine = try engine(adapters, merge: merge)
            defer { engine.shutdown() }
            #expect(engine.adapters == adapters)
            #expect(engine.adapterMode == (adapters.isEmpty ? nil : (merge ? "merged" : "runtime")))
            return try await engine.collect(request).text
        }
        let base = try await output([])
        let tuned = try await output([LoraAdapterSpec(path: Self.projectAdapter)])
        let runtime = try await output([LoraAdapterSpec(path: Self.projectAdapter)], merge: false)
        let off = try await output([LoraAdapterSpec(path: Self.projectAdapter, scale: 0)])
        let runtimeOff = try await output([LoraAdapterSpec(path: Self.projectAdapter, scale: 0)], merge: false)
        #expect(base != tuned, "the adapter did not change the output: \(tuned)")
        #expect(base != runtime, "the adapter did not change the output at runtime: \(runtime)")
        #expect(off == base && runtimeOff == base, "scale 0 should leave the model as it is")
        // The merged weights differ from the runtime sum only by Q8_0 rounding: the same call comes out.
        #expect(tuned.contains("get_current_weather") && tuned.contains("Paris"), "merged: \(tuned)")
        #expect(runtime.contains("get_current_weather") && runtime.contains("Paris"), "runtime: \(runtime)")
    }

    /// The merged copy is written once, named by what went into it, and reused: a second engine loads the same
    /// file without writing it again, and another scale makes another file.
    @Test(.enabled(if: haveAdapter)) func theMergedCopyIsWrittenOnceAndReused() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("merged-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        func files() throws -> [String: Date] {
            var out: [String: Date] = [:]
            for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
                let attributes = try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(name).path)
                out[name] = attributes[.modificationDate] as? Date
            }
            return out
        }
        let adapter = LoraAdapterSpec(path: Self.projectAdapter)
        try engine([adapter], mergedFolder: folder.path).shutdown()
        let first = try files()
        #expect(first.count == 1 && first.keys.allSatisfy { $0.hasPrefix("gemma-3-270m-q4_k_m+lora-") && $0.hasSuffix(".gguf") }, "\(first)")
        try engine([adapter], mergedFolder: folder.path).shutdown()
        #expect(try files() == first, "the second start wrote the merged copy again")
        try engine([LoraAdapterSpec(path: Self.projectAdapter, scale: 0.5)], mergedFolder: folder.path).shutdown()
        #expect(try files().count == 2)
    }

    /// A merged copy that cannot be written (the folder is a file) is no failure: the adapter applies at runtime
    /// and the engine says why.
    @Test(.enabled(if: haveAdapter)) func anUnwritableCacheFallsBackToRuntime() throws {
        let blocker = FileManager.default.temporaryDirectory.appendingPathComponent("merged-blocker-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: blocker.path, contents: Data("x".utf8))
        defer { try? FileManager.default.removeItem(at: blocker) }
        let engine = try engine([LoraAdapterSpec(path: Self.projectAdapter)], mergedFolder: blocker.path + "/sub")
        defer { engine.shutdown() }
        #expect(engine.adapterMode == "runtime")
        #expect(engine.adapterMergeFailure?.contains("cannot create") == true, "\(String(describing: engine.adapterMergeFailure))")
    }
}
