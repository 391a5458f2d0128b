import Foundation
import FunctionaryEngine
import FunctionaryProtocol
import Testing

/// Prompt-lookup speculation (`EngineConfiguration.speculation`, `--speculation lookup`): drafts from the context,
/// verified in the decode batch; the output is the one without speculation.
@Suite(.serialized) struct SpeculationTests {
    static let system = SchedulerTests.system

    /// Outputs that copy from their context, and one that copies little. (Greedy equality holds where the model's
    /// choice is clear: the logits of a batch of several tokens can differ from one token's in their last bits, so two
    /// nearly tied tokens can swap, as with jump-forward; the base model repeating a story prompt, for one, reaches such a
    /// tie between two unlikely tokens after the repeated prompt: after the fourth prompt's repeated question, ` bloodstream`
    /// at logprob -4.2028 and ` denaro` at -4.2429 (`/v1/completions` with `logprobs: 5`, no adapter), and the batched
    /// logits swap them. The fourth prompt stops before that point.)
    static let prompts = [
        system + "Repeat this sentence exactly: The delivery to 1420 Cedar Grove Lane, Apartment 7B, Springfield arrives on Tuesday."
            + "<end_of_turn>\n<start_of_turn>model\n",
        system + "Here is the weather report: Santa Cruz, CA: 64 degrees fahrenheit, foggy, wind 12 mph from the west. "
            + "Seattle, WA: 52 degrees fahrenheit, rainy, wind 8 mph from the south.\nCompare the weather in the two cities, "
            + "quoting the report.<end_of_turn>\n<start_of_turn>model\n",
        system + "Write the list again with numbers: apples, pears, cherries, plums, apples, pears, cherries, plums."
            + "<end_of_turn>\n<start_of_turn>model\n",
        system + "What is the capital of France, and which river runs through it?<end_of_turn>\n<start_of_turn>model\n",
    ]

    static func request(_ prompt: String, maxTokens: Int = 80, temperature: Double = 0, seed: UInt32? = 7, speculation: Bool? = nil)
        -> GenerationRequest
    {
        var request = GenerationRequest(
            prompt: prompt, sampling: sampling(maxTokens: maxTokens, temperature: temperature, seed: seed),
            templateStops: ["<end_of_turn>"])
        request.speculation = speculation
        return request
    }

    /// Greedy outputs with speculation equal those without; the copying prompts keep drafted tokens.
    @Test func greedyOutputIsUnchanged() async throws {
        let engine = try TestModels.defaultEngine(parallel: 1, hostCacheBytes: 0, speculation: false)
        defer { engine.shutdown() }
        var acceptedInCopies = 0
        for (k, prompt) in Self.prompts.enumerated() {
            // The last prompt copies little; the base model repeats it and then reaches a near tie (see above).
            let maxTokens = k == 3 ? 16 : 80
            let plain = try await engine.collect(Self.request(prompt, maxTokens: maxTokens, speculation: false))
            let speculative = try await engine.collect(Self.request(prompt, maxTokens: maxTokens, speculation: true))
            #expect(speculative.text == plain.text, "prompt \(k)")
            #expect(speculative.finish[0] == plain.finish[0])
            let usage = try #require(speculative.usage)
            #expect(usage.completionTokens == plain.usage?.completionTokens, "prompt \(k): \(usage)")
            #expect(usage.acceptedDraftTokens <= usage.draftedTokens)
            #expect(plain.usage?.draftedTokens == 0)
            if k < 3 { acceptedInCopies += usage.acceptedDraftTokens }
        }
        #expect(acceptedInCopies > 20, "the copying outputs kept \(acceptedInCopies) drafted tokens")
    }

