import Functionary

// The Generable types of the schema tests, one per shape, each with its hand-written expected schema below.

@Generable struct Flag { var on: Bool }
@Generable struct Person {
    var name: String
    var age: Int
}
@Generable struct Measurements {
    var height: Double
    var weight: Float
    var count: UInt8
}
@Generable struct OptionalFields {
    var nickname: String?
    var age: Int?
}
@Generable struct TagList { var tags: [String] }
@Generable struct Matrix { var rows: [[Int]] }
@Generable struct Scores { var byName: [String: Int] }
@Generable struct Ranged {
    @Guide(.range(1...10)) var level: Int
}
@Generable struct Bounds {
    @Guide(.minimum(-1.5)) var low: Double
    @Guide(.maximum(99)) var high: Double
}
@Generable struct Counted {
    @Guide(.count(2...4)) var items: [String]
    @Guide(.count(3)) var triple: [Int]
}
@Generable struct MinMaxCount {
    @Guide(.minimumCount(1)) var some: [Bool]
    @Guide(.maximumCount(2)) var few: [Bool]?
}
@Generable struct Patterned {
    @Guide(.pattern("^[A-Z]{3}$")) var code: String
}
@Generable struct Choice {
    @Guide(.anyOf(["low", "high"])) var level: String
    @Guide(.constant("v1")) var version: String
}
@Generable(description: "A described thing")
struct Described {
    @Guide(description: "Its name") var name: String
    @Guide(description: "How many", .range(0...3)) var count: Int
}
@Generable enum Color { case red, green, blue }
@Generable enum Shape: Equatable {
    case circle(radius: Double)
    case label(String, size: Int?)
    case empty
}
@Generable struct Address {
    var street: String
    var city: String
}
@Generable struct Contact {
    var name: String
    @Guide(description: "Where they live") var address: Address
    var previous: [Address]
    var labels: [String: Address]?
}
@Generable struct Forecast {
    @Generable enum Unit { case celsius, fahrenheit }
    var unit: Forecast.Unit
    var temperatures: [Double]
}
@Generable struct Gaps { var values: [Int?] }
@Generable(description: "A plan for a short trip")
struct TripPlan {
    @Guide(description: "The city to visit") var destination: String
    @Guide(description: "Number of days", .range(1...7)) var days: Int
    @Guide(description: "Things to do", .count(2...4)) var activities: [String]
    @Guide(description: "How to get there", .anyOf(["train", "plane", "car"])) var transport: String
    @Guide(description: "Three-letter airport code", .pattern("^[A-Z]{3}$")) var airport: String
    @Guide(description: "Budget in euros", .range(0...5000)) var budget: Int
}
@Generable enum Coin { case heads, tails }
