import FunctionaryEngine
import FunctionaryProtocol
import Testing

/// The host prompt cache (`EngineConfiguration.hostCacheBytes`, `--cache-ram`): with one slot, a conversation whose
/// slot another one took restores its saved state on its next turn, within its cache partition only.
@Suite(.serialized) struct HostCacheTests {
    /// A conversation's first turn: a catalogue long enough (> 512 tokens, Gemma 3's sliding window) that its saved
    /// state keeps only the last window of the sliding-window layers.
    static func longTurn(_ topic: String) -> String {
        SchedulerTests.system + "Here is the \(topic) catalogue:\n"
            + (1...40).map { "- \(topic) item \($0): costs \($0 * 3) euros, \($0 % 7) left in stock, ships in \($0 % 5 + 1) days.\n" }
            .joined()
            + "Which \(topic) item is the cheapest?<end_of_turn>\n<start_of_turn>model\n"
    }

    /// A short first turn (its whole state is saved, generated tokens included).
    static func shortTurn(_ topic: String) -> String {
        SchedulerTests.system + "We are talking about \(topic). " + String(repeating: "Tell me about \(topic) in detail. ", count: 8)
            + "<end_of_turn>\n<start_of_turn>model\n"
    }

    static func nextTurn(_ first: String, _ answer: String) -> String {
        first + answer + "<end_of_turn>\n<start_of_turn>user\nAnd the most expensive one?<end_of_turn>\n<start_of_turn>model\n"
    }

    func request(_ prompt: String, tenant: String? = nil, maxTokens: Int = 12, seed: UInt32? = nil, temperature: Double = 0)
        -> GenerationRequest
    {
        var request = GenerationRequest(
            prompt: prompt, sampling: sampling(maxTokens: maxTokens, temperature: temperature, seed: seed),
            templateStops: ["<end_of_turn>"])
        request.cachePartition = tenant
        return request
    }

    /// A, then B on the only slot (A's cells go to host memory), then A's next turn: restored, counted as cached and
    /// restored, and the output is the one a fresh engine gives. Without the host cache the turn is evaluated again.
    @Test func anEvictedConversationIsRestored() async throws {
        let engine = try TestModels.defaultEngine(parallel: 1)
        defer { engine.shutdown() }
        let a1 = Self.longTurn("garden")
        let first = try await engine.collect(request(a1))
        let firstPrompt = try #require(first.usage?.promptTokens)
        #expect(firstPrompt > 600)
        _ = try await engine.collect(request(Self.longTurn("kitchen")))
        #expect(await engine.stats().hostCacheBytes > 0)
        let a2 = Self.nextTurn(a1, first.text)
        let second = try await engine.collect(request(a2))
        let usage = try #require(second.usage)
        #expect(usage.restoredPromptTokens >= firstPrompt - 1, "\(usage) after a first turn of \(firstPrompt) tokens")
        #expect(usage.restoredPromptTokens <= firstPrompt)
        #expect(usage.cachedPromptTokens == usage.restoredPromptTokens && usage.copiedPromptTokens == 0)

        // The restored cells (only the last window of the sliding-window layers) stay in the slot for the next turn.
        let a3 = Self.nextTurn(a2, second.text)
        let third = try #require(try await engine.collect(request(a3)).usage)
        #expect(third.cachedPromptTokens >= usage.promptTokens - 1 && third.restoredPromptTokens == 0, "\(third) after \(usage)")

        let fresh = try TestModels.defaultEngine(parallel: 1)
        defer { fresh.shutdown() }
        let reference = try await fresh.collect(request(a2))
        #expect(reference.usage?.cachedPromptTokens == 0)
        #expect(second.text == reference.text)
        #expect(!second.text.isEmpty)

        let off = try TestModels.defaultEngine(parallel: 1, hostCacheBytes: 0)
        defer { off.shutdown() }
        _ = try await off.collect(request(a1))
        _ = try await off.collect(request(Self.longTurn("kitchen")))
        let evaluated = try #require(try await off.collect(request(a2)).usage)
        #expect(evaluated.restoredPromptTokens == 0)
        #expect(evaluated.cachedPromptTokens < 40, "only the shared system prompt: \(evaluated)")
        #expect(await off.stats().hostCacheBytes == 0)
    }

