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
}
