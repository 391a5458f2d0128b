/// Every template's parser and streaming parser on arbitrary model output. The first byte picks the
/// template and tool_choice, the second how the output is cut into deltas; the rest is the output.
enum FuzzParser {
    static func run(_ bytes: [UInt8]) {
        guard bytes.count >= 2 else { return }
        let versions = TemplateVersion.allCases
        let version = versions[Int(bytes[0]) % versions.count]
        let choices: [ToolChoice] = [.auto, .none, .required, .function("get_weather")]
        let choice = choices[Int(bytes[0] / UInt8(versions.count)) % choices.count]
        let step = Int(bytes[1] % 16) + 1
        let text = String(decoding: bytes.dropFirst(2), as: UTF8.self)
        let template = version.template
        _ = template.parse(text, toolChoice: choice)
        var parser = template.makeStreamParser(toolChoice: choice)
        var delta = ""
        for character in text.unicodeScalars {
            delta.unicodeScalars.append(character)
            if delta.unicodeScalars.count >= step {
                _ = parser.feed(delta)
                delta = ""
            }
        }
        if !delta.isEmpty { _ = parser.feed(delta) }
        _ = parser.finish()
    }
}
