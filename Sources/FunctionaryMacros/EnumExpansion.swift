import SwiftSyntax

/// The members `@Generable` adds to an enum. Cases without associated values are a string `enum`;
/// when some case has associated values, each case is an object with one key, the case name, whose value is
/// an object of the associated values (labels as keys, `_0`, `_1`… for unlabeled ones), as Swift's
/// `Codable` writes enums.
struct EnumExpansion {
    let declaration: EnumDeclSyntax
    let context: GenerableContext

    struct Value {
        var key: String
        var label: String?
        var shape: TypeShape
    }

    struct Case {
        var name: String
        var code: String
        var values: [Value]?
    }

    func cases() -> [Case] {
        var result: [Case] = []
        for member in declaration.memberBlock.members {
            guard let caseDecl = member.decl.as(EnumCaseDeclSyntax.self) else { continue }
            for element in caseDecl.elements {
                let code = element.name.text
                var values: [Value]?
                if let parameters = element.parameterClause?.parameters {
                    values = []
                    for (index, parameter) in parameters.enumerated() {
                        guard let shape = TypeShape.read(parameter.type, context: context.sink) else { continue }
                        let label = parameter.firstName.flatMap { $0.tokenKind == .wildcard ? nil : $0.text }
                        values?.append(Value(key: label?.trimmingCharacters(in: "`") ?? "_\(index)", label: label, shape: shape))
                    }
                }
                result.append(Case(name: code.trimmingCharacters(in: "`"), code: code, values: values))
            }
        }
        return result
    }

    func members() -> String? {
        let cases = cases()
        if cases.isEmpty {
            context.sink.error(declaration.name, .emptyEnum)
            return nil
        }
        let names = SchemaCode.stringArray(cases.map(\.name))
        let descriptionArgument = context.description.map { ", description: \($0)" } ?? ""
        let tagged = cases.contains { $0.values != nil }
        var decode: [String] = []
        var schema: String
        var encode: [String] = []
        if !tagged {
            decode.append("    switch try content.caseName(among: \(names)) {")
            for item in cases { decode.append("    case \"\(item.name)\": self = .\(item.code)") }
            schema = "\(SchemaCode.support).choices(\(names)\(descriptionArgument))"
            for item in cases { encode.append("    case .\(item.code): return .string(\"\(item.name)\")") }
        } else {
            decode.append("    let (name, payload) = try content.taggedCase(among: \(names))")
            decode.append("    switch name {")
            var schemaCases: [(String, String)] = []
            for item in cases {
                let values = item.values ?? []
                let arguments = values.map { value in
                    (value.label.map { "\($0): " } ?? "") + "try payload.property(\"\(value.key)\")"
                }
                decode.append(
                    "    case \"\(item.name)\": self = .\(item.code)"
                        + (values.isEmpty && item.values == nil ? "" : "(\(arguments.joined(separator: ", ")))"))
                let properties = values.map { ($0.key, SchemaCode.schema($0.shape.unwrapped, guide: nil)) }
                let required = SchemaCode.stringArray(values.filter { !$0.shape.isOptional }.map(\.key))
                let pairs = SchemaCode.pairs(properties).indented("        ")
                schemaCases.append((item.name, "\(SchemaCode.support).object(properties: \(pairs), required: \(required))"))
                let bindings = values.indices.map { "let v\($0)" }.joined(separator: ", ")
                let pattern = item.values == nil ? "" : "(\(bindings))"
                let content = SchemaCode.pairs(values.enumerated().map { ($0.element.key, "v\($0.offset).generatedContent") })
                    .indented("        ")
                encode.append(
                    "    case .\(item.code)\(pattern): return \(SchemaCode.support).content([(\"\(item.name)\", \(SchemaCode.support).content(\(content)))])"
                )
            }
            let pairs = SchemaCode.pairs(schemaCases).indented("    ")
            schema = "\(SchemaCode.support).taggedUnion(\(pairs)\(descriptionArgument))"
        }
        decode.append("    default: throw Functionary.GeneratedContentError(\"no case named \\(content)\")")
        decode.append("    }")
        return context.members(
            decoding: decode.joined(separator: "\n"), schema: schema,
            content: "switch self {\n" + encode.joined(separator: "\n") + "\n    }")
    }
}
