/// The kind of server behind an engine URL: it decides the endpoint, the request fields and how
/// grammars are sent.
public enum RemoteEngineKind: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// vLLM's OpenAI server: `/v1/completions` with `skip_special_tokens: false` and a structured-output grammar.
    case vllm
    /// SGLang's OpenAI server: `/v1/completions` with `skip_special_tokens: false` and `ebnf`.
    case sglang
    /// llama.cpp's `llama-server`: its native `/completion` endpoint with `grammar` (GBNF).
    case llamaCpp = "llama.cpp"
    /// Any other OpenAI-compatible `/v1/completions`: no grammar support.
    case openai

    /// Parses a `--engine-kind` value: `vllm`, `sglang`, `llama.cpp` (also `llamacpp`, `llama-cpp`), `openai`.
    /// - Throws: `RemoteEngineError.invalidConfiguration` naming the accepted values.
    public init(flag: String) throws {
        switch flag.lowercased() {
        case "vllm": self = .vllm
        case "sglang": self = .sglang
        case "llama.cpp", "llamacpp", "llama-cpp", "llama-server": self = .llamaCpp
        case "openai": self = .openai
        default:
            throw RemoteEngineError.invalidConfiguration(
                "unknown engine kind '\(flag)': use one of vllm, sglang, llama.cpp, openai")
        }
    }

    /// The kind that an `owned_by` value of `/v1/models` names, if any.
    static func fromOwner(_ owner: String) -> RemoteEngineKind? {
        switch owner.lowercased() {
        case "vllm": return .vllm
        case "sglang": return .sglang
        case "llamacpp", "llama.cpp", "llama-cpp": return .llamaCpp
        default: return nil
        }
    }

    public var description: String { rawValue }

    /// Whether the upstream can enforce a GBNF grammar on the completion.
    var supportsGrammar: Bool { self != .openai }
}

/// How a vLLM server takes a grammar: the request field changed in vLLM 0.10.2 and the old one
/// was removed in 0.12.0.
public enum VLLMGrammarField: String, Sendable, Hashable, CaseIterable {
    /// `"structured_outputs": {"grammar": …}` (vLLM ≥ 0.10.2; the only form from 0.12.0 on).
    case structuredOutputs = "structured_outputs"
    /// `"guided_grammar": …` (vLLM ≤ 0.11.x).
    case guidedGrammar = "guided_grammar"

    /// Parses a `--vllm-grammar-field` value (`structured_outputs` or `guided_grammar`).
    public init(flag: String) throws {
        guard let value = VLLMGrammarField(rawValue: flag) else {
            throw RemoteEngineError.invalidConfiguration(
                "unknown vLLM grammar field '\(flag)': use structured_outputs (vLLM >= 0.10.2) or guided_grammar (vLLM < 0.12)")
        }
        self = value
    }

    /// The field a vLLM of this version understands: `guided_grammar` before 0.10.2.
    static func forVersion(_ version: String) -> VLLMGrammarField {
        let numbers =
            version.split(whereSeparator: { !$0.isNumber && $0 != "." }).first.map {
                $0.split(separator: ".").compactMap { Int($0) }
            } ?? []
        guard numbers.count >= 2 else { return .structuredOutputs }
        let patch = numbers.count > 2 ? numbers[2] : 0
        if numbers[0] > 0 { return .structuredOutputs }
        if numbers[1] > 10 { return .structuredOutputs }
        if numbers[1] == 10 && patch >= 2 { return .structuredOutputs }
        return .guidedGrammar
    }
}

/// Configuration and connection errors of remote engines (request-time errors are `GenerationError`s).
public enum RemoteEngineError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A flag or URL is wrong.
    case invalidConfiguration(String)
    /// No upstream answered while connecting.
    case unreachable(String)

    public var description: String {
        switch self {
        case .invalidConfiguration(let m): return m
        case .unreachable(let m): return m
        }
    }
}
