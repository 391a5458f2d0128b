import FunctionaryProtocol
import Testing

/// The pure parts of log probabilities: which entries go out with released text, and OpenAI's shapes.
@Suite struct LogprobsShapeTests {
    static func entry(_ bytes: [UInt8], _ logprob: Double = -1) -> TokenLogprobs {
        TokenLogprobs(token: TokenLogprob(bytes: bytes, logprob: logprob), top: [])
    }

    /// A character split across tokens: the first token's entry waits until the character's last byte is released.
    @Test func splitCharacterWaitsForItsLastByte() {
        var tracker = LogprobTracker()
        tracker.add(Self.entry([0xE6, 0xB5]), byteCount: 2)
        #expect(tracker.release(heldBytes: 2).isEmpty)
        tracker.add(Self.entry([0xB7]), byteCount: 1)
        #expect(tracker.release(heldBytes: 0).map(\.token.bytes) == [[0xE6, 0xB5], [0xB7]])
        #expect(tracker.finishAll().isEmpty)
    }

    /// At a stop string, tokens that put bytes into the text go out; those wholly inside the stop do not.
    @Test func stopStringCutsEntries() {
        var tracker = LogprobTracker()
        tracker.add(Self.entry(Array("ab".utf8)), byteCount: 2)
        #expect(tracker.release(heldBytes: 1).isEmpty)  // "b" may begin the stop "bEND"
        tracker.add(Self.entry(Array("EN".utf8)), byteCount: 2)
        tracker.add(Self.entry(Array("D!".utf8)), byteCount: 2)
        // The text released with the stop is "a" (1 byte) after nothing released before.
        #expect(tracker.finish(textBytes: 1).map(\.token.text) == ["ab"])
        #expect(tracker.finishAll().isEmpty)
    }

    @Test func tokenTextIsWhatDecodes() {
        #expect(TokenLogprob(bytes: [0xE6, 0xB5], logprob: 0).text == "\u{FFFD}")
        #expect(TokenLogprob(bytes: Array("海".utf8), logprob: 0).text == "海")
    }

    @Test func chatEntryShape() {
        let entry = TokenLogprobs(
            token: TokenLogprob(bytes: [104, 105], logprob: -0.125),
            top: [TokenLogprob(bytes: [104, 105], logprob: -0.125), TokenLogprob(bytes: [0xE6], logprob: -.infinity)])
        #expect(
            LogprobsJSON.chat([entry]).compactJSON()
                == #"{"content":[{"token":"hi","logprob":-0.125,"bytes":[104,105],"top_logprobs":[{"token":"hi","logprob":-0.125,"bytes":[104,105]},{"token":"\#u{FFFD}","logprob":-9999.0,"bytes":[230]}]}],"refusal":null}"#
        )
    }

    /// `text_offset` counts scalars across calls; a token inside a character points at it; equal alternatives keep the first.
    @Test func legacyShapeAndOffsets() {
        var builder = LegacyLogprobsBuilder()
        let first = builder.json(for: [Self.entry(Array("a".utf8)), Self.entry([0xE6, 0xB5])])
        let second = builder.json(for: [
            TokenLogprobs(
                token: TokenLogprob(bytes: [0xB7], logprob: -2),
                top: [TokenLogprob(bytes: [0xB7], logprob: -2), TokenLogprob(bytes: [0xB8], logprob: -3)]),
            Self.entry(Array("b".utf8)),
        ])
        #expect(first["text_offset"]?.compactJSON() == "[0,1]")
        #expect(second["text_offset"]?.compactJSON() == "[1,2]")
        #expect(second["top_logprobs"]?.compactJSON() == #"[{"\#u{FFFD}":-2.0},{}]"#)
        #expect(second["tokens"]?.compactJSON() == #"["\#u{FFFD}","b"]"#)
        #expect(second["token_logprobs"]?.compactJSON() == "[-2.0,-1.0]")
    }
}
