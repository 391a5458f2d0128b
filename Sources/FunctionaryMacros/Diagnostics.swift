import SwiftDiagnostics
import SwiftSyntax
import SwiftSyntaxMacros

/// The errors `@Generable` and `@Guide` report.
enum GenerableDiagnostic: DiagnosticMessage {
    case notStructOrEnum(String)
    case missingType(String)
    case tuple
    case function
    case existential(String)
    case unsupported(String)
    case implicitlyUnwrapped
    case set
    case dictionaryKey(String)
    case guideMismatch(guide: String, expected: String, property: String)
    case guideNotLiteral(String)
    case unknownGuide(String)
    case emptyEnum
    case guideRange(String)

    var message: String {
        switch self {
        case .notStructOrEnum(let kind):
            return "@Generable applies to structs and enums, not to \(kind) declarations"
        case .missingType(let name):
            return "the stored property '\(name)' needs an explicit type for @Generable to derive its schema"
        case .tuple: return "tuples have no JSON Schema; declare a @Generable struct instead"
        case .function: return "function types cannot be generated"
        case .existential(let name): return "'\(name)' has no JSON Schema; use a concrete @Generable type"
        case .unsupported(let name): return "'\(name)' is not supported by @Generable"
        case .implicitlyUnwrapped: return "implicitly unwrapped optionals are not supported by @Generable"
        case .set: return "sets are not supported by @Generable (JSON has no sets)"
        case .dictionaryKey(let key): return "dictionary keys must be 'String' (JSON object keys), not '\(key)'"
        case .guideMismatch(let guide, let expected, let property):
            return "'.\(guide)' applies to \(expected) properties, and '\(property)' is not one"
        case .guideNotLiteral("description"):
            return "the description must be a string literal without interpolation: the schema is built at compile time"
        case .guideNotLiteral(let guide):
            return "the arguments of '.\(guide)' must be literals: the schema is built at compile time"
        case .unknownGuide(let text): return "'\(text)' is not a generation guide"
        case .emptyEnum: return "an enum needs at least one case to be @Generable"
        case .guideRange(let guide): return "'.\(guide)' needs a lower bound that is not greater than its upper bound"
        }
    }

    var diagnosticID: MessageID { MessageID(domain: "FunctionaryMacros", id: "\(self)".prefix { $0 != "(" }.description) }
    var severity: DiagnosticSeverity { .error }
}

/// A fix-it's message.
struct GenerableFixIt: FixItMessage {
    let message: String
    init(_ message: String) { self.message = message }
    var fixItID: MessageID { MessageID(domain: "FunctionaryMacros", id: message) }
}

/// Collects diagnostics for a macro expansion; `hasErrors` stops the expansion.
final class DiagnosticSink {
    let context: any MacroExpansionContext
    private(set) var hasErrors = false

    init(_ context: any MacroExpansionContext) { self.context = context }

    func error(_ node: some SyntaxProtocol, _ message: GenerableDiagnostic, fixIt: FixIt? = nil) {
        hasErrors = true
        context.diagnose(Diagnostic(node: Syntax(node), message: message, fixIts: fixIt.map { [$0] } ?? []))
    }
}

extension FixIt {
    /// A fix-it that replaces `node` with `replacement`.
    static func replacing(_ node: some SyntaxProtocol, with replacement: some SyntaxProtocol, _ message: String) -> FixIt {
        FixIt(message: GenerableFixIt(message), changes: [.replace(oldNode: Syntax(node), newNode: Syntax(replacement))])
    }

    /// A fix-it that replaces the type `type` with `replacement` (keeping the trivia after it).
    static func replacing(type: TypeSyntax, with replacement: some TypeSyntaxProtocol, _ message: String) -> FixIt {
        replacing(type, with: TypeSyntax(replacement).with(\.trailingTrivia, type.trailingTrivia), message)
    }
}
