import Functionary

/// The typed tools of `Examples/SessionExamples` (the same names, descriptions and argument schemas as
/// the demo tools of `functionary chat --tools demo`, which the default model's adapter knows).
enum ExampleTools {
    struct FlipCoin: Tool {
        let name = "flip_coin"
        let description = "Flip a coin and return heads or tails"
        func call(arguments: EmptyArguments) async throws -> String { Bool.random() ? "heads" : "tails" }
    }

    @Generable struct WeatherArguments {
        @Guide(description: "The city and state, e.g. San Francisco, CA") var location: String
    }

    @Generable struct WeatherReport {
        var location: String
        var temperature: Int
        var unit: String
        var forecast: String
    }

    struct Weather: Tool {
        let name = "get_current_weather"
        let description = "Get the current weather in a given location"
        func call(arguments: WeatherArguments) async throws -> WeatherReport {
            let known = ["santa cruz": (64, "foggy"), "seattle": (52, "rainy"), "paris": (59, "cloudy")]
            let key = arguments.location.lowercased()
            let (temperature, forecast) = known.first { key.contains($0.key) }?.value ?? (70, "sunny")
            return WeatherReport(location: arguments.location, temperature: temperature, unit: "fahrenheit", forecast: forecast)
        }
    }
}
