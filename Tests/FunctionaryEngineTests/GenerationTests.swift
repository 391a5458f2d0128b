import Foundation
import FunctionaryEngine
import FunctionaryProtocol
import Testing

/// Generation on the default model: determinism, UTF-8, stops, choices, errors.
@Suite struct GenerationTests {
    let prompt = "<start_of_turn>user\nWrite a short poem about the sea.<end_of_turn>\n<start_of_turn>model\n"

    /// Same seed and request, same output. Run on an engine of its own with one slot, and with
    /// another request in between so that the prompt is evaluated afresh each time: numerics depend
    /// on how tokens are batched (a cached prompt evaluates only its last token; other requests share
    /// the batch), and that alone can change which token a draw picks.
    @Test func sameSeedSameOutput() async throws {
        let engine = try TestModels.defaultEngine(parallel: 1)
        let request = GenerationRequest(prompt: prompt, sampling: sampling(maxTokens: 24, temperature: 0.9, seed: 1234))
        let first = try await engine.collect(request)
        let other = GenerationRequest(
            prompt: "Name three colours:", sampling: sampling(maxTokens: 4))
        let between = try await engine.collect(other)
        #expect(between.usage?.cachedPromptTokens ?? 0 <= 1)
        let second = try await engine.collect(request)
        #expect(second.usage?.cachedPromptTokens ?? 0 <= 1)
        #expect(!first.text.isEmpty)
        #expect(first.text == second.text)
        #expect(first.usage?.completionTokens == second.usage?.completionTokens)
    }

    /// The whole sampler chain: top-k, top-p, min-p, temperature, seed and the three penalties.
    @Test func samplerSettings() async throws {
        let engine = try SharedEngine.get()
        var parameters = sampling(maxTokens: 12, temperature: 0.8, seed: 9)
        parameters.topK = 40
        parameters.topP = 0.9
        parameters.minP = 0.05
        parameters.repetitionPenalty = 1.3
        parameters.presencePenalty = 0.5
        parameters.frequencyPenalty = 0.5
        let result = try await engine.collect(GenerationRequest(prompt: prompt, sampling: parameters))
        #expect(result.usage?.completionTokens ?? 0 > 0)
        #expect(result.finish[0] != nil)
    }

    @Test func usageComesLast() async throws {
        let engine = try SharedEngine.get()
        let result = try await engine.collect(GenerationRequest(prompt: prompt, sampling: sampling(maxTokens: 5)))
        #expect(result.eventsAfterUsage == 0)
        let usage = try #require(result.usage)
        #expect(usage.promptTokens == engine.tokenize(prompt).count)
        #expect(usage.completionTokens <= 5)
        #expect(result.finish[0] != nil)
    }

    /// Four unconstrained greedy sequences decoding together each continue their own prompt: a word
    /// repeated twenty times is continued with that word, and no sequence shows another's word (a mix-up of
    /// KV cells, logits or samplers between sequences would). No grammar, so nothing else forces the text.
    @Test func concurrentTextDoesNotMix() async throws {
        let engine = try SharedEngine.get()
        let words = ["apple", "river", "candle", "tiger"]
        let texts = try await withThrowingTaskGroup(of: (String, String).self) { group in
            for word in words {
                group.addTask {
                    let prompt = Array(repeating: word, count: 20).joined(separator: " ")
                    let result = try await engine.collect(GenerationRequest(prompt: prompt, sampling: sampling(maxTokens: 12)))
                    return (word, result.text)
                }
            }
            var collected: [String: String] = [:]
            for try await (word, text) in group { collected[word] = text }
            return collected
        }
        for word in words {
            let text = try #require(texts[word]).lowercased()
            #expect(text.contains(word), "\(word): \(text.debugDescription)")
            for other in words where other != word {
                #expect(!text.contains(other), "\(word)'s sequence wrote \(other): \(text.debugDescription)")
            }
        }
    }

    /// Chinese and emoji stream as whole characters, even when a character spans several tokens.
    @Test func utf8StreamsWholeCharacters() async throws {
        let engine = try SharedEngine.get()
        let expected = "你好，世界！🦜🌊 海"
        let constraint = OutputConstraint(grammar: "root ::= \(GBNF.literal(expected)) [一-龥]{1,3}\n")
        let request = GenerationRequest(
            prompt: "<start_of_turn>user\n用中文写一句话。<end_of_turn>\n<start_of_turn>model\n", sampling: sampling(maxTokens: 40),
            constraint: constraint)
        let result = try await engine.collect(request)
        #expect(result.text.hasPrefix(expected), "\(result.text.debugDescription)")
        for delta in result.deltas[0] ?? [] {
            #expect(!delta.unicodeScalars.contains("\u{FFFD}"), "split character in \(delta.debugDescription)")
        }
        #expect(result.finish[0] == .stop)

        let free = try await engine.collect(
            GenerationRequest(
                prompt: "<start_of_turn>user\n请用中文介绍一下你自己。<end_of_turn>\n<start_of_turn>model\n", sampling: sampling(maxTokens: 30)))
        #expect(!free.text.unicodeScalars.contains("\u{FFFD}"))
    }

