import FunctionaryProtocol
import Testing

@testable import FunctionaryRemote

/// Hypotheses about hostile or broken upstreams (issue "Hardening"), each confirmed by a test here and fixed.
@Suite("hardening: upstream usage, endless events, credentials, long errors")
struct RemoteHardeningTests {
    static func events(_ lines: [String]) -> ScriptedReply {
        ScriptedReply(chunks: lines.map { Array($0.utf8) })
    }

    /// Negative and absurd usage numbers are dropped (the server's metric counters trap on negative increments, and
    /// `prompt + completion` overflowed).
    @Test func negativeOrHugeUsageIsIgnored() async throws {
        let transport = ScriptedTransport { _ in
            Self.events([
                #"data: {"choices":[{"index":0,"text":"hi","finish_reason":"stop"}]}"# + "\n\n",
                #"data: {"choices":[],"usage":{"prompt_tokens":-5,"completion_tokens":9223372036854775807,"prompt_tokens_details":{"cached_tokens":-1}}}"#
                    + "\n\n",
                "data: [DONE]\n\n",
            ])
        }
        let pool = try Remote.pool(["http://a:1"], transport: transport)
        let (events, error) = await Remote.run(pool, GenerationRequest(prompt: "x"))
        #expect(error == nil)
        let usage = events.compactMap { event -> GenerationUsage? in
            if case .usage(let usage) = event { return usage }
            return nil
        }.first
        #expect(usage.map { $0.promptTokens >= 0 && $0.completionTokens >= 0 && $0.cachedPromptTokens >= 0 } == true)
        #expect(usage.map { $0.completionTokens <= UpstreamStreamDecoder.maxTokenCount } == true)
    }

    @Test func hugeLlamaCppCountsDoNotOverflow() throws {
        var decoder = UpstreamStreamDecoder(kind: .llamaCpp, choices: 2)
        _ = try decoder.decode(ServerSentEvent(data: #"{"index":0,"content":"a","stop":true,"tokens_predicted":9223372036854775807}"#))
        _ = try decoder.decode(ServerSentEvent(data: #"{"index":1,"content":"b","stop":true,"tokens_predicted":9223372036854775807}"#))
        #expect(decoder.usage.completionTokens >= 0)
    }

    /// `data:` lines with no blank line between them made one event that grew without bound.
    @Test func endlessEventIsAnError() async throws {
        let line = "data: " + String(repeating: "x", count: 1 << 20) + "\n"
        let transport = ScriptedTransport { _ in Self.events(Array(repeating: line, count: 40)) }
        let pool = try Remote.pool(["http://a:1"], transport: transport)
        let (_, error) = await Remote.run(pool, GenerationRequest(prompt: "x"))
        #expect(error != nil)
        #expect("\(String(describing: error))".contains("exceeded"))
    }

    /// Credentials in an engine URL are used for requests but never shown: errors reach clients.
    @Test func credentialsAreRedacted() async throws {
        let endpoint = try UpstreamEndpoint(url: "http://user:s3cret@gpu-1:8000/v1")
        #expect(endpoint.root.contains("s3cret"))
        #expect(endpoint.display == "http://***@gpu-1:8000")
        #expect(!"\(endpoint)".contains("s3cret"))
        let transport = ScriptedTransport { _ in .json(500, #"{"error":{"message":"boom"}}"#) }
        let pool = try Remote.pool(["http://user:s3cret@gpu-1:8000/v1"], transport: transport)
        let (_, error) = await Remote.run(pool, GenerationRequest(prompt: "x"))
        let text = "\(String(describing: error))"
        #expect(error != nil)
        #expect(!text.contains("s3cret"), "\(text)")
    }

    /// An upstream's long error body is cut before it can reach a client.
    @Test func longUpstreamErrorsAreShortened() {
        let failure = UpstreamFailure.fromBody(.status(400), body: #"{"error":{"message":""# + String(repeating: "e", count: 100_000) + #""}}"#)
        #expect(failure.message.count < UpstreamFailure.maxMessageCharacters + 100)
        let plain = UpstreamFailure.fromBody(.status(502), body: String(repeating: "<html>", count: 10_000))
        #expect(plain.message.count < UpstreamFailure.maxMessageCharacters + 100)
    }

    /// An upstream's error text that echoes a huge number reaches the context-overflow arithmetic.
    @Test func hugeNumbersInUpstreamErrorsDoNotTrap() {
        let message =
            "This model's maximum context length is 4096 tokens. However, you requested 9223372036854775807 tokens (9223372036854775807 in the messages, 9223372036854775807 in the completion)."
        let error = UpstreamErrorMapper.generationError(
            UpstreamFailure(kind: .status(400), message: message), upstream: "http://a", requestedMaxTokens: Int.max)
        #expect(!error.description.isEmpty)
    }

    @Test func grammarOverTheLimitIsRefused() async throws {
        var options = RemoteEngineOptions()
        options.maxGrammarBytes = 1024
        let transport = ScriptedTransport { _ in .completion(["x"]) }
        let pool = try Remote.pool(["http://a:1"], options: options, transport: transport)
        var properties = JSONObject()
        for i in 0..<200 { properties["property_\(i)"] = ["type": "string"] }
        let constraint = ToolGrammar.jsonResponse(schema: ["type": "object", "properties": .object(properties)])
        let (_, error) = await Remote.run(pool, GenerationRequest(prompt: "x", constraint: constraint))
        #expect("\(String(describing: error))".contains("--max-grammar-bytes"))
        #expect(await transport.log.completions(to: "http://a:1").isEmpty)
    }
}
