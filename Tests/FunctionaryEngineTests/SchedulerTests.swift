import Foundation
import FunctionaryEngine
import FunctionaryProtocol
import Testing

/// Slots, prompt cache, cancellation and the queue, each on its own engine.
@Suite(.serialized) struct SchedulerTests {
    static let system = "<start_of_turn>user\nYou are a helpful assistant. Answer briefly and precisely.\n\n"

    /// The next turn of a conversation only evaluates what is new (requests without a seed reuse every cached token).
    @Test func secondTurnReusesTheCache() async throws {
        let engine = try TestModels.defaultEngine(parallel: 2)
        let first = Self.system + "What is the capital of France?<end_of_turn>\n<start_of_turn>model\n"
        let answer = try await engine.collect(
            GenerationRequest(prompt: first, sampling: sampling(maxTokens: 12, seed: nil), templateStops: ["<end_of_turn>"]))
        let firstUsage = try #require(answer.usage)
        #expect(firstUsage.cachedPromptTokens == 0)

        let second = first + answer.text + "<end_of_turn>\n<start_of_turn>user\nAnd of Italy?<end_of_turn>\n<start_of_turn>model\n"
        let next = try await engine.collect(GenerationRequest(prompt: second, sampling: sampling(maxTokens: 8, seed: nil)))
        let usage = try #require(next.usage)
        #expect(usage.cachedPromptTokens >= firstUsage.promptTokens - 1, "\(usage) after \(firstUsage)")
        #expect(usage.cachedPromptTokens < usage.promptTokens)

        // The same prompt again: everything but the last token comes from the cache.
        let again = try await engine.collect(GenerationRequest(prompt: second, sampling: sampling(maxTokens: 8, seed: nil)))
        #expect(again.usage?.cachedPromptTokens == usage.promptTokens - 1)
        #expect(again.text == next.text)
    }

    /// A new conversation whose prompt starts with what a running one holds (the same system prompt and tool
    /// definitions) copies those cells from the running slot instead of evaluating them, counts them as cached and
    /// copied, and generates what it generates on a fresh engine.
    @Test func aSharedPrefixIsCopiedFromARunningSlot() async throws {
        let tools = (1...12).map { "- get_item_\($0)(id: string): returns item \($0) of the catalogue, with its price and stock.\n" }
        let prefix = Self.system + "You can call these tools:\n" + tools.joined()
        let running = prefix + "Count from one to one hundred in words.<end_of_turn>\n<start_of_turn>model\n"
        let newcomer = prefix + "What is the capital of France?<end_of_turn>\n<start_of_turn>model\n"

        let fresh = try TestModels.defaultEngine(parallel: 1)
        let expected = try await fresh.collect(GenerationRequest(prompt: newcomer, sampling: sampling(maxTokens: 12, seed: nil)))
        fresh.shutdown()
        let promptTokens = try #require(expected.usage?.promptTokens)

        let engine = try TestModels.defaultEngine(parallel: 2)
        defer { engine.shutdown() }
        // The first conversation keeps its slot busy (no end-of-turn allowed) while the second arrives.
        var long = sampling(maxTokens: 400, seed: nil)
        long.logitBias = [1: -100, 106: -100]
        let first = Task { try await engine.collect(GenerationRequest(prompt: running, sampling: long)) }
        while await engine.stats().activeSlots == 0 { try await Task.sleep(for: .milliseconds(5)) }
        try await Task.sleep(for: .milliseconds(300))  // its prompt is in the cache
        let second = try await engine.collect(GenerationRequest(prompt: newcomer, sampling: sampling(maxTokens: 12, seed: nil)))
        first.cancel()
        let usage = try #require(second.usage)
        #expect(usage.copiedPromptTokens >= promptTokens - 20, "\(usage), prompt \(promptTokens)")
        #expect(usage.cachedPromptTokens == usage.copiedPromptTokens)
        #expect(second.text == expected.text)
    }