    /// Another tenant's request with A's next turn restores nothing (its slot held A's partition's cells, it evaluates
    /// everything); A's own tenant then restores A's state.
    @Test func anotherTenantNeverGetsTheState() async throws {
        let engine = try TestModels.defaultEngine(parallel: 1)
        defer { engine.shutdown() }
        let a1 = Self.shortTurn("rivers")
        let first = try await engine.collect(request(a1, tenant: "tenant-a"))
        let firstPrompt = try #require(first.usage?.promptTokens)
        _ = try await engine.collect(request(Self.shortTurn("mountains"), tenant: "tenant-a"))
        let a2 = Self.nextTurn(a1, first.text)
        let stranger = try #require(try await engine.collect(request(a2, tenant: "tenant-b")).usage)
        #expect(stranger.restoredPromptTokens == 0 && stranger.cachedPromptTokens == 0, "\(stranger)")
        let keyless = try #require(try await engine.collect(request(a2, tenant: nil)).usage)
        #expect(keyless.restoredPromptTokens == 0 && keyless.cachedPromptTokens == 0, "\(keyless)")
        let own = try #require(try await engine.collect(request(a2, tenant: "tenant-a")).usage)
        // A short state is saved whole: the first turn's prompt and the answer's tokens the next turn repeats.
        #expect(own.restoredPromptTokens >= firstPrompt, "\(own) after a first turn of \(firstPrompt) tokens")
        #expect(own.cachedPromptTokens == own.restoredPromptTokens)
    }

    /// A budget smaller than any state stores nothing, so nothing is restored.
    @Test func aTinyBudgetRestoresNothing() async throws {
        let engine = try TestModels.defaultEngine(parallel: 1, hostCacheBytes: 64 << 10)
        defer { engine.shutdown() }
        let a1 = Self.shortTurn("rivers")
        let first = try await engine.collect(request(a1))
        _ = try await engine.collect(request(Self.shortTurn("mountains")))
        #expect(await engine.stats().hostCacheBytes == 0)
        let second = try #require(try await engine.collect(request(Self.nextTurn(a1, first.text))).usage)
        #expect(second.restoredPromptTokens == 0 && second.cachedPromptTokens < 40, "\(second)")
    }

    /// A seeded request restores only canonical cells up to a 256-token boundary, and samples what it samples on a
    /// fresh engine.
    @Test func seededRequestsStayReproducible() async throws {
        let engine = try TestModels.defaultEngine(parallel: 1)
        defer { engine.shutdown() }
        let a1 = Self.shortTurn("volcanoes") + "Sure. " + String(repeating: "Volcanoes are openings in the crust. ", count: 32)
        let first = try await engine.collect(request(a1, maxTokens: 4, seed: 7))
        let firstPrompt = try #require(first.usage?.promptTokens)
        #expect(firstPrompt > 300 && firstPrompt < 500)
        _ = try await engine.collect(request(Self.shortTurn("glaciers"), maxTokens: 4, seed: 7))
        let a2 = Self.nextTurn(a1, first.text)
        let seeded = try await engine.collect(request(a2, maxTokens: 16, seed: 11, temperature: 0.9))
        #expect(seeded.usage?.restoredPromptTokens == 256, "\(String(describing: seeded.usage))")

        let fresh = try TestModels.defaultEngine(parallel: 1)
        defer { fresh.shutdown() }
        let reference = try await fresh.collect(request(a2, maxTokens: 16, seed: 11, temperature: 0.9))
        #expect(reference.usage?.cachedPromptTokens == 0)
        #expect(seeded.text == reference.text)
    }
}
