// The session API on the embedded default model (or a server with --url):
//
//   swift run session-examples coin                                         # embedded default model
//   swift run session-examples weather --url http://127.0.0.1:8000/v1       # any OpenAI-compatible server
//
// Examples: coin, coin-zh, weather (typed tools), trip (a typed answer), stream (a streamed typed answer).
import Foundation
import Functionary

/// `flip_coin`: a tool without arguments.
struct FlipCoin: Tool {
    let name = "flip_coin"
    let description = "Flip a coin and return heads or tails"
    func call(arguments: EmptyArguments) async throws -> String { Bool.random() ? "heads" : "tails" }
}

/// `get_current_weather(location)`: typed arguments, a typed output (sent back to the model as JSON).
struct Weather: Tool {
    let name = "get_current_weather"
    let description = "Get the current weather in a given location"

    @Generable struct Arguments {
        @Guide(description: "The city and state, e.g. San Francisco, CA") var location: String
    }

    @Generable struct Report {
        var location: String
        var temperature: Int
        var unit: String
        var forecast: String
    }

    func call(arguments: Arguments) async throws -> Report {
        let known = ["santa cruz": (64, "foggy"), "seattle": (52, "rainy"), "paris": (59, "cloudy")]
        let key = arguments.location.lowercased()
        let (temperature, forecast) = known.first { key.contains($0.key) }?.value ?? (70, "sunny")
        return Report(location: arguments.location, temperature: temperature, unit: "fahrenheit", forecast: forecast)
    }
}

/// A typed answer: every guide is a constraint of the grammar the answer is generated under.
@Generable(description: "A plan for a short trip")
struct TripPlan {
    @Guide(description: "The city to visit") var destination: String
    @Guide(description: "Number of days", .range(1...7)) var days: Int
    @Guide(description: "Things to do", .count(2...4)) var activities: [String]
    @Guide(description: "How to get there", .anyOf(["train", "plane", "car"])) var transport: String
    @Guide(description: "Three-letter airport code", .pattern("^[A-Z]{3}$")) var airport: String
    @Guide(description: "Budget in euros", .range(0...5000)) var budget: Int
}

let prompts = [
    "coin": "Flip a coin for me", "coin-zh": "帮我抛一次硬币",
    "weather": "What's the weather like in Santa Cruz, CA compared to Seattle, WA?",
    "trip": "Plan a trip to Paris", "stream": "Plan a weekend in Rome",
]
let arguments = Array(CommandLine.arguments.dropFirst())
let url = arguments.firstIndex(of: "--url").flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
let name = arguments.first { !$0.hasPrefix("--") && $0 != url } ?? "weather"
guard let prompt = prompts[name] else {
    FileHandle.standardError.write(Data("unknown example '\(name)'; one of: \(prompts.keys.sorted().joined(separator: ", "))\n".utf8))
    exit(2)
}

// The same program runs in process (the embedded default model) or against any OpenAI-compatible server.
let backend: any ChatBackend
var embedded: EmbeddedModel?
if let url {
    let model = try await HTTPBackend(url: url, model: "").availableModels().first ?? "default"
    backend = HTTPBackend(url: url, model: model)
} else {
    embedded = try EmbeddedModel()
    backend = embedded!.backend
}
defer { embedded?.shutdown() }

let session = LanguageModelSession(backend: backend, tools: [FlipCoin(), Weather()], instructions: "You are a helpful assistant.")
let options = GenerationOptions(temperature: 0, maximumResponseTokens: 400)
print("> \(prompt)")
switch name {
case "trip":
    let plan = try await session.respond(to: prompt, generating: TripPlan.self, options: options).content
    print(
        "\(plan.days) days in \(plan.destination) by \(plan.transport) (\(plan.airport)), \(plan.budget) EUR: \(plan.activities.joined(separator: ", "))"
    )
case "stream":
    for try await event in session.streamResponse(to: prompt, generating: TripPlan.self, options: options) {
        switch event {
        case .partial(let plan): print("… \(plan.destination ?? "?"), \(plan.days.map(String.init) ?? "?") days, \(plan.activities ?? [])")
        case .completed(let response): print(response.rawText)
        default: break
        }
    }
default:
    for try await event in session.streamResponse(to: prompt, options: options) {
        switch event {
        case .toolResult(let result): print(TranscriptFormatter.line(for: result))
        case .textDelta(let text): print(text, terminator: "")
        case .completed: print("")
        default: break
        }
    }
}
