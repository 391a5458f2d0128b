import Testing

@testable import FunctionaryEngine

/// Incremental text: whole UTF-8 characters, stop strings held back and cut.
@Suite struct TextAssemblerTests {
    /// Feeds `text` split into byte chunks of `size`; returns the released deltas and whether it stopped.
    private func feed(_ text: String, chunk size: Int, stops: [String]) -> (deltas: [String], stopped: Bool, rest: String) {
        var assembler = TextAssembler(stops: stops)
        let bytes = Array(text.utf8)
        var deltas: [String] = []
        var index = 0
        while index < bytes.count {
            let (delta, stopped) = assembler.append(Array(bytes[index..<min(index + size, bytes.count)]))
            if !delta.isEmpty { deltas.append(delta) }
            if stopped { return (deltas, true, "") }
            index += size
        }
        return (deltas, false, assembler.finish())
    }

    @Test func splitsOnlyBetweenCharacters() {
        let text = "Grüße 你好 🦜🌊 ok"
        for size in 1...5 {
            let (deltas, stopped, rest) = feed(text, chunk: size, stops: [])
            #expect(!stopped)
            #expect(deltas.joined() + rest == text)
            for delta in deltas { #expect(!delta.unicodeScalars.contains("\u{FFFD}")) }
        }
    }

    @Test func stopStringsAreCutAndHeldBack() {
        for size in 1...6 {
            let (deltas, stopped, _) = feed("Hello <|stop|> more", chunk: size, stops: ["<|stop|>"])
            #expect(stopped)
            #expect(deltas.joined() == "Hello ")
            let (free, notStopped, rest) = feed("a <|sto b <", chunk: size, stops: ["<|stop|>"])
            #expect(!notStopped)
            #expect(free.joined() + rest == "a <|sto b <")
            #expect(rest == "<", "the end may start a stop string, so it is held until finish")
        }
        let (deltas, stopped, _) = feed("x 中止 y", chunk: 1, stops: ["止", "never"])
        #expect(stopped)
        #expect(deltas.joined() == "x 中")
    }

    @Test func theMatchedStopIsKnown() {
        var assembler = TextAssembler(stops: ["def", "bc", "cd"])
        #expect(assembler.matchedStop == nil)
        let (text, stopped) = assembler.append(Array("abcdef".utf8))
        #expect(stopped && text == "a")
        #expect(assembler.matchedStop == "bc", "the earliest match, and of those at one place the first listed")
        var none = TextAssembler(stops: ["zz"])
        _ = none.append(Array("abc".utf8))
        #expect(none.matchedStop == nil)
    }

    @Test func earliestStopWins() {
        let (deltas, stopped, _) = feed("abcdef", chunk: 6, stops: ["def", "bc"])
        #expect(stopped)
        #expect(deltas.joined() == "a")
    }

    @Test func invalidBytesBecomeReplacementCharacters() {
        var assembler = TextAssembler(stops: [])
        let (text, _) = assembler.append([0x61, 0xFF, 0x62])
        #expect(text == "a\u{FFFD}b")
        _ = assembler.append([0xE4, 0xBD])
        #expect(assembler.finish() == "\u{FFFD}")
    }
}

@Suite struct UTF8ValidatorTests {
    @Test func acceptsValidAndRefusesInvalidSequences() {
        let start = UTF8Validator()
        #expect(start.advanced(by: Array("héllo 中 🦜".utf8))?.isAtBoundary == true)
        let partial = start.advanced(by: [0xF0, 0x9F])
        #expect(partial?.isAtBoundary == false)
        #expect(partial?.advanced(by: [0xA6, 0x9C])?.isAtBoundary == true)
        #expect(partial?.advanced(by: [0x41]) == nil, "ASCII inside a character")
        for invalid: [UInt8] in [[0x80], [0xC0, 0x80], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xF5], [0xF4, 0x90], [0xFF]] {
            #expect(start.advanced(by: invalid) == nil, "\(invalid)")
        }
    }
}