    /// A seeded request reuses the cache only up to a chunk boundary (256 tokens), from cells computed as prompt chunks.
    @Test func seededRequestsReuseWholeChunksOnly() async throws {
        let engine = try TestModels.defaultEngine(parallel: 1)
        let long =
            Self.system + String(repeating: "The quick brown fox jumps over the lazy dog. ", count: 40)
            + "<end_of_turn>\n<start_of_turn>model\n"
        let first = try await engine.collect(GenerationRequest(prompt: long, sampling: sampling(maxTokens: 4)))
        let promptTokens = try #require(first.usage?.promptTokens)
        #expect(promptTokens > 256)
        let again = try await engine.collect(GenerationRequest(prompt: long, sampling: sampling(maxTokens: 4)))
        #expect(again.usage?.cachedPromptTokens == (promptTokens - 1) / 256 * 256)
        let unseeded = try await engine.collect(GenerationRequest(prompt: long, sampling: sampling(maxTokens: 4, seed: nil)))
        #expect(unseeded.usage?.cachedPromptTokens == promptTokens - 1)
    }

    /// A cancelled request stops and frees its slot quickly.
    @Test func cancellationFreesTheSlot() async throws {
        let engine = try TestModels.defaultEngine(parallel: 2)
        let prompt = "<start_of_turn>user\nCount from one to one thousand in words.<end_of_turn>\n<start_of_turn>model\n"
        let task = Task {
            var events = 0
            for try await _ in engine.generate(GenerationRequest(prompt: prompt, sampling: sampling(maxTokens: 1500))) {
                events += 1
            }
            return events
        }
        var waited = 0
        while engine.currentStats().activeSlots == 0, waited < 200 {
            try await Task.sleep(for: .milliseconds(20))
            waited += 1
        }
        #expect(engine.currentStats().activeSlots == 1)
        try await Task.sleep(for: .milliseconds(300))
        task.cancel()
        let start = ContinuousClock.now
        while engine.currentStats().activeSlots != 0, ContinuousClock.now - start < .seconds(3) {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(engine.currentStats().activeSlots == 0)
        #expect(ContinuousClock.now - start < .seconds(2))
        _ = try? await task.value
        // The engine goes on serving.
        let after = try await engine.collect(GenerationRequest(prompt: prompt, sampling: sampling(maxTokens: 3)))
        #expect(after.usage?.completionTokens ?? 0 > 0)
    }

    /// Requests beyond the free slots wait; beyond `maxQueue` waiting ones are refused.
    @Test func queueLimit() async throws {
        let engine = try TestModels.defaultEngine(parallel: 1, maxQueue: 1)
        let prompt = "<start_of_turn>user\nTell me a long story.<end_of_turn>\n<start_of_turn>model\n"
        let long = Task { try await engine.collect(GenerationRequest(prompt: prompt, sampling: sampling(maxTokens: 400))) }
        while engine.currentStats().activeSlots == 0 { try await Task.sleep(for: .milliseconds(10)) }
        let waiting = Task { try await engine.collect(GenerationRequest(prompt: prompt, sampling: sampling(maxTokens: 2))) }
        while engine.currentStats().queuedRequests == 0 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(engine.currentStats() == EngineStats(activeSlots: 1, totalSlots: 1, queuedRequests: 1))
        do {
            _ = try await engine.collect(GenerationRequest(prompt: prompt, sampling: sampling(maxTokens: 2)))
            Issue.record("a third request was accepted")
        } catch let error as GenerationError {
            #expect(error == .queueFull(limit: 1))
        }
        long.cancel()
        _ = try? await long.value
        let served = try await waiting.value
        #expect(served.usage?.completionTokens ?? 0 > 0)
    }

    @Test func shutdownEndsRequests() async throws {
        let engine = try TestModels.defaultEngine(parallel: 1)
        let prompt = "<start_of_turn>user\nTell me a long story.<end_of_turn>\n<start_of_turn>model\n"
        let running = Task { try await engine.collect(GenerationRequest(prompt: prompt, sampling: sampling(maxTokens: 1000))) }
        while engine.currentStats().activeSlots == 0 { try await Task.sleep(for: .milliseconds(10)) }
        engine.shutdown()
        await #expect(throws: GenerationError.self) { _ = try await running.value }
        await #expect(throws: GenerationError.self) {
            _ = try await engine.collect(GenerationRequest(prompt: prompt, sampling: sampling(maxTokens: 2)))
        }
    }
}
