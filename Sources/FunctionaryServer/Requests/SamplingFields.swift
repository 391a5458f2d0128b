import FunctionaryProtocol

/// The sampling fields shared by `/v1/chat/completions` and `/v1/completions`, checked and turned into
/// engine parameters. Out-of-range values get a 400 naming the field.
struct SamplingFields: Sendable {
    var temperature: Double?
    var topP: Double?
    var topK: Int?
    var minP: Double?
    var seed: Int?
    var maxTokens: Int?
    var maxTokensField = "max_tokens"
    var stop: [String]?
    var presencePenalty: Double?
    var frequencyPenalty: Double?
    var repetitionPenalty: Double?
    var n: Int?
    /// Chat's `logprobs` and `top_logprobs`.
    var logprobs: Bool?
    var topLogprobs: Int?
    /// `/v1/completions`' `logprobs` (a count of alternatives).
    var legacyLogprobs: Int?
    var logitBias: JSONValue?

    /// The most choices one request may ask for.
    static func maxChoices(_ configuration: ServerConfiguration) -> Int { max(1, configuration.parallel) }

    func parameters(_ configuration: ServerConfiguration) throws(OpenAIError) -> (SamplingParameters, n: Int) {
        var sampling = SamplingParameters()
        sampling.temperature = try Self.check(temperature, "temperature", 0...2) ?? configuration.defaultTemperature
        if let topP = try Self.check(topP, "top_p", 0...1) { sampling.topP = topP }
        if let minP = try Self.check(minP, "min_p", 0...1) { sampling.minP = minP }
        if let topK {
            guard topK >= -1 else { throw Self.outOfRange("top_k", "must be -1 (disabled), 0 (disabled) or positive", topK) }
            sampling.topK = max(0, topK)
        }
        if let p = try Self.check(presencePenalty, "presence_penalty", -2...2) { sampling.presencePenalty = p }
        if let p = try Self.check(frequencyPenalty, "frequency_penalty", -2...2) { sampling.frequencyPenalty = p }
        if let p = repetitionPenalty {
            guard p > 0, p.isFinite else { throw Self.outOfRange("repetition_penalty", "must be greater than 0", p) }
            sampling.repetitionPenalty = p
        }
        if let seed { sampling.seed = UInt32(truncatingIfNeeded: seed) }
        if let maxTokens {
            guard maxTokens >= 1 else { throw Self.outOfRange(maxTokensField, "must be at least 1", maxTokens) }
            sampling.maxTokens = maxTokens
        }
        sampling.stop = (stop ?? []).filter { !$0.isEmpty }
        sampling.logprobs = try logprobCount()
        sampling.logitBias = try Self.logitBias(logitBias)
        let limit = Self.maxChoices(configuration)
        let n = n ?? 1
        guard (1...limit).contains(n) else {
            throw OpenAIError.badRequest(
                "Invalid value for 'n': \(n); it must be between 1 and \(limit) (the server's --parallel).", param: "n",
                code: "invalid_value")
        }
        return (sampling, n)
    }

    private static func check(_ value: Double?, _ name: String, _ range: ClosedRange<Double>) throws(OpenAIError) -> Double? {
        guard let value else { return nil }
        guard value.isFinite, range.contains(value) else {
            throw outOfRange(name, "must be between \(format(range.lowerBound)) and \(format(range.upperBound))", value)
        }
        return value
    }

    private static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }

    private static func outOfRange(_ name: String, _ rule: String, _ value: some CustomStringConvertible) -> OpenAIError {
        OpenAIError.badRequest("Invalid value for '\(name)': \(value); it \(rule).", param: name, code: "invalid_value")
    }
}
