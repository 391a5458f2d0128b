// Helpers that the FunctionaryRemote files compiled into the fuzz module take from files left out of it.
extension String {
    /// As `FunctionaryRemote`'s (UpstreamEndpoint.swift), which the fuzz build does not compile.
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
