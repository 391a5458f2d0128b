import MacroTesting
import Testing

@testable import FunctionaryMacros

/// Every guide and a description, and a public type (its members are public).
@Suite(.macros(generableMacros, record: .missing))
struct GuideExpansionTests {
    @Test func guides() {
        assertMacro {
            """
            @Generable(description: "A plan for a trip")
            struct TripPlan {
                @Guide(description: "The city to visit")
                var destination: String
                @Guide(description: "Days", .range(1...14))
                var days: Int
                @Guide(.minimum(-5.5), .maximum(40))
                var temperature: Double
                @Guide(description: "Things to do", .count(2...5))
                var activities: [String]
                @Guide(.count(3))
                var scores: [Int]
                @Guide(.minimumCount(1), .maximumCount(4))
                var stops: [String]?
                @Guide(.pattern("^[A-Z]{3}$"))
                var airport: String
                @Guide(.anyOf(["train", "plane", "car"]))
                var transport: String
                @Guide(.constant("v1"))
                var version: String
            }
            """
        } expansion: {
            """
            struct TripPlan {
                var destination: String
                var days: Int
                var temperature: Double
                var activities: [String]
                var scores: [Int]
                var stops: [String]?
                var airport: String
                var transport: String
                var version: String
            }

            extension TripPlan: Functionary.Generable {
                init(_ content: Functionary.GeneratedContent) throws {
                    self.destination = try content.property("destination")
                    self.days = try content.property("days")
                    self.temperature = try content.property("temperature")
                    self.activities = try content.property("activities")
                    self.scores = try content.property("scores")
                    self.stops = try content.property("stops")
                    self.airport = try content.property("airport")
                    self.transport = try content.property("transport")
                    self.version = try content.property("version")
                }
                static var generationSchema: Functionary.GeneratedContent {
                    Functionary.GenerableSupport.object(
                        description: "A plan for a trip",
                        properties: [
                            ("destination", Functionary.GenerableSupport.string(description: "The city to visit")),
                            ("days", Functionary.GenerableSupport.integer(description: "Days", minimum: "1", maximum: "14")),
                            ("temperature", Functionary.GenerableSupport.number(minimum: "-5.5", maximum: "40")),
                            ("activities", Functionary.GenerableSupport.array(Functionary.GenerableSupport.string(), description: "Things to do", minItems: 2, maxItems: 5)),
                            ("scores", Functionary.GenerableSupport.array(Functionary.GenerableSupport.integer(), minItems: 3, maxItems: 3)),
                            ("stops", Functionary.GenerableSupport.array(Functionary.GenerableSupport.string(), minItems: 1, maxItems: 4)),
                            ("airport", Functionary.GenerableSupport.string(pattern: "^[A-Z]{3}$")),
                            ("transport", Functionary.GenerableSupport.string(choices: ["train", "plane", "car"])),
                            ("version", Functionary.GenerableSupport.string(choices: ["v1"]))
                        ],
                        required: ["destination", "days", "temperature", "activities", "scores", "airport", "transport", "version"]
                    )
                }
                var generatedContent: Functionary.GeneratedContent {
                    Functionary.GenerableSupport.content([
                        ("destination", destination.generatedContent),
                        ("days", days.generatedContent),
                        ("temperature", temperature.generatedContent),
                        ("activities", activities.generatedContent),
                        ("scores", scores.generatedContent),
                        ("stops", stops.generatedContent),
                        ("airport", airport.generatedContent),
                        ("transport", transport.generatedContent),
                        ("version", version.generatedContent)
                    ])
                }
                /// The properties generated so far, while a response streams (each `nil` until it is complete).
                struct PartiallyGenerated: Functionary.ConvertibleFromGeneratedContent, Sendable {
                    var destination: String?
                    var days: Int?
                    var temperature: Double?
                    var activities: [String]?
                    var scores: [Int]?
                    var stops: [String]?
                    var airport: String?
                    var transport: String?
                    var version: String?
                    init(_ content: Functionary.GeneratedContent) throws {
                        self.destination = content.partialProperty("destination")
                        self.days = content.partialProperty("days")
                        self.temperature = content.partialProperty("temperature")
                        self.activities = content.partialProperty("activities")
                        self.scores = content.partialProperty("scores")
                        self.stops = content.partialProperty("stops")
                        self.airport = content.partialProperty("airport")
                        self.transport = content.partialProperty("transport")
                        self.version = content.partialProperty("version")
                    }
                }
            }
            """
        }
    }

    @Test func publicStruct() {
        assertMacro {
            """
            @Generable
            public struct Point {
                public var x: Int
                public var y: Int
            }
            """
        } expansion: {
            """
            public struct Point {
                public var x: Int
                public var y: Int
            }

            extension Point: Functionary.Generable {
                public init(_ content: Functionary.GeneratedContent) throws {
                    self.x = try content.property("x")
                    self.y = try content.property("y")
                }
                public static var generationSchema: Functionary.GeneratedContent {
                    Functionary.GenerableSupport.object(
                        properties: [
                            ("x", Functionary.GenerableSupport.integer()),
                            ("y", Functionary.GenerableSupport.integer())
                        ],
                        required: ["x", "y"]
                    )
                }
                public var generatedContent: Functionary.GeneratedContent {
                    Functionary.GenerableSupport.content([
                        ("x", x.generatedContent),
                        ("y", y.generatedContent)
                    ])
                }
                /// The properties generated so far, while a response streams (each `nil` until it is complete).
                public struct PartiallyGenerated: Functionary.ConvertibleFromGeneratedContent, Sendable {
                    public var x: Int?
                    public var y: Int?
                    public init(_ content: Functionary.GeneratedContent) throws {
                        self.x = content.partialProperty("x")
                        self.y = content.partialProperty("y")
                    }
                }
            }
            """
        }
    }
}
