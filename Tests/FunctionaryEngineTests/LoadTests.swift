import Foundation
import FunctionaryEngine
import FunctionaryProtocol
import Testing

/// Loading models: clear errors for bad files, template detection, special tokens.
@Suite struct LoadTests {
    private func loadError(_ path: String) -> EngineError? {
        do {
            _ = try LlamaEngine(configuration: EngineConfiguration(modelPath: path, contextSize: 256, threads: 1, parallel: 1))
            return nil
        } catch {
            return error
        }
    }

    private func temporaryFile(_ name: String, _ data: Data) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("functionary-test-\(UUID().uuidString)-\(name)")
        try data.write(to: url)
        return url.path
    }

    @Test func missingFile() {
        let error = loadError("/nonexistent/dir/model.gguf")
        #expect(error?.code == .modelNotFound)
        #expect(error?.message.contains("/nonexistent/dir/model.gguf") == true)
        #expect(loadError(FileManager.default.temporaryDirectory.path)?.code == .modelNotFound)
    }

    @Test func notGGUF() throws {
        let path = try temporaryFile("text.gguf", Data("this is not a model\n".utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = loadError(path)
        #expect(error?.code == .notGGUF)
        #expect(error?.message.contains("not a GGUF") == true)
        let empty = try temporaryFile("empty.gguf", Data())
        defer { try? FileManager.default.removeItem(atPath: empty) }
        #expect(loadError(empty)?.code == .notGGUF)
    }

    @Test(arguments: [0.5, 0.99, 0.01])
    func truncated(fraction: Double) throws {
        let model = try #require(FileManager.default.contents(atPath: TestModels.tinyModel), "run make deps")
        try expectTruncated(model.prefix(max(8, Int(Double(model.count) * fraction))))
    }

    @Test func truncatedDefaultModelHeader() throws {
        let handle = try #require(FileHandle(forReadingAtPath: TestModels.defaultModel), "run make deps")
        defer { try? handle.close() }
        try expectTruncated(handle.readData(ofLength: 1 << 20))
    }

    private func expectTruncated(_ data: Data) throws {
        let path = try temporaryFile("cut.gguf", data)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = loadError(path)
        #expect(error?.code == .truncatedModel, "\(String(describing: error))")
        #expect(error?.message.contains("truncated") == true)
    }

    @Test func badSettings() {
        do {
            _ = try LlamaEngine(configuration: EngineConfiguration(modelPath: TestModels.defaultModel, parallel: 0))
            Issue.record("parallel 0 was accepted")
        } catch {
            #expect(error.code == .invalidConfiguration)
        }
    }

    /// Each generating sequence adds a token to every decode batch: a batch smaller than `parallel` would be written
    /// past its end (the library API let it through; the CLI's defaults never made one).
    @Test func aBatchSmallerThanParallelIsRefused() {
        do {
            _ = try LlamaEngine(configuration: EngineConfiguration(modelPath: TestModels.defaultModel, parallel: 8, batchSize: 4))
            Issue.record("batch size 4 with parallel 8 was accepted")
        } catch {
            #expect(error.code == .invalidConfiguration)
            #expect(error.message.contains("must be at least parallel"), "\(error.message)")
        }
    }

    @Test func defaultModelIsGemma3() throws {
        let engine = try TestModels.defaultEngine(parallel: 1)
        #expect(engine.detectedTemplate == .gemma3)
        #expect(engine.modelName == "gemma-3-270m-q4_k_m")
        #expect(engine.contextSize == 2048)
        #expect(try engine.template() == .gemma3)
    }

    @Test func tinyModelIsV2WithSingleTokenMarkers() throws {
        let engine = try TestModels.tinyEngine()
        #expect(engine.detectedTemplate == .v2)
        for marker in ["<|from|>", "<|recipient|>", "<|content|>", "<|stop|>"] {
            let tokens = engine.tokenize(marker)
            #expect(tokens.filter { engine.tokenText($0) == marker }.count == 1, "\(marker) → \(tokens)")
            #expect(tokens.count <= 2, "\(marker) is not one token: \(tokens)")
        }
        let prompt = engine.tokenize("<|from|>user\n<|recipient|>all\n<|content|>hi")
        #expect(prompt.map(engine.tokenText).contains("<|recipient|>"))
    }
}
