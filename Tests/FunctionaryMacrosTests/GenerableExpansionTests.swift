import MacroTesting
import SwiftSyntax
import SwiftSyntaxMacroExpansion
import SwiftSyntaxMacros
import Testing

@testable import FunctionaryMacros

/// The macros under test, with the conformance `@Generable` declares.
let generableMacros: [String: MacroSpec] = [
    "Generable": MacroSpec(type: GenerableMacro.self, conformances: [TypeSyntax(IdentifierTypeSyntax(name: .identifier("Generable")))]),
    "Guide": MacroSpec(type: GuideMacro.self),
]

/// Every supported shape: structs (primitives, optionals, arrays, dictionaries, nested types, guides, access
/// levels, members that are not stored properties) and enums with and without associated values.
@Suite(.macros(generableMacros, record: .missing))
struct GenerableExpansionTests {
    @Test func primitives() {
        assertMacro {
            """
            @Generable
            struct Person {
                var name: String
                var age: Int
                var height: Double
                var member: Bool
            }
            """
        } expansion: {
            """
            struct Person {
                var name: String
                var age: Int
                var height: Double
                var member: Bool
            }

            extension Person: Functionary.Generable {
                init(_ content: Functionary.GeneratedContent) throws {
                    self.name = try content.property("name")
                    self.age = try content.property("age")
                    self.height = try content.property("height")
                    self.member = try content.property("member")
                }
                static var generationSchema: Functionary.GeneratedContent {
                    Functionary.GenerableSupport.object(
                        properties: [
                            ("name", Functionary.GenerableSupport.string()),
                            ("age", Functionary.GenerableSupport.integer()),
                            ("height", Functionary.GenerableSupport.number()),
                            ("member", Functionary.GenerableSupport.boolean())
                        ],
                        required: ["name", "age", "height", "member"]
                    )
                }
                var generatedContent: Functionary.GeneratedContent {
                    Functionary.GenerableSupport.content([
                        ("name", name.generatedContent),
                        ("age", age.generatedContent),
                        ("height", height.generatedContent),
                        ("member", member.generatedContent)
                    ])
                }
                /// The properties generated so far, while a response streams (each `nil` until it is complete).
                struct PartiallyGenerated: Functionary.ConvertibleFromGeneratedContent, Sendable {
                    var name: String?
                    var age: Int?
                    var height: Double?
                    var member: Bool?
                    init(_ content: Functionary.GeneratedContent) throws {
                        self.name = content.partialProperty("name")
                        self.age = content.partialProperty("age")
                        self.height = content.partialProperty("height")
                        self.member = content.partialProperty("member")
                    }
                }
            }
            """
        }
    }

    @Test func optionalsArraysDictionaries() {
        assertMacro {
            """
            @Generable
            struct Inventory {
                var note: String?
                var counts: [Int]
                var tags: Array<String>
                var prices: [String: Double]
                var maybe: Optional<Bool>
                var grid: [[Int]]
                var gaps: [String?]
            }
            """
        } expansion: {
            """
            struct Inventory {
                var note: String?
                var counts: [Int]
                var tags: Array<String>
                var prices: [String: Double]
                var maybe: Optional<Bool>
                var grid: [[Int]]
                var gaps: [String?]
            }

            extension Inventory: Functionary.Generable {
                init(_ content: Functionary.GeneratedContent) throws {
                    self.note = try content.property("note")
                    self.counts = try content.property("counts")
                    self.tags = try content.property("tags")
                    self.prices = try content.property("prices")
                    self.maybe = try content.property("maybe")
                    self.grid = try content.property("grid")
                    self.gaps = try content.property("gaps")
                }
                static var generationSchema: Functionary.GeneratedContent {
                    Functionary.GenerableSupport.object(
                        properties: [
                            ("note", Functionary.GenerableSupport.string()),
                            ("counts", Functionary.GenerableSupport.array(Functionary.GenerableSupport.integer())),
                            ("tags", Functionary.GenerableSupport.array(Functionary.GenerableSupport.string())),
                            ("prices", Functionary.GenerableSupport.dictionary(Functionary.GenerableSupport.number())),
                            ("maybe", Functionary.GenerableSupport.boolean()),
                            ("grid", Functionary.GenerableSupport.array(Functionary.GenerableSupport.array(Functionary.GenerableSupport.integer()))),
                            ("gaps", Functionary.GenerableSupport.array(Functionary.GenerableSupport.nullable(Functionary.GenerableSupport.string())))
                        ],
                        required: ["counts", "tags", "prices", "grid", "gaps"]
                    )
                }
                var generatedContent: Functionary.GeneratedContent {
                    Functionary.GenerableSupport.content([
                        ("note", note.generatedContent),
                        ("counts", counts.generatedContent),
                        ("tags", tags.generatedContent),
                        ("prices", prices.generatedContent),
                        ("maybe", maybe.generatedContent),
                        ("grid", grid.generatedContent),
                        ("gaps", gaps.generatedContent)
                    ])
                }
                /// The properties generated so far, while a response streams (each `nil` until it is complete).
                struct PartiallyGenerated: Functionary.ConvertibleFromGeneratedContent, Sendable {
                    var note: String?
                    var counts: [Int]?
                    var tags: Array<String>?
                    var prices: [String: Double]?
                    var maybe: Bool?
                    var grid: [[Int]]?
                    var gaps: [String?]?
                    init(_ content: Functionary.GeneratedContent) throws {
                        self.note = content.partialProperty("note")
                        self.counts = content.partialProperty("counts")
                        self.tags = content.partialProperty("tags")
                        self.prices = content.partialProperty("prices")
                        self.maybe = content.partialProperty("maybe")
                        self.grid = content.partialProperty("grid")
                        self.gaps = content.partialProperty("gaps")
                    }
                }
            }
            """
        }
    }

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

