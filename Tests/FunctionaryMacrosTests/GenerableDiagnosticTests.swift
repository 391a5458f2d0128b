import MacroTesting
import Testing

@testable import FunctionaryMacros

/// Every diagnostic of `@Generable` and `@Guide`, with the fix-its where there is one.
@Suite(.macros(generableMacros, record: .missing))
struct GenerableDiagnosticTests {
    @Test func classDeclaration() {
        assertMacro {
            """
            @Generable
            class Settings {
                var volume: Int
            }
            """
        } diagnostics: {
            """
            @Generable
            class Settings {
            ┬────
            ╰─ 🛑 @Generable applies to structs and enums, not to class declarations
               ✏️ Make it a struct
                var volume: Int
            }
            """
        } fixes: {
            """
            @Generable
            struct Settings {
                var volume: Int
            }
            """
        } expansion: {
            """
            struct Settings {
                var volume: Int
            }

            extension Settings: Functionary.Generable {
                init(_ content: Functionary.GeneratedContent) throws {
                    self.volume = try content.property("volume")
                }
                static var generationSchema: Functionary.GeneratedContent {
                    Functionary.GenerableSupport.object(
                        properties: [
                            ("volume", Functionary.GenerableSupport.integer())
                        ],
                        required: ["volume"]
                    )
                }
                var generatedContent: Functionary.GeneratedContent {
                    Functionary.GenerableSupport.content([
                        ("volume", volume.generatedContent)
                    ])
                }
                /// The properties generated so far, while a response streams (each `nil` until it is complete).
                struct PartiallyGenerated: Functionary.ConvertibleFromGeneratedContent, Sendable {
                    var volume: Int?
                    init(_ content: Functionary.GeneratedContent) throws {
                        self.volume = content.partialProperty("volume")
                    }
                }
            }
            """
        }
    }

    @Test func actorDeclaration() {
        assertMacro {
            """
            @Generable
            actor Store {
                var count: Int
            }
            """
        } diagnostics: {
            """
            @Generable
            actor Store {
            ┬────
            ╰─ 🛑 @Generable applies to structs and enums, not to actor declarations
                var count: Int
            }
            """
        }
    }

    @Test func protocolDeclaration() {
        assertMacro {
            """
            @Generable
            protocol Named {
                var name: String { get }
            }
            """
        } diagnostics: {
            """
            @Generable
            protocol Named {
            ┬───────
            ╰─ 🛑 @Generable applies to structs and enums, not to protocol declarations
                var name: String { get }
            }
            """
        }
    }

    @Test func tupleProperty() {
        assertMacro {
            """
            @Generable
            struct Line {
                var start: (Int, Int)
            }
            """
        } diagnostics: {
            """
            @Generable
            struct Line {
                var start: (Int, Int)
                           ┬─────────
                           ╰─ 🛑 tuples have no JSON Schema; declare a @Generable struct instead
            }
            """
        }
    }

    @Test func functionProperty() {
        assertMacro {
            """
            @Generable
            struct Handler {
                var run: () -> Void
            }
            """
        } diagnostics: {
            """
            @Generable
            struct Handler {
                var run: () -> Void
                         ┬─────────
                         ╰─ 🛑 function types cannot be generated
            }
            """
        }
    }

    @Test func anyProperty() {
        assertMacro {
            """
            @Generable
            struct Box {
                var value: Any
                var thing: any Sendable
            }
            """
        } diagnostics: {
            """
            @Generable
            struct Box {
                var value: Any
                           ┬──
                           ╰─ 🛑 'Any' has no JSON Schema; use a concrete @Generable type
                var thing: any Sendable
                           ┬───────────
                           ╰─ 🛑 'any Sendable' has no JSON Schema; use a concrete @Generable type
            }
            """
        }
    }

    @Test func setProperty() {
        assertMacro {
            """
            @Generable
            struct Tags {
                var tags: Set<String>
            }
            """
        } diagnostics: {
            """
            @Generable
            struct Tags {
                var tags: Set<String>
                          ┬──────────
                          ╰─ 🛑 sets are not supported by @Generable (JSON has no sets)
                             ✏️ Use the array '[String]'
            }
            """
        } fixes: {
            """
            @Generable
            struct Tags {
                var tags: [String]
            }
            """
        } expansion: {
            """
            struct Tags {
                var tags: [String]
            }

            extension Tags: Functionary.Generable {
                init(_ content: Functionary.GeneratedContent) throws {
                    self.tags = try content.property("tags")
                }
                static var generationSchema: Functionary.GeneratedContent {
                    Functionary.GenerableSupport.object(
                        properties: [
                            ("tags", Functionary.GenerableSupport.array(Functionary.GenerableSupport.string()))
                        ],
                        required: ["tags"]
                    )
                }
                var generatedContent: Functionary.GeneratedContent {
                    Functionary.GenerableSupport.content([
                        ("tags", tags.generatedContent)
                    ])
                }
                /// The properties generated so far, while a response streams (each `nil` until it is complete).
                struct PartiallyGenerated: Functionary.ConvertibleFromGeneratedContent, Sendable {
                    var tags: [String]?
                    init(_ content: Functionary.GeneratedContent) throws {
                        self.tags = content.partialProperty("tags")
                    }
                }
            }
            """
        }
    }

