// Runs the README's agent examples against an OpenAI-compatible server:
//
//   swift run agent-examples weather [--url http://127.0.0.1:8000/v1] [--required]
//
// Examples: coin, coin-zh, weather, car, custom (a tool defined right here from a Swift type).
import Foundation
import FunctionaryAgent

let examples = [
    "coin": "Flip a coin for me",
    "coin-zh": "帮我抛一次硬币",
    "weather": "What's the weather like in Santa Cruz, CA compared to Seattle, WA?",
    "car": "Is the car Song more expensive than car Tang?",
    "custom": "How long does it take to boil 2 eggs, soft?",
]

/// A tool of your own: the schema comes from the arguments type.
struct EggArguments: ToolArguments {
    enum Style: String, Decodable, CaseIterable { case soft, medium, hard }
    var count: Int
    var style: Style?
    static let fieldDescriptions = ["count": "How many eggs", "style": "How firm the yolk should be"]
}

let eggTimer = try AgentTool(name: "egg_timer", description: "Minutes to boil eggs", arguments: EggArguments.self) { args in
    let minutes = ["soft": 6, "medium": 8, "hard": 10][args.style?.rawValue ?? "medium"] ?? 8
    return "\(minutes + max(0, args.count - 4)) minutes"
}

let arguments = Array(CommandLine.arguments.dropFirst())
let urlIndex = arguments.firstIndex(of: "--url")
let url = urlIndex.flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil } ?? "http://127.0.0.1:8000/v1"
let required = arguments.contains("--required")
let name = arguments.enumerated().first { !$0.element.hasPrefix("--") && $0.offset != urlIndex.map { $0 + 1 } }?.element ?? "weather"
guard let prompt = examples[name] else {
    FileHandle.standardError.write(Data("unknown example '\(name)'; one of: \(examples.keys.sorted().joined(separator: ", "))\n".utf8))
    exit(2)
}

let probe = HTTPBackend(url: url, model: "")
let model = try await probe.availableModels().first ?? "default"
// The model decides by itself whether to call (auto); --required forces the first step to call a tool.
let conversation = Conversation(
    backend: HTTPBackend(url: url, model: model), tools: name == "custom" ? [eggTimer] : DemoTools.all(),
    options: .init(
        toolChoice: required ? .required : .auto, followUpToolChoice: required ? .none : .auto,
        sampling: SamplingOptions(temperature: 0)))

print("> \(prompt)")
for try await event in conversation.submit(prompt) {
    switch event {
    case .textDelta(let text): print(text, terminator: "")
    case .toolResult(_, let result): print(TranscriptFormatter.line(for: result))
    case .finished(let end): print(end == .answered ? "" : "\n[\(end)]")
    default: break
    }
}
