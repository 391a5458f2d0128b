import FunctionaryProtocol

/// `POST /v1/completions` body: a raw prompt (for clients that apply the template themselves).
struct CompletionRequest: Decodable, Sendable {
    var model: String
    var prompt: Prompt
    var temperature: Double?
    var topP: Double?
    var topK: Int?
    var minP: Double?
    var seed: Int?
    var n: Int?
    var maxTokens: Int?
    var stop: StopSequences?
    var presencePenalty: Double?
    var frequencyPenalty: Double?
    var repetitionPenalty: Double?
    var stream: Bool?
    var streamOptions: ChatCompletionRequest.StreamOptions?
    var user: String?
    /// The legacy `logprobs`: how many alternatives come with each token's log probability.
    var logprobs: Int?
    var logitBias: JSONValue?

    enum CodingKeys: String, CodingKey {
        case model, prompt, temperature, seed, n, stop, stream, user, logprobs
        case logitBias = "logit_bias"
        case topP = "top_p"
        case topK = "top_k"
        case minP = "min_p"
        case maxTokens = "max_tokens"
        case presencePenalty = "presence_penalty"
        case frequencyPenalty = "frequency_penalty"
        case repetitionPenalty = "repetition_penalty"
        case streamOptions = "stream_options"
    }

    /// `prompt`: a string, or a list holding exactly one string.
    struct Prompt: Decodable, Sendable {
        var text: String

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) {
                self.text = text
                return
            }
            if let list = try? container.decode([String].self) {
                guard list.count == 1 else {
                    throw DecodingError.dataCorrupted(
                        .init(
                            codingPath: decoder.codingPath,
                            debugDescription: "a list of \(list.count) prompts is not supported; send one prompt per request"))
                }
                self.text = list[0]
                return
            }
            throw DecodingError.typeMismatch(
                String.self,
                .init(codingPath: decoder.codingPath, debugDescription: "expected a string (token-id prompts are not supported)"))
        }
    }

    var samplingFields: SamplingFields {
        SamplingFields(
            temperature: temperature, topP: topP, topK: topK, minP: minP, seed: seed, maxTokens: maxTokens, stop: stop?.values,
            presencePenalty: presencePenalty, frequencyPenalty: frequencyPenalty, repetitionPenalty: repetitionPenalty, n: n,
            legacyLogprobs: logprobs, logitBias: logitBias)
    }
}