    @Test func nonStringKeys() {
        assertMacro {
            """
            @Generable
            struct Table {
                var rows: [Int: String]
            }
            """
        } diagnostics: {
            """
            @Generable
            struct Table {
                var rows: [Int: String]
                           ┬──
                           ╰─ 🛑 dictionary keys must be 'String' (JSON object keys), not 'Int'
                              ✏️ Use 'String' keys
            }
            """
        } fixes: {
            """
            @Generable
            struct Table {
                var rows: [String: String]
            }
            """
        } expansion: {
            """
            struct Table {
                var rows: [String: String]
            }

            extension Table: Functionary.Generable {
                init(_ content: Functionary.GeneratedContent) throws {
                    self.rows = try content.property("rows")
                }
                static var generationSchema: Functionary.GeneratedContent {
                    Functionary.GenerableSupport.object(
                        properties: [
                            ("rows", Functionary.GenerableSupport.dictionary(Functionary.GenerableSupport.string()))
                        ],
                        required: ["rows"]
                    )
                }
                var generatedContent: Functionary.GeneratedContent {
                    Functionary.GenerableSupport.content([
                        ("rows", rows.generatedContent)
                    ])
                }
                /// The properties generated so far, while a response streams (each `nil` until it is complete).
                struct PartiallyGenerated: Functionary.ConvertibleFromGeneratedContent, Sendable {
                    var rows: [String: String]?
                    init(_ content: Functionary.GeneratedContent) throws {
                        self.rows = content.partialProperty("rows")
                    }
                }
            }
            """
        }
    }

    @Test func implicitlyUnwrapped() {
        assertMacro {
            """
            @Generable
            struct Lazy {
                var name: String!
            }
            """
        } diagnostics: {
            """
            @Generable
            struct Lazy {
                var name: String!
                          ┬──────
                          ╰─ 🛑 implicitly unwrapped optionals are not supported by @Generable
                             ✏️ Use 'String?'
            }
            """
        } fixes: {
            """
            @Generable
            struct Lazy {
                var name: String?
            }
            """
        } expansion: {
            """
            struct Lazy {
                var name: String?
            }

            extension Lazy: Functionary.Generable {
                init(_ content: Functionary.GeneratedContent) throws {
                    self.name = try content.property("name")
                }
                static var generationSchema: Functionary.GeneratedContent {
                    Functionary.GenerableSupport.object(
                        properties: [
                            ("name", Functionary.GenerableSupport.string())
                        ],
                        required: []
                    )
                }
                var generatedContent: Functionary.GeneratedContent {
                    Functionary.GenerableSupport.content([
                        ("name", name.generatedContent)
                    ])
                }
                /// The properties generated so far, while a response streams (each `nil` until it is complete).
                struct PartiallyGenerated: Functionary.ConvertibleFromGeneratedContent, Sendable {
                    var name: String?
                    init(_ content: Functionary.GeneratedContent) throws {
                        self.name = content.partialProperty("name")
                    }
                }
            }
            """
        }
    }

    @Test func missingType() {
        assertMacro {
            """
            @Generable
            struct Untyped {
                var count = 0
            }
            """
        } diagnostics: {
            """
            @Generable
            struct Untyped {
                var count = 0
                    ┬────
                    ╰─ 🛑 the stored property 'count' needs an explicit type for @Generable to derive its schema
            }
            """
        }
    }

    /// A type syntax with no JSON shape that none of the other diagnostics names (here a fixed-size inline array).
    @Test func unsupportedTypeSyntax() {
        assertMacro {
            """
            @Generable
            struct Grid {
                var cells: [3 of Int]
            }
            """
        } diagnostics: {
            """
            @Generable
            struct Grid {
                var cells: [3 of Int]
                           ┬─────────
                           ╰─ 🛑 '[3 of Int]' is not supported by @Generable
            }
            """
        }
    }
}
