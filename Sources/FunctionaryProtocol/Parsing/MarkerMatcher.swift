/// Finds markers (`<|from|>`, `>>>`, `<tool_call>`…) in a stream of scalars, leftmost first, as Python's
/// `split`/`find` would, while holding back a possibly partial marker at the end of what has arrived.
///
/// Cost per scalar is bounded by the markers' total length: the held text is never longer than the longest marker.
/// No marker may be a prefix of another one in the same set.
struct MarkerMatcher: Sendable {
    /// The markers looked for; change only when nothing is pending (right after a match).
    var markers: [Scalars] {
        didSet { firstScalars = Set(markers.compactMap(\.first)) }
    }
    /// The scalars a marker can start with: any other scalar is plain text when nothing is pending.
    private var firstScalars: Set<Unicode.Scalar>
    private var pending: Scalars = []

    init(_ markers: [Scalars]) {
        self.markers = markers
        self.firstScalars = Set(markers.compactMap(\.first))
    }

    /// Consumes one scalar. Text that can no longer be part of a marker is appended to `plain`;
    /// returns the index of a marker completed by this scalar.
    mutating func push(_ scalar: Unicode.Scalar, plain: inout Scalars) -> Int? {
        if pending.isEmpty && !firstScalars.contains(scalar) {
            plain.append(scalar)
            return nil
        }
        pending.append(scalar)
        while !pending.isEmpty {
            var isPrefix = false
            for (i, marker) in markers.enumerated() where marker.count >= pending.count {
                if marker.starts(with: pending) {
                    if marker.count == pending.count {
                        pending.removeAll(keepingCapacity: true)
                        return i
                    }
                    isPrefix = true
                }
            }
            if isPrefix { return nil }
            plain.append(pending.removeFirst())
        }
        return nil
    }

    /// Releases a partial marker held at the end of the text.
    mutating func flush(plain: inout Scalars) {
        plain.append(contentsOf: pending)
        pending.removeAll()
    }
}