    @Test func nestedTypes() {
        assertMacro {
            """
            @Generable
            struct Order {
                @Guide(description: "Who orders")
                var customer: Customer
                var items: [Item]
                var shipping: Address.Kind?
                var extras: [String: Item]
            }
            """
        } expansion: {
            """
            struct Order {
                var customer: Customer
                var items: [Item]
                var shipping: Address.Kind?
                var extras: [String: Item]
            }

            extension Order: Functionary.Generable {
                init(_ content: Functionary.GeneratedContent) throws {
                    self.customer = try content.property("customer")
                    self.items = try content.property("items")
                    self.shipping = try content.property("shipping")
                    self.extras = try content.property("extras")
                }
                static var generationSchema: Functionary.GeneratedContent {
                    Functionary.GenerableSupport.object(
                        properties: [
                            ("customer", Functionary.GenerableSupport.annotated(Customer.generationSchema, description: "Who orders")),
                            ("items", Functionary.GenerableSupport.array(Functionary.GenerableSupport.annotated(Item.generationSchema))),
                            ("shipping", Functionary.GenerableSupport.annotated(Address.Kind.generationSchema)),
                            ("extras", Functionary.GenerableSupport.dictionary(Functionary.GenerableSupport.annotated(Item.generationSchema)))
                        ],
                        required: ["customer", "items", "extras"]
                    )
                }
                var generatedContent: Functionary.GeneratedContent {
                    Functionary.GenerableSupport.content([
                        ("customer", customer.generatedContent),
                        ("items", items.generatedContent),
                        ("shipping", shipping.generatedContent),
                        ("extras", extras.generatedContent)
                    ])
                }
                /// The properties generated so far, while a response streams (each `nil` until it is complete).
                struct PartiallyGenerated: Functionary.ConvertibleFromGeneratedContent, Sendable {
                    var customer: Customer?
                    var items: [Item]?
                    var shipping: Address.Kind?
                    var extras: [String: Item]?
                    init(_ content: Functionary.GeneratedContent) throws {
                        self.customer = content.partialProperty("customer")
                        self.items = content.partialProperty("items")
                        self.shipping = content.partialProperty("shipping")
                        self.extras = content.partialProperty("extras")
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

    @Test func skippedMembers() {
        assertMacro {
            """
            @Generable
            struct Counter {
                static var shared = 0
                let kind = "counter"
                var value: Int
                var doubled: Int { value * 2 }
                var observed: Int {
                    didSet { print(oldValue) }
                }
                var a, b: String
            }
            """
        } expansion: {
            """
            struct Counter {
                static var shared = 0
                let kind = "counter"
                var value: Int
                var doubled: Int { value * 2 }
                var observed: Int {
                    didSet { print(oldValue) }
                }
                var a, b: String
            }

            extension Counter: Functionary.Generable {
                init(_ content: Functionary.GeneratedContent) throws {
                    self.value = try content.property("value")
                    self.observed = try content.property("observed")
                    self.a = try content.property("a")
                    self.b = try content.property("b")
                }
                static var generationSchema: Functionary.GeneratedContent {
                    Functionary.GenerableSupport.object(
                        properties: [
                            ("value", Functionary.GenerableSupport.integer()),
                            ("observed", Functionary.GenerableSupport.integer()),
                            ("a", Functionary.GenerableSupport.string()),
                            ("b", Functionary.GenerableSupport.string())
                        ],
                        required: ["value", "observed", "a", "b"]
                    )
                }
                var generatedContent: Functionary.GeneratedContent {
                    Functionary.GenerableSupport.content([
                        ("value", value.generatedContent),
                        ("observed", observed.generatedContent),
                        ("a", a.generatedContent),
                        ("b", b.generatedContent)
                    ])
                }
                /// The properties generated so far, while a response streams (each `nil` until it is complete).
                struct PartiallyGenerated: Functionary.ConvertibleFromGeneratedContent, Sendable {
                    var value: Int?
                    var observed: Int?
                    var a: String?
                    var b: String?
                    init(_ content: Functionary.GeneratedContent) throws {
                        self.value = content.partialProperty("value")
                        self.observed = content.partialProperty("observed")
                        self.a = content.partialProperty("a")
                        self.b = content.partialProperty("b")
                    }
                }
            }
            """
        }
    }

    @Test func simpleEnum() {
        assertMacro {
            """
            @Generable(description: "A color")
            enum Color {
                case red, green
                case blue
            }
            """
        } expansion: {
            #"""
            enum Color {
                case red, green
                case blue
            }

            extension Color: Functionary.Generable {
                init(_ content: Functionary.GeneratedContent) throws {
                    switch try content.caseName(among: ["red", "green", "blue"]) {
                    case "red":
                        self = .red
                    case "green":
                        self = .green
                    case "blue":
                        self = .blue
                    default:
                        throw Functionary.GeneratedContentError("no case named \(content)")
                    }
                }
                static var generationSchema: Functionary.GeneratedContent {
                    Functionary.GenerableSupport.choices(["red", "green", "blue"], description: "A color")
                }
                var generatedContent: Functionary.GeneratedContent {
                    switch self {
                    case .red:
                        return .string("red")
                    case .green:
                        return .string("green")
                    case .blue:
                        return .string("blue")
                    }
                }
            }
            """#
        }
    }

    @Test func enumWithAssociatedValues() {
        assertMacro {
            """
            @Generable
            public enum Shape {
                case circle(radius: Double)
                case rectangle(width: Double, height: Double)
                case label(String, size: Int?)
                case empty
            }
            """
        } expansion: {
            #"""
            public enum Shape {
                case circle(radius: Double)
                case rectangle(width: Double, height: Double)
                case label(String, size: Int?)
                case empty
            }

            extension Shape: Functionary.Generable {
                public init(_ content: Functionary.GeneratedContent) throws {
                    let (name, payload) = try content.taggedCase(among: ["circle", "rectangle", "label", "empty"])
                    switch name {
                    case "circle":
                        self = .circle(radius: try payload.property("radius"))
                    case "rectangle":
                        self = .rectangle(width: try payload.property("width"), height: try payload.property("height"))
                    case "label":
                        self = .label(try payload.property("_0"), size: try payload.property("size"))
                    case "empty":
                        self = .empty
                    default:
                        throw Functionary.GeneratedContentError("no case named \(content)")
                    }
                }
                public static var generationSchema: Functionary.GeneratedContent {
                    Functionary.GenerableSupport.taggedUnion([
                        ("circle", Functionary.GenerableSupport.object(properties: [
                                ("radius", Functionary.GenerableSupport.number())
                            ], required: ["radius"])),
                        ("rectangle", Functionary.GenerableSupport.object(properties: [
                                ("width", Functionary.GenerableSupport.number()),
                                ("height", Functionary.GenerableSupport.number())
                            ], required: ["width", "height"])),
                        ("label", Functionary.GenerableSupport.object(properties: [
                                ("_0", Functionary.GenerableSupport.string()),
                                ("size", Functionary.GenerableSupport.integer())
                            ], required: ["_0"])),
                        ("empty", Functionary.GenerableSupport.object(properties: [], required: []))
                    ])
                }
                public var generatedContent: Functionary.GeneratedContent {
                    switch self {
                    case .circle(let v0):
                        return Functionary.GenerableSupport.content([("circle", Functionary.GenerableSupport.content([
                                    ("radius", v0.generatedContent)
                                ]))])
                    case .rectangle(let v0, let v1):
                        return Functionary.GenerableSupport.content([("rectangle", Functionary.GenerableSupport.content([
                                    ("width", v0.generatedContent),
                                    ("height", v1.generatedContent)
                                ]))])
                    case .label(let v0, let v1):
                        return Functionary.GenerableSupport.content([("label", Functionary.GenerableSupport.content([
                                    ("_0", v0.generatedContent),
                                    ("size", v1.generatedContent)
                                ]))])
                    case .empty:
                        return Functionary.GenerableSupport.content([("empty", Functionary.GenerableSupport.content([]))])
                    }
                }
            }
            """#
        }
    }

    @Test func emptyStruct() {
        assertMacro {
            """
            @Generable
            struct Nothing {
            }
            """
        } expansion: {
            """
            struct Nothing {
            }

            extension Nothing: Functionary.Generable {
                init(_ content: Functionary.GeneratedContent) throws {

                }
                static var generationSchema: Functionary.GeneratedContent {
                    Functionary.GenerableSupport.object(
                        properties: [],
                        required: []
                    )
                }
                var generatedContent: Functionary.GeneratedContent {
                    Functionary.GenerableSupport.content([])
                }
                /// The properties generated so far, while a response streams (each `nil` until it is complete).
                struct PartiallyGenerated: Functionary.ConvertibleFromGeneratedContent, Sendable {

                    init(_ content: Functionary.GeneratedContent) throws {

                    }
                }
            }
            """
        }
    }
}
