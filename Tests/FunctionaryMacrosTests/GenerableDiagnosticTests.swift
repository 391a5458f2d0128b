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
        }
    }

    @Test func guideOnWrongType() {
        assertMacro {
            """
            @Generable
            struct Wrong {
                @Guide(.range(1...5))
                var name: String
                @Guide(.count(2))
                var total: Int
                @Guide(.pattern("a+"))
                var flags: [Bool]
            }
            """
        }
    }

    @Test func guideNotLiteral() {
        assertMacro {
            """
            @Generable
            struct Dynamic {
                @Guide(.range(low...high))
                var value: Int
                @Guide(description: "a \\(name)")
                var text: String
            }
            """
        }
    }

    @Test func unknownGuide() {
        assertMacro {
            """
            @Generable
            struct Unknown {
                @Guide(.between(1, 2))
                var value: Int
            }
            """
        }
    }

    @Test func invertedRange() {
        assertMacro {
            """
            @Generable
            struct Inverted {
                @Guide(.range(10...1))
                var value: Int
            }
            """
        }
    }

    @Test func emptyEnum() {
        assertMacro {
            """
            @Generable
            enum Never2 {
            }
            """
        }
    }
}
