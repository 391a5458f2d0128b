import Foundation
import FunctionaryEngine
import FunctionaryProtocol
import Testing

/// Models the tests run on, where `make deps` puts them.
enum TestModels {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Gemma 3 270M: the default model.
    static var defaultModel: String { DefaultModel.path }

    /// The tiny random-weight model with Functionary v2's vocabulary.
    static var tinyModel: String {
        repositoryRoot.appendingPathComponent(".deps/models/tiny-functionary-v2.gguf").path
    }

    static var haveDefault: Bool { FileManager.default.fileExists(atPath: defaultModel) }
    static var haveTiny: Bool { FileManager.default.fileExists(atPath: tinyModel) }

    /// Decode threads for test engines: 1 by default, because several test engines run at once and
    /// spinning thread pools slow each other down on shared CPUs (`FUNCTIONARY_TEST_THREADS` overrides).
    static var threads: Int { Int(ProcessInfo.processInfo.environment["FUNCTIONARY_TEST_THREADS"] ?? "") ?? 1 }

    /// Jump-forward decoding in test engines: on (the engine's default) unless `FUNCTIONARY_TEST_JUMP_FORWARD=off`
    /// (`make test` runs the tool-call tests both ways).
    static var jumpForward: Bool { ProcessInfo.processInfo.environment["FUNCTIONARY_TEST_JUMP_FORWARD"] != "off" }

    /// Speculative decoding in test engines: off (the engine's default) unless `FUNCTIONARY_TEST_SPECULATION=on`
    /// (`make test` runs the tool-call and grammar tests both ways).
    static var speculation: Bool { ProcessInfo.processInfo.environment["FUNCTIONARY_TEST_SPECULATION"] == "on" }

    /// An engine on the default model with a small context (tests keep runs short).
    static func defaultEngine(
        parallel: Int = 4, maxQueue: Int = 64, hostCacheBytes: Int = EngineConfiguration.defaultHostCacheBytes,
        speculation: Bool = TestModels.speculation
    ) throws(EngineError) -> LlamaEngine {
        var configuration = EngineConfiguration(
            modelPath: defaultModel, contextSize: 2048, threads: threads, parallel: parallel, maxQueue: maxQueue)
        configuration.hostCacheBytes = hostCacheBytes
        configuration.jumpForward = jumpForward
        configuration.speculation = speculation
        return try LlamaEngine(configuration: configuration)
    }

    /// An engine on the tiny v2-vocabulary model.
    static func tinyEngine(contextSize: Int = 256) throws(EngineError) -> LlamaEngine {
        var configuration = EngineConfiguration(modelPath: tinyModel, contextSize: contextSize, threads: threads, parallel: 1)
        configuration.jumpForward = jumpForward
        configuration.speculation = speculation
        return try LlamaEngine(configuration: configuration)
    }
}

/// What a generation produced.
struct Collected {
    var texts: [Int: String] = [:]
    var deltas: [Int: [String]] = [:]
    var finish: [Int: FinishReason] = [:]
    var usage: GenerationUsage?
    var eventsAfterUsage = 0
    var logprobs: [Int: [TokenLogprobs]] = [:]
    /// The request's stop string that ended each choice, as the engine reported it.
    var stopSequences: [Int: String] = [:]

    var text: String { texts[0] ?? "" }
}

extension TextGenerator {
    /// Runs a request to the end and gathers its events.
    func collect(_ request: GenerationRequest) async throws -> Collected {
        var result = Collected()
        for try await event in generate(request) {
            if result.usage != nil { result.eventsAfterUsage += 1 }
            switch event {
            case .text(let choice, let delta):
                result.texts[choice, default: ""] += delta
                result.deltas[choice, default: []].append(delta)
            case .finished(let choice, let reason):
                result.finish[choice] = reason
            case .usage(let usage):
                result.usage = usage
            case .logprobs(let choice, let entries):
                result.logprobs[choice, default: []] += entries
            case .stopSequence(let choice, let stop):
                result.stopSequences[choice] = stop
            }
        }
        return result
    }
}

/// Sampling settings for short, reproducible runs.
func sampling(maxTokens: Int, temperature: Double = 0, seed: UInt32? = 7, stop: [String] = []) -> SamplingParameters {
    var parameters = SamplingParameters()
    parameters.maxTokens = maxTokens
    parameters.temperature = temperature
    parameters.seed = seed
    parameters.stop = stop
    return parameters
}
