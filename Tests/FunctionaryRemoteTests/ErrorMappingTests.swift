import FunctionaryProtocol
import Testing

@testable import FunctionaryRemote

/// Upstream errors become the errors the server maps to OpenAI statuses.
@Suite struct ErrorMappingTests {
    static func map(_ path: String, status: Int = 400, maxTokens: Int? = 1000) throws -> GenerationError {
        let failure = UpstreamFailure.fromBody(.status(status), body: try Remote.fixture(path))
        return UpstreamErrorMapper.generationError(failure, upstream: "http://gpu-1:8000", requestedMaxTokens: maxTokens)
    }

    @Test func vllmContextLengthInEveryWording() throws {
        #expect(try Self.map("vllm/error-context-length-v0.6.json") == .contextOverflow(promptTokens: 8000, maxTokens: 1000, contextSize: 8192))
        #expect(try Self.map("vllm/error-context-length-v0.8.json") == .contextOverflow(promptTokens: 7500, maxTokens: 1000, contextSize: 8192))
        #expect(try Self.map("vllm/error-context-length-v0.12.json") == .contextOverflow(promptTokens: 7193, maxTokens: 1000, contextSize: 8192))
    }

    /// vLLM's own check of `logit_bias` ids names the field and keeps vLLM's words (with the key).
    @Test func vllmLogitBiasRefusal() throws {
        guard case .invalidParameter(let name, let message) = try Self.map("vllm/error-logit-bias.json") else {
            Issue.record("not an invalid parameter")
            return
        }
        #expect(name == "logit_bias")
        #expect(message.contains("262150"))
    }

    @Test func sglangAndLlamaCppContextErrors() throws {
        #expect(try Self.map("sglang/error-context-length.json") == .contextOverflow(promptTokens: 8000, maxTokens: 1000, contextSize: 8192))
        #expect(
            try Self.map("llamacpp/error-context-size.json", maxTokens: nil) == .contextOverflow(promptTokens: 5000, maxTokens: 0, contextSize: 4096))
    }

    @Test func otherShortForms() {
        func map(_ message: String) -> GenerationError {
            UpstreamErrorMapper.generationError(
                UpstreamFailure(kind: .status(400), message: message), upstream: "http://a", requestedMaxTokens: 10)
        }
        #expect(
            map("This model's maximum context length is 4096 tokens. However, your request has 5000 input tokens.")
                == .contextOverflow(promptTokens: 5000, maxTokens: 10, contextSize: 4096))
        #expect(
            map("The decoder prompt (length 5000) is longer than the maximum model length of 4096.")
                == .contextOverflow(promptTokens: 5000, maxTokens: 10, contextSize: 4096))
        #expect(
            map("The input (5000 tokens) is longer than the model's context length (4096 tokens).")
                == .contextOverflow(promptTokens: 5000, maxTokens: 10, contextSize: 4096))
        #expect(map("exceeds the context window somehow") == .invalidParameter(name: "messages", message: "exceeds the context window somehow"))
        #expect(
            map("Grammar error: unexpected end") == .invalidConstraint("the engine at http://a rejected the grammar: Grammar error: unexpected end"))
        #expect(map("temperature must be non-negative") == .invalidParameter(name: "request", message: "temperature must be non-negative"))
    }

    @Test func serverErrorsAreEngineFailuresAndRetryable() throws {
        let failure = UpstreamFailure.fromBody(.status(500), body: #"{"error":{"message":"CUDA error: out of memory","code":500}}"#)
        #expect(failure.isRetryable)
        #expect(failure.marksUnhealthy)
        let error = UpstreamErrorMapper.generationError(failure, upstream: "http://a", requestedMaxTokens: nil)
        guard case .engineFailure(let message) = error else {
            Issue.record("expected an engine failure, got \(error)")
            return
        }
        #expect(message.contains("CUDA error: out of memory"))
        #expect(message.contains("http://a"))
    }

    @Test func classification() {
        #expect(!UpstreamFailure(kind: .status(400), message: "").isRetryable)
        #expect(!UpstreamFailure(kind: .status(422), message: "").isRetryable)
        #expect(UpstreamFailure(kind: .status(429), message: "").isRetryable)
        #expect(!UpstreamFailure(kind: .status(429), message: "").marksUnhealthy)
        #expect(UpstreamFailure(kind: .status(503), message: "").marksUnhealthy)
        #expect(UpstreamFailure(kind: .connection, message: "").marksUnhealthy)
        #expect(UpstreamFailure(kind: .timeout, message: "").marksUnhealthy)
        #expect(!UpstreamFailure(kind: .streamError(400), message: "").isRetryable)
        #expect(UpstreamFailure.fromBody(.status(502), body: "<html>Bad Gateway</html>").message == "<html>Bad Gateway</html>")
        #expect(UpstreamFailure.fromBody(.status(422), body: #"{"detail":[{"msg":"field required"}]}"#).message.contains("field required"))
    }
}
