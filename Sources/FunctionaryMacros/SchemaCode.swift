/// Writes the Swift expressions of the expansion: schemas built by `Functionary.GenerableSupport`.
enum SchemaCode {
    static let support = "Functionary.GenerableSupport"

    /// The schema expression of a shape, with a property's guide applied to its outermost non-optional type.
    static func schema(_ shape: TypeShape, guide: GuideSpec?) -> String {
        var arguments: [String] = []
        func add(_ label: String, _ value: String?) {
            if let value { arguments.append("\(label): \(value)") }
        }
        func quoted(_ number: String?) -> String? { number.map { "\"\($0)\"" } }
        add("description", guide?.description)
        switch shape {
        case .optional(let inner):
            // Optional inside an array or dictionary: the value may be null.
            return "\(support).nullable(\(schema(inner, guide: guide)))"
        case .string:
            add("pattern", guide?.pattern)
            add("choices", guide?.choices.map { "[" + $0.joined(separator: ", ") + "]" })
            return "\(support).string(\(arguments.joined(separator: ", ")))"
        case .integer(let name):
            let bounds = TypeShape.integerBounds[name]
            add("minimum", quoted(guide?.minimum ?? bounds?.0))
            add("maximum", quoted(guide?.maximum ?? bounds?.1))
            return "\(support).integer(\(arguments.joined(separator: ", ")))"
        case .number:
            add("minimum", quoted(guide?.minimum))
            add("maximum", quoted(guide?.maximum))
            return "\(support).number(\(arguments.joined(separator: ", ")))"
        case .boolean:
            return "\(support).boolean(\(arguments.joined(separator: ", ")))"
        case .array(let element):
            add("minItems", guide?.minItems)
            add("maxItems", guide?.maxItems)
            return "\(support).array(\(([schema(element, guide: nil)] + arguments).joined(separator: ", ")))"
        case .dictionary(let value):
            return "\(support).dictionary(\(([schema(value, guide: nil)] + arguments).joined(separator: ", ")))"
        case .named(let name):
            return "\(support).annotated(\(([name + ".generationSchema"] + arguments).joined(separator: ", ")))"
        }
    }

    /// `[("name", expr), …]`
    static func pairs(_ items: [(String, String)]) -> String {
        if items.isEmpty { return "[]" }
        return "[\n" + items.map { "    (\"\($0.0)\", \($0.1))" }.joined(separator: ",\n") + "\n]"
    }

    static func stringArray(_ items: [String]) -> String {
        "[" + items.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
    }
}

extension String {
    /// Each line after the first indented by `pad` (the expansion's nested code).
    func indented(_ pad: String) -> String {
        split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\n" + pad)
    }
}
