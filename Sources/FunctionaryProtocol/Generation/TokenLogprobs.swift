/// One token and its log probability.
public struct TokenLogprob: Sendable, Hashable {
    /// The token's raw bytes: a token may hold only part of a UTF-8 character.
    public var bytes: [UInt8]
    /// The natural logarithm of the token's probability (`-infinity` for a banned token).
    public var logprob: Double

    public init(bytes: [UInt8], logprob: Double) {
        self.bytes = bytes
        self.logprob = logprob
    }

    /// The token's text: its bytes decoded as UTF-8, a character cut by the token's edge shown as U+FFFD.
    public var text: String { String(decoding: bytes, as: UTF8.self) }
}

/// The log probabilities of one generated token: the token chosen and the most likely alternatives.
public struct TokenLogprobs: Sendable, Hashable {
    /// The token that was generated.
    public var token: TokenLogprob
    /// The most likely tokens at this position, most likely first (as many as asked for).
    public var top: [TokenLogprob]

    public init(token: TokenLogprob, top: [TokenLogprob]) {
        self.token = token
        self.top = top
    }
}

/// Which generated tokens' log probabilities go out with released text.
///
/// An engine releases text later than it generates tokens (a character split across tokens waits for its last
/// byte, text that may begin a stop string is held back). The tracker keeps each token's entry until all of its
/// bytes were released (then the entry goes out with that text), or until the output ends: at a stop string,
/// the tokens that put at least one byte into the text before the stop go out, the others are dropped.
public struct LogprobTracker: Sendable {
    private var pending: [(entry: TokenLogprobs, start: Int, end: Int)] = []
    private var generatedBytes = 0
    private var releasedBytes = 0

    public init() {}

    /// Records a generated token (whose bytes go into the text).
    public mutating func add(_ entry: TokenLogprobs, byteCount: Int) {
        pending.append((entry, generatedBytes, generatedBytes + byteCount))
        generatedBytes += byteCount
    }

    /// The entries whose bytes were all released, now that every byte but the last `heldBytes` of the output
    /// has been released.
    public mutating func release(heldBytes: Int) -> [TokenLogprobs] {
        let released = max(releasedBytes, generatedBytes - max(0, heldBytes))
        releasedBytes = released
        return take { $0.end <= released }
    }

    /// The output ends after `textBytes` more bytes were released (a stop string cut it there): the entries of
    /// the tokens that put at least one byte into the text, or that had no bytes.
    public mutating func finish(textBytes: Int) -> [TokenLogprobs] {
        let cut = releasedBytes + max(0, textBytes)
        let out = take { $0.start < cut || $0.start == $0.end }
        pending.removeAll()
        releasedBytes = cut
        return out
    }

    /// The output ends with everything released.
    public mutating func finishAll() -> [TokenLogprobs] {
        releasedBytes = generatedBytes
        return take { _ in true }
    }

    private mutating func take(_ ready: ((entry: TokenLogprobs, start: Int, end: Int)) -> Bool) -> [TokenLogprobs] {
        var count = 0
        while count < pending.count, ready(pending[count]) { count += 1 }
        guard count > 0 else { return [] }
        let out = pending[0..<count].map(\.entry)
        pending.removeFirst(count)
        return out
    }
}
