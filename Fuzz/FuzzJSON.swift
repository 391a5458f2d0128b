/// The JSON parser: any bytes parse or throw; what parses survives a round trip through its own text.
enum FuzzJSON {
    static func run(_ bytes: [UInt8]) {
        guard let value = try? JSONValue(parsing: bytes) else { return }
        let text = value.compactJSON()
        guard let again = try? JSONValue(parsing: text) else {
            fatalError("the parser rejects its own output: \(text)")
        }
        if again.compactJSON() != text { fatalError("round trip changed the text: \(text)") }
        _ = value.pythonJSON()
        _ = value.pythonStr()
    }
}
