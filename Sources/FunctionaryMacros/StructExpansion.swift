import SwiftSyntax

/// The members `@Generable` adds to a struct.
struct StructExpansion {
    let declaration: StructDeclSyntax
    let context: GenerableContext

    struct Property {
        var name: String
        /// The name as Swift code (backticks kept).
        var code: String
        var type: TypeSyntax
        var shape: TypeShape
        var guide: GuideSpec
    }

    /// The stored properties an initializer sets: not static, not computed, not a `let` with a value.
    func properties() -> [Property] {
        var result: [Property] = []
        for member in declaration.memberBlock.members {
            guard let variable = member.decl.as(VariableDeclSyntax.self) else { continue }
            let typeLevel: [TokenKind] = [.keyword(.static), .keyword(.class)]
            if variable.modifiers.contains(where: { typeLevel.contains($0.name.tokenKind) }) { continue }
            let isLet = variable.bindingSpecifier.tokenKind == .keyword(.let)
            for binding in variable.bindings {
                guard let pattern = binding.pattern.as(IdentifierPatternSyntax.self) else { continue }
                if let accessors = binding.accessorBlock, Self.isComputed(accessors) { continue }
                if isLet, binding.initializer != nil { continue }
                let code = pattern.identifier.text
                let name = code.trimmingCharacters(in: "`")
                guard let type = binding.typeAnnotation?.type ?? Self.sharedType(after: binding, in: variable) else {
                    context.sink.error(pattern, .missingType(name))
                    continue
                }
                let guide = GuideSpec.read(variable.attributes, context: context.sink)
                guard let shape = TypeShape.read(type, context: context.sink) else { continue }
                Self.check(guide, against: shape.unwrapped, property: name, sink: context.sink)
                result.append(Property(name: name, code: code, type: type, shape: shape, guide: guide))
            }
        }
        return result
    }

    /// `var a, b: Int`: `a` takes the type written after `b`.
    static func sharedType(after binding: PatternBindingSyntax, in variable: VariableDeclSyntax) -> TypeSyntax? {
        guard binding.initializer == nil else { return nil }
        var seen = false
        for other in variable.bindings {
            if other.id == binding.id { seen = true; continue }
            if seen, let type = other.typeAnnotation?.type { return type }
        }
        return nil
    }

    static func isComputed(_ accessors: AccessorBlockSyntax) -> Bool {
        switch accessors.accessors {
        case .getter: return true
        case .accessors(let list):
            let computed: [TokenKind] = [.keyword(.get), .keyword(.set), .keyword(._read), .keyword(._modify)]
            return list.contains { computed.contains($0.accessorSpecifier.tokenKind) }
        }
    }

    /// Each guide must fit the property's type: ranges for numbers, counts for arrays, patterns and choices for strings.
    static func check(_ guide: GuideSpec, against shape: TypeShape, property: String, sink: DiagnosticSink) {
        for use in guide.used {
            let fits: Bool
            let expected: String
            switch use.applies {
            case .numeric:
                if case .integer = shape { fits = true } else { fits = shape == .number }
                expected = "integer and floating-point"
            case .array:
                if case .array = shape { fits = true } else { fits = false }
                expected = "array"
            case .string:
                fits = shape == .string
                expected = "String"
            }
            if !fits { sink.error(use.node, .guideMismatch(guide: use.name, expected: expected, property: property)) }
        }
    }

    func members() -> String? {
        let properties = properties()
        let decoding = properties.map { "    self.\($0.code) = try content.property(\"\($0.name)\")" }
        let schemaPairs = properties.map { ($0.name, SchemaCode.schema($0.shape.unwrapped, guide: $0.guide)) }
        let required = properties.filter { !$0.shape.isOptional }.map(\.name)
        var objectArguments: [String] = []
        if let description = context.description { objectArguments.append("description: \(description)") }
        objectArguments.append("properties: " + SchemaCode.pairs(schemaPairs).indented("        "))
        objectArguments.append("required: " + SchemaCode.stringArray(required))
        let content = properties.map { ($0.name, "\($0.code).generatedContent") }
        let partialFields = properties.map { "    \(context.access)var \($0.code): \(Self.nonOptional($0.type).trimmedDescription)?" }
        let partialDecoding = properties.map { "        self.\($0.code) = content.partialProperty(\"\($0.name)\")" }
        let members = context.members(
            decoding: decoding.joined(separator: "\n"),
            schema: "\(SchemaCode.support).object(\n        \(objectArguments.joined(separator: ",\n        "))\n    )",
            content: "\(SchemaCode.support).content(\(SchemaCode.pairs(content).indented("    ")))")
        return """
            \(members)
            /// The properties generated so far, while a response streams (each `nil` until it is complete).
            \(context.access)struct PartiallyGenerated: Functionary.ConvertibleFromGeneratedContent, Sendable {
            \(partialFields.joined(separator: "\n"))
                \(context.access)init(_ content: Functionary.GeneratedContent) throws {
            \(partialDecoding.joined(separator: "\n"))
                }
            }
            """
    }

    /// `T?` / `Optional<T>` → `T`, otherwise the type itself.
    static func nonOptional(_ type: TypeSyntax) -> TypeSyntax {
        if let optional = type.as(OptionalTypeSyntax.self) { return nonOptional(optional.wrappedType) }
        if let identifier = type.as(IdentifierTypeSyntax.self), identifier.name.text == "Optional",
            let argument = identifier.genericArgumentClause?.arguments.first, case .type(let inner) = argument.argument
        {
            return nonOptional(inner)
        }
        return type
    }
}

extension String {
    func trimmingCharacters(in character: Character) -> String {
        var text = Substring(self)
        while text.first == character { text.removeFirst() }
        while text.last == character { text.removeLast() }
        return String(text)
    }
}
