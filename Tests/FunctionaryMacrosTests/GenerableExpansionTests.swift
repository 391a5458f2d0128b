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
        }
    }

    @Test func emptyStruct() {
        assertMacro {
            """
            @Generable
            struct Nothing {
            }
            """
        }
    }
}
