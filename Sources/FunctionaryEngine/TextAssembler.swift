/// Turns one choice's token bytes into text deltas: only whole UTF-8 characters are released (a
/// character split across tokens waits for its last byte), text that could be the start of a stop
/// string is held back, and a stop string ends the text without being part of it.
struct TextAssembler {
    private let stops: [[UInt8]]
    private let stopTexts: [String]
    /// The stop string that ended the text (set when `append` reports `stopped`).
    private(set) var matchedStop: String?
    /// Bytes of an incomplete UTF-8 character at the end of the output.
    private var partial: [UInt8] = []
    /// Complete text not yet released because it may begin a stop string.
    private var held: [UInt8] = []

    /// Bytes appended but not released yet.
    var pendingByteCount: Int { held.count + partial.count }

    init(stops: [String]) {
        stopTexts = stops.filter { !$0.isEmpty }
        self.stops = stopTexts.map { Array($0.utf8) }
    }

    /// Adds the bytes of a token.
    /// - Returns: the text to release now, and whether a stop string was found (the text is then
    ///   everything before it and generation should end).
    mutating func append(_ bytes: [UInt8]) -> (text: String, stopped: Bool) {
        partial += bytes
        let complete = Self.completeLength(partial)
        held += partial[0..<complete]
        partial.removeSubrange(0..<complete)
        if let (stop, which) = firstStop() {
            matchedStop = stopTexts[which]
            let text = String(decoding: held[0..<stop], as: UTF8.self)
            held.removeAll()
            partial.removeAll()
            return (text, true)
        }
        let keep = heldBackLength()
        let release = held.count - keep
        guard release > 0 else { return ("", false) }
        let text = String(decoding: held[0..<release], as: UTF8.self)
        held.removeSubrange(0..<release)
        return (text, false)
    }

    /// Releases everything still held at the end of generation (an incomplete character becomes U+FFFD).
    mutating func finish() -> String {
        let text = String(decoding: held + partial, as: UTF8.self)
        held.removeAll()
        partial.removeAll()
        return text
    }

    /// The offset of the earliest stop string in `held`, and which stop string it is (the first listed of those
    /// found there).
    private func firstStop() -> (Int, Int)? {
        var best: Int?
        var which = 0
        for (index, stop) in stops.enumerated() where stop.count <= held.count {
            let last = held.count - stop.count
            var i = 0
            while i <= last, best.map({ i < $0 }) ?? true {
                if held[i] == stop[0], held[i..<(i + stop.count)].elementsEqual(stop) {
                    best = i
                    which = index
                    break
                }
                i += 1
            }
        }
        return best.map { ($0, which) }
    }

    /// The length of the longest end of `held` that is the beginning of a stop string.
    private func heldBackLength() -> Int {
        var keep = 0
        for stop in stops {
            var length = min(stop.count - 1, held.count)
            while length > keep {
                if held[(held.count - length)...].elementsEqual(stop[0..<length]) {
                    keep = length
                    break
                }
                length -= 1
            }
        }
        return keep
    }

    /// The length of the longest prefix of `bytes` that does not end inside a UTF-8 character.
    static func completeLength(_ bytes: [UInt8]) -> Int {
        let count = bytes.count
        var i = count - 1
        // Find the lead byte of the last character (at most 3 continuation bytes back).
        while i >= 0, i >= count - 4, bytes[i] & 0xC0 == 0x80 { i -= 1 }
        guard i >= 0, i >= count - 4 else { return count }
        let lead = bytes[i]
        let expected: Int
        if lead < 0x80 {
            expected = 1
        } else if lead & 0xE0 == 0xC0 {
            expected = 2
        } else if lead & 0xF0 == 0xE0 {
            expected = 3
        } else if lead & 0xF8 == 0xF0 {
            expected = 4
        } else {
            expected = 1  // not a lead byte: invalid, released as U+FFFD
        }
        return i + expected > count ? i : count
    }
}
