/// OpenAI's JSON shapes for log probabilities.
public enum LogprobsJSON {
    /// The number OpenAI writes for the log probability of a token that cannot occur.
    public static let floor = -9999.0

    /// A log probability as a JSON number (`-infinity` and NaN become `floor`: JSON has no infinities).
    public static func number(_ logprob: Double) -> JSONValue {
        .number(JSONNumber(logprob.isFinite ? max(logprob, floor) : floor))
    }

    /// One entry of a chat completion's `logprobs.content`:
    /// `{"token", "logprob", "bytes", "top_logprobs": [{"token", "logprob", "bytes"}]}`.
    public static func chatEntry(_ entry: TokenLogprobs) -> JSONValue {
        var object = tokenObject(entry.token)
        object["top_logprobs"] = .array(entry.top.map { .object(tokenObject($0)) })
        return .object(object)
    }

    /// A chat choice's (or chunk's) `logprobs` object: `{"content": [entries], "refusal": null}`.
    public static func chat(_ entries: [TokenLogprobs]) -> JSONValue {
        ["content": .array(entries.map(chatEntry)), "refusal": .null]
    }

    private static func tokenObject(_ token: TokenLogprob) -> JSONObject {
        [
            "token": .string(token.text), "logprob": number(token.logprob),
            "bytes": .array(token.bytes.map { .number(JSONNumber(Int($0))) }),
        ]
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
        var tokens: [JSONValue] = []
        var logprobs: [JSONValue] = []
        var tops: [JSONValue] = []
        var offsets: [JSONValue] = []
        for entry in entries {
            let bytes = entry.token.bytes
            let insideCharacter = bytes.first.map(Self.isContinuation) ?? false
            offsets.append(.number(JSONNumber(max(0, scalarsStarted - (insideCharacter ? 1 : 0)))))
            scalarsStarted += bytes.reduce(0) { $0 + (Self.isContinuation($1) ? 0 : 1) }
            tokens.append(.string(entry.token.text))
            logprobs.append(LogprobsJSON.number(entry.token.logprob))
            var top = JSONObject()
            for alternative in entry.top where top[alternative.text] == nil {
                top[alternative.text] = LogprobsJSON.number(alternative.logprob)
            }
            tops.append(.object(top))
        }
        return [
            "tokens": .array(tokens), "token_logprobs": .array(logprobs), "top_logprobs": .array(tops),
            "text_offset": .array(offsets),
        ]
    }

    private static func isContinuation(_ byte: UInt8) -> Bool { byte & 0xC0 == 0x80 }
}
