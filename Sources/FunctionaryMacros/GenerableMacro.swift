import SwiftDiagnostics
import SwiftSyntax
import SwiftSyntaxMacros

/// `@Generable`: the JSON Schema of a struct or enum at compile time, its decoding from generated JSON
/// (`init(_:)`), its encoding (`generatedContent`) and, for structs, a `PartiallyGenerated` form for streaming.
public struct GenerableMacro: ExtensionMacro {
    public static func expansion(
        of node: AttributeSyntax, attachedTo declaration: some DeclGroupSyntax, providingExtensionsOf type: some TypeSyntaxProtocol,
        conformingTo protocols: [TypeSyntax], in context: some MacroExpansionContext
    ) throws -> [ExtensionDeclSyntax] {
        let sink = DiagnosticSink(context)
        let description = Self.description(of: node, sink: sink)
        let generable = GenerableContext(description: description, access: Self.access(of: declaration), sink: sink)
        let members: String?
        if let structDecl = declaration.as(StructDeclSyntax.self) {
            members = StructExpansion(declaration: structDecl, context: generable).members()
        } else if let enumDecl = declaration.as(EnumDeclSyntax.self) {
            members = EnumExpansion(declaration: enumDecl, context: generable).members()
        } else {
            Self.rejectKind(declaration, sink: sink)
            return []
        }
        guard let members, !sink.hasErrors else { return [] }
        let conformance = protocols.isEmpty ? "" : ": Functionary.Generable"
        let source: DeclSyntax = "extension \(type.trimmed)\(raw: conformance) {\n\(raw: members)\n}"
        guard let ext = source.as(ExtensionDeclSyntax.self) else { return [] }
        return [ext]
    }

    /// `@Generable(description: "…")`: the literal, as written.
    static func description(of node: AttributeSyntax, sink: DiagnosticSink) -> String? {
        guard case .argumentList(let arguments)? = node.arguments else { return nil }
        for argument in arguments where argument.label?.text == "description" {
            if let literal = GuideSpec.stringLiteral(argument.expression) { return literal }
            sink.error(argument.expression, .guideNotLiteral("description"))
        }
        return nil
    }

    /// `public ` or `package ` when the type is, so that the conformance's members are visible as far as the type.
    static func access(of declaration: some DeclGroupSyntax) -> String {
        for modifier in declaration.modifiers {
            switch modifier.name.tokenKind {
            case .keyword(.public), .keyword(.open): return "public "
            case .keyword(.package): return "package "
            default: continue
            }
        }
        return ""
    }

    /// A class (fix-it: make it a struct), an actor or a protocol.
    static func rejectKind(_ declaration: some DeclGroupSyntax, sink: DiagnosticSink) {
        if let classDecl = declaration.as(ClassDeclSyntax.self) {
            let keyword = classDecl.classKeyword
            sink.error(
                keyword, .notStructOrEnum("class"),
                fixIt: .replacing(keyword, with: keyword.with(\.tokenKind, .keyword(.struct)), "Make it a struct"))
        } else if let actor = declaration.as(ActorDeclSyntax.self) {
            sink.error(actor.actorKeyword, .notStructOrEnum("actor"))
        } else if let proto = declaration.as(ProtocolDeclSyntax.self) {
            sink.error(proto.protocolKeyword, .notStructOrEnum("protocol"))
        } else if let ext = declaration.as(ExtensionDeclSyntax.self) {
            sink.error(ext.extensionKeyword, .notStructOrEnum("extension"))
        }
    }
}

/// `@Guide(description:, …)`: read by `@Generable`; expands to nothing by itself.
public struct GuideMacro: PeerMacro {
    public static func expansion(
        of node: AttributeSyntax, providingPeersOf declaration: some DeclSyntaxProtocol, in context: some MacroExpansionContext
    ) throws -> [DeclSyntax] { [] }
}
