import MacroTesting
import Testing

@testable import FunctionaryMacros

/// The diagnostics of `@Guide` (and of an enum without cases).
@Suite(.macros(generableMacros, record: .missing))
struct GuideDiagnosticTests {
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
        } diagnostics: {
            """
            @Generable
            struct Wrong {
                @Guide(.range(1...5))
                       ┬────────────
                       ╰─ 🛑 '.range' applies to integer and floating-point properties, and 'name' is not one
                var name: String
                @Guide(.count(2))
                       ┬────────
                       ╰─ 🛑 '.count' applies to array properties, and 'total' is not one
                var total: Int
                @Guide(.pattern("a+"))
                       ┬─────────────
                       ╰─ 🛑 '.pattern' applies to String properties, and 'flags' is not one
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
        } diagnostics: {
            #"""
            @Generable
            struct Dynamic {
                @Guide(.range(low...high))
                       ┬─────────────────
                       ╰─ 🛑 the arguments of '.range' must be literals: the schema is built at compile time
                var value: Int
                @Guide(description: "a \(name)")
                                    ┬──────────
                                    ╰─ 🛑 the description must be a string literal without interpolation: the schema is built at compile time
                var text: String
            }
            """#
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
        } diagnostics: {
            """
            @Generable
            struct Unknown {
                @Guide(.between(1, 2))
                       ┬─────────────
                       ╰─ 🛑 '.between(1, 2)' is not a generation guide
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
        } diagnostics: {
            """
            @Generable
            struct Inverted {
                @Guide(.range(10...1))
                       ┬─────────────
                       ╰─ 🛑 '.range' needs a lower bound that is not greater than its upper bound
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
        } diagnostics: {
            """
            @Generable
            enum Never2 {
                 ┬─────
                 ╰─ 🛑 an enum needs at least one case to be @Generable
            }
            """
        }
    }
}