    /// Stop strings and template stops end the text and are not part of it, even across tokens.
    @Test func stopStrings() async throws {
        let engine = try SharedEngine.get()
        let constraint = OutputConstraint(grammar: #"root ::= "Hello world. STOP here. END" [a-z]*"# + "\n")
        let stopped = try await engine.collect(
            GenerationRequest(prompt: prompt, sampling: sampling(maxTokens: 30, stop: ["STOP"]), constraint: constraint))
        #expect(stopped.text == "Hello world. ")
        #expect(stopped.finish[0] == .stop)
        #expect(stopped.stopSequences[0] == "STOP", "the engine says which of the request's stop strings matched")
        let template = try await engine.collect(
            GenerationRequest(prompt: prompt, sampling: sampling(maxTokens: 30), constraint: constraint, templateStops: ["here. E"]))
        #expect(template.text == "Hello world. STOP ")
        #expect(template.stopSequences.isEmpty, "a template's marker is no stop sequence of the request")
        let length = try await engine.collect(
            GenerationRequest(prompt: prompt, sampling: sampling(maxTokens: 3, stop: ["nothing like this"]), constraint: constraint))
        #expect(length.finish[0] == .length)
        #expect(length.usage?.completionTokens == 3)
        #expect("Hello world. STOP here. END".hasPrefix(length.text))
    }

    /// Without max_tokens a generation may use what remains of the context, and ends there with `length`
    /// (a grammar that never ends keeps the model writing).
    @Test func maxTokensDefaultsToTheRestOfTheContext() async throws {
        let engine = try LlamaEngine(
            configuration: EngineConfiguration(modelPath: TestModels.defaultModel, contextSize: 48, threads: TestModels.threads, parallel: 1))
        defer { engine.shutdown() }
        var parameters = sampling(maxTokens: 1)
        parameters.maxTokens = nil
        let constraint = OutputConstraint(grammar: #"root ::= "a " root"# + "\n")
        let result = try await engine.collect(GenerationRequest(prompt: "Say a:", sampling: parameters, constraint: constraint))
        let usage = try #require(result.usage)
        #expect(result.finish[0] == .length)
        #expect(usage.promptTokens + usage.completionTokens == 48, "\(usage)")
    }

    @Test func severalChoicesShareThePrompt() async throws {
        let engine = try SharedEngine.get()
        let request = GenerationRequest(prompt: prompt, sampling: sampling(maxTokens: 8, temperature: 1.0, seed: 5), n: 3)
        let result = try await engine.collect(request)
        #expect(Set(result.finish.keys) == [0, 1, 2])
        #expect(result.usage?.promptTokens == engine.tokenize(prompt).count)
        #expect((result.usage?.completionTokens ?? 0) >= 3)
        #expect(result.eventsAfterUsage == 0)
    }

    @Test func contextOverflowNamesBothNumbers() async throws {
        let engine = try SharedEngine.get()
        let promptTokens = engine.tokenize(prompt).count
        do {
            _ = try await engine.collect(GenerationRequest(prompt: prompt, sampling: sampling(maxTokens: 5000)))
            Issue.record("no error")
        } catch let error as GenerationError {
            #expect(error == .contextOverflow(promptTokens: promptTokens, maxTokens: 5000, contextSize: 2048))
            #expect(error.description.contains("2048"))
            #expect(error.description.contains("\(promptTokens)"))
        }
        let long = String(repeating: "The sea is wide and deep. ", count: 400)
        do {
            _ = try await engine.collect(GenerationRequest(prompt: long, sampling: sampling(maxTokens: 1)))
            Issue.record("no error")
        } catch let error as GenerationError {
            guard case .contextOverflow(let p, _, 2048) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(p > 2048)
        }
    }

    @Test func invalidParameters() async throws {
        let engine = try SharedEngine.get()
        var bad = sampling(maxTokens: 5)
        bad.temperature = -1
        await #expect(throws: GenerationError.self) {
            _ = try await engine.collect(GenerationRequest(prompt: prompt, sampling: bad))
        }
        await #expect(throws: GenerationError.self) {
            _ = try await engine.collect(GenerationRequest(prompt: prompt, sampling: sampling(maxTokens: 5), n: 9))
        }
        let broken = OutputConstraint(grammar: "root ::= missing-rule\n")
        do {
            _ = try await engine.collect(GenerationRequest(prompt: prompt, sampling: sampling(maxTokens: 5), constraint: broken))
            Issue.record("an invalid grammar was accepted")
        } catch let error as GenerationError {
            guard case .invalidConstraint = error else {
                Issue.record("\(error)")
                return
            }
        }
    }
}
