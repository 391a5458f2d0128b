/// OpenAI's JSON shapes for log probabilities.
public enum LogprobsJSON {
    /// The number OpenAI writes for the log probability of a token that cannot occur.
    public static let floor = -9999.0

    /// A log probability as a JSON number (`-infinity` and NaN become `floor`: JSON has no infinities).
    public static func number(_ logprob: Double) -> JSONValue {
        .number(JSONNumber(clamped(logprob)))
    }

    /// A log probability as written: `-infinity`, NaN and anything below `floor` are `floor`.
    public static func clamped(_ logprob: Double) -> Double {
        logprob.isFinite ? max(logprob, floor) : floor
    }

    /// One entry of a chat completion's `logprobs.content`:
    /// `{"token", "logprob", "bytes", "top_logprobs": [{"token", "logprob", "bytes"}]}`.
    public static func chatEntry(_ entry: TokenLogprobs) -> JSONValue {
        ChatTokenLogprob(entry).encodedJSON
    }

    /// A chat choice's (or chunk's) `logprobs` object: `{"content": [entries], "refusal": null}`.
    public static func chat(_ entries: [TokenLogprobs]) -> JSONValue {
        ChatLogprobs(entries).encodedJSON
    }
}

/// The legacy `/v1/completions` `logprobs` object, `{"tokens", "token_logprobs", "top_logprobs", "text_offset"}`,
/// built piece by piece so that a stream's chunks continue each other's `text_offset`.
///
/// `text_offset` counts Unicode scalars (what Python's `len` counts) from the start of the completion text; a
/// token that begins inside a character (the rest of a character split across tokens) points at that character.
/// In `top_logprobs`, alternatives whose text is the same keep the first (most likely) one.
public struct LegacyLogprobsBuilder: Sendable {
    /// Scalars started so far: UTF-8 bytes that are not continuation bytes.
    private var scalarsStarted = 0

    public init() {}

    /// The object for the next `entries` of the completion.
    public mutating func json(for entries: [TokenLogprobs]) -> JSONValue {
        logprobs(for: entries).encodedJSON
    }

    /// The next `entries` of the completion as `TextLogprobs`.
    public mutating func logprobs(for entries: [TokenLogprobs]) -> TextLogprobs {
        var result = TextLogprobs(tokens: [], tokenLogprobs: [], topLogprobs: [], textOffset: [])
        for entry in entries {
            let bytes = entry.token.bytes
            let insideCharacter = bytes.first.map(Self.isContinuation) ?? false
            result.textOffset.append(max(0, scalarsStarted - (insideCharacter ? 1 : 0)))
            scalarsStarted += bytes.reduce(0) { $0 + (Self.isContinuation($1) ? 0 : 1) }
            result.tokens.append(entry.token.text)
            result.tokenLogprobs.append(LogprobsJSON.clamped(entry.token.logprob))
            var top: [(text: String, logprob: Double)] = []
            for alternative in entry.top where !top.contains(where: { $0.text == alternative.text }) {
                top.append((alternative.text, LogprobsJSON.clamped(alternative.logprob)))
            }
            result.topLogprobs.append(top)
        }
        return result
    }

    private static func isContinuation(_ byte: UInt8) -> Bool { byte & 0xC0 == 0x80 }
}
