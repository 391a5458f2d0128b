import FunctionaryProtocol

extension SamplingFields {
    /// The most alternatives one token's log probability may come with (`top_logprobs`, legacy `logprobs`).
    static let maxTopLogprobs = 20
    /// The most `logit_bias` entries one request may send.
    static let maxLogitBiasEntries = 4096

    /// How many alternatives to return with each token's log probability; nil when none were asked for.
    /// - Throws: 400 for `top_logprobs` out of 0…20 or without `logprobs: true`, legacy `logprobs` out of 0…20.
    func logprobCount() throws(OpenAIError) -> Int? {
        if let legacyLogprobs {
            guard (0...Self.maxTopLogprobs).contains(legacyLogprobs) else {
                throw Self.invalid("logprobs", "Invalid value for 'logprobs': \(legacyLogprobs); it must be between 0 and \(Self.maxTopLogprobs).")
            }
            return legacyLogprobs
        }
        if let topLogprobs {
            guard (0...Self.maxTopLogprobs).contains(topLogprobs) else {
                throw Self.invalid(
                    "top_logprobs", "Invalid value for 'top_logprobs': \(topLogprobs); it must be between 0 and \(Self.maxTopLogprobs).")
            }
            guard logprobs == true else {
                throw Self.invalid("top_logprobs", "'top_logprobs' requires 'logprobs' to be true.")
            }
        }
        return logprobs == true ? (topLogprobs ?? 0) : nil
    }

    /// `logit_bias`: an object whose keys are token ids written as strings of digits and whose values are numbers
    /// from -100 to 100 (whether a token id is in the model's vocabulary is the engine's check).
    /// - Throws: 400 naming the key at fault.
    static func logitBias(_ value: JSONValue?) throws(OpenAIError) -> [Int: Double] {
        guard let value, value != .null else { return [:] }
        guard case .object(let object) = value else {
            throw invalid("logit_bias", "'logit_bias' must be an object mapping token ids (as strings) to numbers from -100 to 100.")
        }
        guard object.count <= maxLogitBiasEntries else {
            throw invalid("logit_bias", "'logit_bias' has \(object.count) entries; at most \(maxLogitBiasEntries) are allowed.")
        }
        var bias: [Int: Double] = [:]
        for member in object {
            let key = member.key
            let entry = member.value
            let shown = key.count > 40 ? String(key.prefix(40)) + "…" : key
            guard let token = tokenID(key) else {
                throw invalid("logit_bias", "Invalid key in 'logit_bias': '\(shown)' is not a token id (a non-negative integer).")
            }
            guard token <= maxTokenID else {
                throw invalid("logit_bias", "Invalid key in 'logit_bias': '\(shown)' is not a token id of this model's vocabulary.")
            }
            guard case .number(let number) = entry, number.doubleValue.isFinite, (-100...100).contains(number.doubleValue) else {
                throw invalid(
                    "logit_bias",
                    "Invalid value in 'logit_bias' for key '\(shown)': \(entry.compactJSON().prefix(40)); it must be a number between -100 and 100.")
            }
            bias[token] = number.doubleValue
        }
        return bias
    }

    /// No vocabulary has this many tokens; larger ids are refused here, smaller ones by the engine, which knows its
    /// vocabulary.
    static let maxTokenID = 999_999_999

    /// A token id written as decimal digits (no sign, no spaces); ids too long for `Int` become `Int.max`.
    static func tokenID(_ key: String) -> Int? {
        guard !key.isEmpty, key.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(key) ?? Int.max
    }

    private static func invalid(_ name: String, _ message: String) -> OpenAIError {
        OpenAIError.badRequest(message, param: name, code: "invalid_value")
    }
}
