import SwiftDiagnostics
import SwiftSyntax

/// What a property's declared type means for its JSON Schema, read from the type's syntax alone.
indirect enum TypeShape: Equatable {
    case string
    /// An integer type (`Int`, `UInt8`, …), by name (narrow types get their bounds in the schema).
    case integer(String)
    /// A floating-point type (`Double`, `Float`).
    case number
    case boolean
    case optional(TypeShape)
    case array(TypeShape)
    /// `[String: T]`: an object whose values are `T`.
    case dictionary(TypeShape)
    /// Any other named type: it must be `Generable` itself (its schema is `T.generationSchema`).
    case named(String)

    /// The shape without optional wrappers.
    var unwrapped: TypeShape {
        if case .optional(let inner) = self { return inner.unwrapped }
        return self
    }

    var isOptional: Bool {
        if case .optional = self { return true }
        return false
    }

    static let integerNames: Set<String> = ["Int", "Int8", "Int16", "Int32", "Int64", "UInt", "UInt8", "UInt16", "UInt32", "UInt64"]
    /// The bounds a schema gives an integer type without a guide (`Int` and `Int64` have none).
    static let integerBounds: [String: (String?, String?)] = [
        "Int8": ("-128", "127"), "Int16": ("-32768", "32767"), "Int32": ("-2147483648", "2147483647"),
        "UInt8": ("0", "255"), "UInt16": ("0", "65535"), "UInt32": ("0", "4294967295"), "UInt": ("0", nil), "UInt64": ("0", nil),
    ]
    static let numberNames: Set<String> = ["Double", "Float"]

    /// Reads a type. Unsupported types report a diagnostic (with a fix-it where one exists) and give nil.
    static func read(_ type: TypeSyntax, context: DiagnosticSink) -> TypeShape? {
        if let optional = type.as(OptionalTypeSyntax.self) {
            return read(optional.wrappedType, context: context).map { .optional($0) }
        }
        if let iuo = type.as(ImplicitlyUnwrappedOptionalTypeSyntax.self) {
            let fixed = OptionalTypeSyntax(wrappedType: iuo.wrappedType.trimmed)
            context.error(type, .implicitlyUnwrapped, fixIt: .replacing(type: type, with: fixed, "Use '\(fixed.description)'"))
            return nil
        }
        if let array = type.as(ArrayTypeSyntax.self) {
            return read(array.element, context: context).map { .array($0) }
        }
        if let dictionary = type.as(DictionaryTypeSyntax.self) {
            return dictionaryShape(key: dictionary.key, value: dictionary.value, whole: type, context: context)
        }
        if let attributed = type.as(AttributedTypeSyntax.self) {
            return read(attributed.baseType, context: context)
        }
        if type.is(TupleTypeSyntax.self) {
            if let tuple = type.as(TupleTypeSyntax.self), tuple.elements.count == 1, let only = tuple.elements.first {
                return read(only.type, context: context)
            }
            context.error(type, .tuple)
            return nil
        }
        if type.is(FunctionTypeSyntax.self) {
            context.error(type, .function)
            return nil
        }
        if type.is(SomeOrAnyTypeSyntax.self) || type.is(CompositionTypeSyntax.self) || type.is(MetatypeTypeSyntax.self) {
            context.error(type, .existential(type.trimmedDescription))
            return nil
        }
        if let member = type.as(MemberTypeSyntax.self) {
            return .named(member.trimmedDescription)
        }
        guard let identifier = type.as(IdentifierTypeSyntax.self) else {
            context.error(type, .unsupported(type.trimmedDescription))
            return nil
        }
        let name = identifier.name.text
        let generics = identifier.genericArgumentClause.map { Array($0.arguments) } ?? []
        func genericType(_ index: Int) -> TypeSyntax? {
            guard index < generics.count, case .type(let type) = generics[index].argument else { return nil }
            return type
        }
        switch name {
        case "String", "Swift.String": return .string
        case "Bool": return .boolean
        case "Any", "AnyObject":
            context.error(type, .existential(name))
            return nil
        case "Optional":
            guard let inner = genericType(0) else { break }
            return read(inner, context: context).map { .optional($0) }
        case "Array":
            guard let inner = genericType(0) else { break }
            return read(inner, context: context).map { .array($0) }
        case "Dictionary":
            guard let key = genericType(0), let value = genericType(1) else { break }
            return dictionaryShape(key: key, value: value, whole: type, context: context)
        case "Set":
            guard let inner = genericType(0) else { break }
            let fixed = ArrayTypeSyntax(element: inner.trimmed)
            context.error(type, .set, fixIt: .replacing(type: type, with: fixed, "Use the array '\(fixed.description)'"))
            return nil
        default:
            if integerNames.contains(name) { return .integer(name) }
            if numberNames.contains(name) { return .number }
        }
        return .named(identifier.trimmedDescription)
    }

    static func dictionaryShape(key: TypeSyntax, value: TypeSyntax, whole: TypeSyntax, context: DiagnosticSink) -> TypeShape? {
        let keyName = key.trimmedDescription
        guard keyName == "String" else {
            let stringKey = TypeSyntax(IdentifierTypeSyntax(name: .identifier("String")))
                .with(\.leadingTrivia, key.leadingTrivia).with(\.trailingTrivia, key.trailingTrivia)
            context.error(key, .dictionaryKey(keyName), fixIt: .replacing(key, with: stringKey, "Use 'String' keys"))
            return nil
        }
        return read(value, context: context).map { .dictionary($0) }
    }
}
