import MacroTesting
import Testing

@testable import FunctionaryMacros

/// Enums without and with associated values, and a struct without properties.
@Suite(.macros(generableMacros, record: .missing))
struct GenerableEnumExpansionTests {
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
