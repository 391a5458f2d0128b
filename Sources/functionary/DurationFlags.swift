/// Durations as the flags take them.
extension Duration {
    /// In seconds (`--idle-timeout 60.0`).
    var inSeconds: Double { self / .seconds(1) }

    /// In whole milliseconds (`--max-grammar-ms-per-token 1000`).
    var inMilliseconds: Int { Int(self / .milliseconds(1)) }
}
