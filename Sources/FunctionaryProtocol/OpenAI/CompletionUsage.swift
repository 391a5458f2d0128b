/// `usage` of a chat or text completion.
///
/// Decoding keeps only counts that are counts: a negative, fractional or absurdly large number (over 2^40) from
/// another server reads as absent, so that it reaches neither the metrics (whose counters trap on negative
/// increments) nor arithmetic that could overflow.
public struct CompletionUsage: Codable, Sendable, Hashable {
    public var promptTokens: Int?
    public var completionTokens: Int?
    public var totalTokens: Int?
    /// `prompt_tokens_details.cached_tokens`.
    public var cachedTokens: Int?
    /// `completion_tokens_details.accepted_prediction_tokens`: drafted tokens the model agreed with (speculation).
    public var acceptedPredictionTokens: Int?
    /// `completion_tokens_details.rejected_prediction_tokens`: drafted tokens it did not (evaluated, then dropped).
    public var rejectedPredictionTokens: Int?

    /// The largest token count believed from another server.
    public static let maxTokenCount = 1 << 40

    public init(promptTokens: Int?, completionTokens: Int?, totalTokens: Int? = nil, cachedTokens: Int? = nil) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.totalTokens = totalTokens
        self.cachedTokens = cachedTokens
    }

    /// An engine's counts (the total saturates rather than overflow).
    public init(_ usage: GenerationUsage) {
        let (total, overflow) = usage.promptTokens.addingReportingOverflow(usage.completionTokens)
        self.init(
            promptTokens: usage.promptTokens, completionTokens: usage.completionTokens, totalTokens: overflow ? Int.max : total,
            cachedTokens: usage.cachedPromptTokens)
        // Only where something was drafted: without speculation the object stays as OpenAI's clients know it.
        if usage.draftedTokens > 0 {
            let accepted = max(0, min(usage.acceptedDraftTokens, usage.draftedTokens))
            acceptedPredictionTokens = accepted
            rejectedPredictionTokens = usage.draftedTokens - accepted
        }
    }

    /// The counts as an engine reports them (absent counts are 0).
    public var generationUsage: GenerationUsage {
        var usage = GenerationUsage(
            promptTokens: promptTokens ?? 0, completionTokens: completionTokens ?? 0, cachedPromptTokens: cachedTokens ?? 0)
        let accepted = acceptedPredictionTokens ?? 0
        let (drafted, overflow) = accepted.addingReportingOverflow(rejectedPredictionTokens ?? 0)
        usage.draftedTokens = overflow ? Int.max : drafted
        usage.acceptedDraftTokens = accepted
        return usage
    }

    enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens", completionTokens = "completion_tokens", totalTokens = "total_tokens"
        case promptTokensDetails = "prompt_tokens_details", completionTokensDetails = "completion_tokens_details"
    }

    enum DetailKeys: String, CodingKey { case cachedTokens = "cached_tokens" }

    enum CompletionDetailKeys: String, CodingKey {
        case accepted = "accepted_prediction_tokens", rejected = "rejected_prediction_tokens"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        promptTokens = Self.count(c, .promptTokens)
        completionTokens = Self.count(c, .completionTokens)
        totalTokens = Self.count(c, .totalTokens)
        if let details = try? c.nestedContainer(keyedBy: DetailKeys.self, forKey: .promptTokensDetails) {
            cachedTokens = Self.count(details, .cachedTokens)
        }
        if let details = try? c.nestedContainer(keyedBy: CompletionDetailKeys.self, forKey: .completionTokensDetails) {
            acceptedPredictionTokens = Self.count(details, .accepted)
            rejectedPredictionTokens = Self.count(details, .rejected)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(promptTokens ?? 0, forKey: .promptTokens)
        try c.encode(completionTokens ?? 0, forKey: .completionTokens)
        try c.encode(totalTokens ?? Self.saturatingSum(promptTokens ?? 0, completionTokens ?? 0), forKey: .totalTokens)
        var details = c.nestedContainer(keyedBy: DetailKeys.self, forKey: .promptTokensDetails)
        try details.encode(cachedTokens ?? 0, forKey: .cachedTokens)
        if acceptedPredictionTokens != nil || rejectedPredictionTokens != nil {
            var completion = c.nestedContainer(keyedBy: CompletionDetailKeys.self, forKey: .completionTokensDetails)
            try completion.encode(acceptedPredictionTokens ?? 0, forKey: .accepted)
            try completion.encode(rejectedPredictionTokens ?? 0, forKey: .rejected)
        }
    }

    private static func count<K: CodingKey>(_ c: KeyedDecodingContainer<K>, _ key: K) -> Int? {
        tokenCount((try? c.decodeIfPresent(JSONValue.self, forKey: key)) ?? nil)
    }

    /// A token count another server reported, or nil when it is not one: negative, fractional or over 2^40.
    public static func tokenCount(_ value: JSONValue?) -> Int? {
        guard let count = value?.numberValue?.intValue, count >= 0, count <= maxTokenCount else { return nil }
        return count
    }

    private static func saturatingSum(_ a: Int, _ b: Int) -> Int {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? Int.max : sum
    }
}
