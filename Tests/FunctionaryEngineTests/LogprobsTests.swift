import FunctionaryEngine
import FunctionaryProtocol
import Testing

/// Log probabilities and logit bias on the real default model.
@Suite(.serialized) struct LogprobsTests {
    static let prompt = "<start_of_turn>user\nWrite one short sentence about the sea.<end_of_turn>\n<start_of_turn>model\n"
    static let chinese = "<start_of_turn>user\n用中文写一句关于大海的话。<end_of_turn>\n<start_of_turn>model\n"

    static func request(_ prompt: String, maxTokens: Int = 12, logprobs: Int? = 5, bias: [Int: Double] = [:]) -> GenerationRequest {
        var parameters = sampling(maxTokens: maxTokens)
        parameters.logprobs = logprobs
        parameters.logitBias = bias
        return GenerationRequest(prompt: prompt, sampling: parameters, templateStops: ["<end_of_turn>"])
    }

    /// At temperature 0 the chosen token is the most likely one; its entry's bytes rebuild the text exactly.
    @Test(arguments: [prompt, chinese])
    func greedyTokensAreTheMostLikelyAndBytesRebuildTheText(prompt: String) async throws {
        let engine = try SharedEngine.get()
        let result = try await engine.collect(Self.request(prompt, maxTokens: 16))
        let entries = try #require(result.logprobs[0])
        #expect(!entries.isEmpty)
        #expect(entries.flatMap(\.token.bytes) == Array(result.text.utf8))
        for entry in entries {
            #expect(entry.top.count == 5)
            #expect(entry.top[0].bytes == entry.token.bytes)
            #expect(entry.token.logprob <= 0)
            #expect(entry.top.allSatisfy { $0.logprob <= entry.token.logprob + 1e-6 })
            #expect(zip(entry.top, entry.top.dropFirst()).allSatisfy { $0.logprob >= $1.logprob })
        }
        // Without the option, the same text and no entries.
        let plain = try await engine.collect(Self.request(prompt, maxTokens: 16, logprobs: nil))
        #expect(plain.logprobs.isEmpty)
        // The same text, up to a close call: the other suites share this engine, and a different batch in a decode
        // step takes other kernels, whose rounding may flip two nearly equally likely tokens (see docs/server.md,
        // reproducible seeds). Where the texts part, the plain run's token must be a runner-up of this position,
        // within one nat of the chosen one; anything else is a real difference.
        if plain.text != result.text {
            let plainBytes = Array(plain.text.utf8)
            let same = zip(plainBytes, Array(result.text.utf8)).prefix { $0 == $1 }.count
            var offset = 0
            var at: (entry: TokenLogprobs, offset: Int)?
            for entry in entries {
                if offset + entry.token.bytes.count > same {
                    at = (entry, offset)
                    break
                }
                offset += entry.token.bytes.count
            }
            let tie = try #require(at, "texts differ after the last token: \(plain.text) vs \(result.text)")
            let rest = plainBytes.dropFirst(tie.offset)
            let runnerUp = tie.entry.top.dropFirst().first { !$0.bytes.isEmpty && rest.starts(with: $0.bytes) }
            let chosen = tie.entry.token.logprob
            #expect(runnerUp.map { chosen - $0.logprob < 1.0 } == true, "not a close call: \(tie.entry) vs \(plain.text)")
        }
    }

    /// -100 on the token greedy decoding picks first changes the first token; +100 on a token makes it come first.
    @Test func logitBiasBansAndForces() async throws {
        let engine = try SharedEngine.get()
        let greedy = try await engine.collect(Self.request(Self.prompt, maxTokens: 4, logprobs: 1))
        let first = try #require(greedy.logprobs[0]?.first)
        let firstID = try #require(engine.tokenize(first.token.text).last)
        #expect(engine.tokenText(firstID) == first.token.text)

        let banned = try await engine.collect(Self.request(Self.prompt, maxTokens: 4, logprobs: 1, bias: [Int(firstID): -100]))
        let replaced = try #require(banned.logprobs[0]?.first)
        #expect(replaced.token.bytes != first.token.bytes)
        #expect(replaced.top.allSatisfy { $0.bytes != first.token.bytes })

        let forcedID = try #require(engine.tokenize(" Zebra").last)
        let forced = try await engine.collect(Self.request(Self.prompt, maxTokens: 4, logprobs: 0, bias: [Int(forcedID): 100]))
        #expect(forced.text.hasPrefix(engine.tokenText(forcedID)))
    }

    /// Keys beyond the vocabulary and biases out of range are refused, naming the key.
    @Test func badLogitBiasIsRefused() async throws {
        let engine = try SharedEngine.get()
        for (bias, key) in [([1 << 40: 1.0], "\(1 << 40)"), ([-1: 1.0], "-1"), ([5: 101.0], "5")] {
            let error = await #expect(throws: GenerationError.self) {
                _ = try await engine.collect(Self.request(Self.prompt, maxTokens: 2, bias: bias))
            }
            guard case .invalidParameter(let name, let message)? = error else {
                Issue.record("expected invalidParameter, got \(String(describing: error))")
                continue
            }
            #expect(name == "logit_bias")
            #expect(message.contains("'\(key)'"), "\(message)")
        }
    }

    /// The same seeded request twice gives the same text, whether its prompt was in the cache or not (seed 42,
    /// temperature 0.9). Before prompts were evaluated in aligned chunks, the second run reused the whole cached
    /// prompt, evaluated only the last token, and drew different text.
    @Test func seededRequestIsReproducibleWhateverTheCacheHeld() async throws {
        let engine = try TestModels.defaultEngine(parallel: 2)
        var parameters = sampling(maxTokens: 64, temperature: 0.9, seed: 42)
        parameters.logprobs = 0
        // Longer than one prompt chunk (256 tokens), so that the second run reuses a chunk of the cache.
        let facts = (1...40).map { "Fact \($0): the keeper's jar number \($0) holds the sound of a different storm." }
        let prompt =
            "<start_of_turn>user\nYou are a storyteller. " + facts.joined(separator: " ")
            + " Tell a short, unusual story about this lighthouse keeper.<end_of_turn>\n<start_of_turn>model\n"
        let request = GenerationRequest(prompt: prompt, sampling: parameters, templateStops: ["<end_of_turn>"])
        let first = try await engine.collect(request)
        let second = try await engine.collect(request)
        #expect(first.usage?.cachedPromptTokens == 0)
        #expect((second.usage?.cachedPromptTokens ?? 0) > 0, "the second run must use the cache for this test to mean anything")
        #expect(second.text == first.text)
        // The same cells give the same distributions, to the last bit.
        #expect(second.logprobs[0]?.map(\.token.logprob) == first.logprobs[0]?.map(\.token.logprob))
        // And after the cache held a longer conversation on the same prefix.
        let longer = GenerationRequest(
            prompt: prompt + first.text + "<end_of_turn>\n<start_of_turn>user\nAgain, shorter.<end_of_turn>\n<start_of_turn>model\n",
            sampling: parameters, templateStops: ["<end_of_turn>"])
        _ = try await engine.collect(longer)
        let third = try await engine.collect(request)
        #expect(third.text == first.text)
        #expect(third.logprobs[0]?.map(\.token.logprob) == first.logprobs[0]?.map(\.token.logprob))
    }
}
