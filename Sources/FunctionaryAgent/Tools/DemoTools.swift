import FunctionaryProtocol

/// The example tools of the README and docs/agent.md (`functionary chat --tools demo`): `flip_coin`,
/// `get_current_weather(location)` and `get_car_price(car_name)`. They return made-up data.
public enum DemoTools {
    /// `flip_coin`: heads or tails.
    public static func flipCoin(latency: Duration = .zero) -> AgentTool {
        // NoArguments always yields a schema; the fallback only keeps this function non-throwing.
        let parameters = (try? NoArguments.jsonSchema()) ?? ["type": "object", "properties": [:]]
        return AgentTool(name: "flip_coin", description: "Flip a coin and return heads or tails", parameters: parameters) { _ in
            try await Task.sleep(for: latency)
            return Bool.random() ? "heads" : "tails"
        }
    }

    struct WeatherArguments: ToolArguments {
        var location: String
        static let fieldDescriptions = ["location": "The city and state, e.g. San Francisco, CA"]
    }

    /// `get_current_weather(location)`: a made-up but stable report for the place.
    public static func currentWeather(latency: Duration = .zero) -> AgentTool {
        tool(
            name: "get_current_weather", description: "Get the current weather in a given location",
            arguments: WeatherArguments.self
        ) { arguments in
            try await Task.sleep(for: latency)
            return weatherReport(for: arguments.location).pythonJSON()
        }
    }

    struct CarPriceArguments: ToolArguments {
        var carName: String
        enum CodingKeys: String, CodingKey { case carName = "car_name" }
        static let fieldDescriptions = ["car_name": "The name of the car to get the price of"]
    }

    /// `get_car_price(car_name)`: prices of a few cars (Song, Tang, Han, Qin, Yuan), `unknown` otherwise.
    public static func carPrice(latency: Duration = .zero) -> AgentTool {
        tool(name: "get_car_price", description: "Get the price of a car given its name", arguments: CarPriceArguments.self) {
            arguments in
            try await Task.sleep(for: latency)
            let name = arguments.carName.lowercased()
            let price = prices.first { name.contains($0.key) }?.price ?? "unknown"
            return (["car_name": .string(arguments.carName), "price": .string(price)] as JSONValue).pythonJSON()
        }
    }

    /// All three, each taking `latency` (to make concurrent execution visible).
    public static func all(latency: Duration = .zero) -> [AgentTool] {
        [flipCoin(latency: latency), currentWeather(latency: latency), carPrice(latency: latency)]
    }

    static let prices: [(key: String, price: String)] = [
        ("song", "$25,000"), ("tang", "$20,000"), ("han", "$30,000"), ("qin", "$15,000"), ("yuan", "$18,000"),
    ]

    static let knownWeather: [String: (Int, String)] = [
        "santa cruz": (64, "foggy"), "seattle": (52, "rainy"), "san francisco": (60, "windy"), "tokyo": (72, "sunny"),
        "paris": (59, "cloudy"), "new york": (68, "sunny"),
    ]

    static func weatherReport(for location: String) -> JSONValue {
        let key = location.lowercased()
        let (temperature, forecast) =
            knownWeather.first { key.contains($0.key) }?.value
            ?? {
                // Stable made-up data for any other place (FNV-1a of the name: Swift's hashValue changes per run).
                var hash: UInt64 = 0xcbf2_9ce4_8422_2325
                for byte in key.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
                let forecasts = ["sunny", "cloudy", "rainy", "windy", "snowy"]
                return (40 + Int(hash % 50), forecasts[Int((hash >> 8) % UInt64(forecasts.count))])
            }()
        return [
            "location": .string(location), "temperature": .number(JSONNumber(temperature)), "unit": "fahrenheit",
            "forecast": .string(forecast),
        ]
    }

    /// Builds a tool whose arguments type is known to give a schema (the demo types are fixed).
    static func tool<Arguments: ToolArguments>(
        name: String, description: String, arguments: Arguments.Type, handler: @escaping @Sendable (Arguments) async throws -> String
    ) -> AgentTool {
        do {
            return try AgentTool(name: name, description: description, arguments: arguments, handler: handler)
        } catch {
            // Unreachable for the demo types (tests check their schemas); keep a usable tool anyway.
            return AgentTool(name: name, description: description, parameters: ["type": "object"]) { _ in "Error: \(error)" }
        }
    }
}
