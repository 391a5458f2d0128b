/// Text as Unicode scalars, with the few Python `str` operations the parsers need.
///
/// The parsers work on scalars rather than `Character`s: markers such as `<|from|>` must be found even when a
/// combining mark follows them (which would merge into one grapheme), and Python's `strip()` works scalar by scalar.
typealias Scalars = [Unicode.Scalar]

extension Unicode.Scalar {
    /// Python's `str.isspace()`: the characters `str.strip()` removes.
    var isPythonWhitespace: Bool {
        switch value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }
}

extension String {
    /// The scalars of the string, as an array.
    var scalars: Scalars { Array(unicodeScalars) }

    init<S: Sequence>(scalars: S) where S.Element == Unicode.Scalar {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        self = String(view)
    }
}

extension Collection where Element == Unicode.Scalar {
    /// Python's `lstrip()`.
    func pythonLeftStripped() -> SubSequence {
        drop { $0.isPythonWhitespace }
    }

    /// Whether the text is empty or only whitespace.
    var isPythonBlank: Bool { allSatisfy(\.isPythonWhitespace) }
}

extension BidirectionalCollection where Element == Unicode.Scalar {
    /// Python's `strip()`.
    func pythonStripped() -> SubSequence {
        pythonLeftStripped().pythonRightStripped()
    }

    /// Python's `rstrip()`.
    func pythonRightStripped() -> SubSequence {
        var end = endIndex
        while end > startIndex {
            let before = index(before: end)
            guard self[before].isPythonWhitespace else { break }
            end = before
        }
        return self[startIndex..<end]
    }
}

extension Collection where Element == Unicode.Scalar, Index == Int {
    /// The position of the first occurrence of `marker` at or after `start` (Python's `find`).
    func firstIndex(of marker: Scalars, from start: Int? = nil) -> Int? {
        guard let first = marker.first else { return start ?? startIndex }
        var i = start ?? startIndex
        let last = endIndex - marker.count
        while i <= last {
            if self[i] == first {
                var j = 1
                while j < marker.count, self[i + j] == marker[j] { j += 1 }
                if j == marker.count { return i }
            }
            i += 1
        }
        return nil
    }

    /// Python's `split(marker)`: the pieces between non-overlapping occurrences, left to right.
    func split(marker: Scalars) -> [SubSequence] {
        var pieces: [SubSequence] = []
        var start = startIndex
        while let found = firstIndex(of: marker, from: start) {
            pieces.append(self[start..<found])
            start = found + marker.count
        }
        pieces.append(self[start..<endIndex])
        return pieces
    }

    /// Whether the text ends with `suffix`.
    func hasSuffix(_ suffix: Scalars) -> Bool {
        count >= suffix.count && zip(self[(endIndex - suffix.count)...], suffix).allSatisfy { $0 == $1 }
    }
}