    /// A tool call whose arguments copy the user's words, under the tool grammar: the same call either way.
    @Test func toolCallUnderTheGrammarIsUnchanged() async throws {
        let engine = try TestModels.defaultEngine(parallel: 1, hostCacheBytes: 0, speculation: false)
        defer { engine.shutdown() }
        var request = ChatCompletionRequest(
            model: "",
            messages: [ChatMessage(role: "user", content: "Send the parcel to 1420 Cedar Grove Lane, Apartment 7B, Springfield, tomorrow")],
            tools: [ToolCallTests.weather, ToolCallTests.order], toolChoice: "required")
        request.parallelToolCalls = false
        let resolved = try request.resolveTools()
        let template = TemplateVersion.gemma3.template
        let constraint = try #require(ToolGrammar.constraint(for: .gemma3, resolved: resolved, parallelToolCalls: false))
        let prompt = try PromptBuilder.prompt(template: template, messages: request.messages, resolved: resolved)
        var outputs: [String] = []
        for speculation in [false, true] {
            var generation = Self.request(prompt, maxTokens: 120, speculation: speculation)
            generation.constraint = constraint
            generation.templateStops = template.stopTokens
            let result = try await engine.collect(generation)
            outputs.append(result.text)
            if speculation { #expect((result.usage?.draftedTokens ?? 0) > 0, "\(result.text)") }
        }
        #expect(outputs[0] == outputs[1])
        #expect(!template.parse(outputs[1], toolChoice: resolved.choice).toolCalls.isEmpty, "\(outputs[1])")
    }

    /// Sampling at temperature 1 keeps its distribution: the first five tokens of an output that copies its prompt (the
    /// second to fifth are drafted), top-k 3 (so that outcomes repeat), over 240 seeds without speculation and 240 other
    /// seeds with it, compared by a chi-square test of homogeneity (outcomes seen fewer than 10 times pooled).
    @Test func samplingKeepsItsDistribution() async throws {
        let engine = try TestModels.defaultEngine(parallel: 4, maxQueue: 512, hostCacheBytes: 0, speculation: false)
        defer { engine.shutdown() }
        let prompt = Self.prompts[0]
        let runs = 240
        func sample(_ seeds: Range<Int>, speculation: Bool) async throws -> (outcomes: [String: Int], accepted: Int) {
            try await withThrowingTaskGroup(of: (String, Int).self) { group in
                for seed in seeds {
                    group.addTask {
                        var request = Self.request(prompt, maxTokens: 5, temperature: 1, seed: UInt32(seed), speculation: speculation)
                        request.sampling.topK = 3
                        let result = try await engine.collect(request)
                        return (result.text, result.usage?.acceptedDraftTokens ?? 0)
                    }
                }
                var outcomes: [String: Int] = [:]
                var accepted = 0
                for try await (text, kept) in group {
                    outcomes[text, default: 0] += 1
                    accepted += kept
                }
                return (outcomes, accepted)
            }
        }
        let plain = try await sample(0..<runs, speculation: false)
        let speculative = try await sample(runs..<(2 * runs), speculation: true)
        #expect(speculative.accepted > runs, "drafts kept: \(speculative.accepted)")
        let (statistic, degrees) = Self.chiSquare(plain.outcomes, speculative.outcomes, minimum: 10)
        #expect(degrees >= 2, "too few distinct outcomes to compare: \(plain.outcomes)")
        let critical = Self.chiSquareCritical(degrees: degrees)
        #expect(statistic < critical, "chi-square \(statistic) ≥ \(critical) (df \(degrees)): \(plain.outcomes) vs \(speculative.outcomes)")
    }

    /// The chi-square statistic of homogeneity of two samples and its degrees of freedom; outcomes seen fewer than
    /// `minimum` times in both samples together are pooled into one.
    static func chiSquare(_ a: [String: Int], _ b: [String: Int], minimum: Int) -> (Double, Int) {
        var rows: [(Int, Int)] = []
        var pooled = (0, 0)
        for key in Set(a.keys).union(b.keys) {
            let row = (a[key] ?? 0, b[key] ?? 0)
            if row.0 + row.1 < minimum { pooled = (pooled.0 + row.0, pooled.1 + row.1) } else { rows.append(row) }
        }
        if pooled.0 + pooled.1 > 0 { rows.append(pooled) }
        let totalA = Double(rows.reduce(0) { $0 + $1.0 })
        let totalB = Double(rows.reduce(0) { $0 + $1.1 })
        let total = totalA + totalB
        var statistic = 0.0
        for row in rows {
            let count = Double(row.0 + row.1)
            let expectedA = count * totalA / total
            let expectedB = count * totalB / total
            statistic += pow(Double(row.0) - expectedA, 2) / expectedA + pow(Double(row.1) - expectedB, 2) / expectedB
        }
        return (statistic, rows.count - 1)
    }

    /// The chi-square value a true homogeneity exceeds with probability 0.001 (Wilson–Hilferty approximation).
    static func chiSquareCritical(degrees: Int) -> Double {
        let k = Double(degrees)
        let z = 3.090  // the normal distribution's 0.999 quantile
        return k * pow(1 - 2 / (9 * k) + z * (2 / (9 * k)).squareRoot(), 3)
    }

    @Test func theCriticalValuesAreRight() {
        // Tabulated chi-square 0.999 quantiles: df 2: 13.82, df 5: 20.52, df 10: 29.59.
        #expect(abs(Self.chiSquareCritical(degrees: 2) - 13.82) < 0.6)
        #expect(abs(Self.chiSquareCritical(degrees: 5) - 20.52) < 0.3)
        #expect(abs(Self.chiSquareCritical(degrees: 10) - 29.59) < 0.3)
        // Two samples drawn alike stay under it; two different ones do not.
        #expect(Self.chiSquare(["a": 50, "b": 50, "c": 40], ["a": 52, "b": 47, "c": 41], minimum: 10).0 < 13.82)
        #expect(Self.chiSquare(["a": 90, "b": 30, "c": 20], ["a": 30, "b": 90, "c": 20], minimum: 10).0 > 13.82)
    }
}
