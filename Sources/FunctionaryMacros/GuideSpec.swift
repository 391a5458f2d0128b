import SwiftSyntax

/// What one `@Guide(description:, …)` attribute says about a property, with the literals kept as Swift source.
struct GuideSpec {
    /// A string literal, as written.
    var description: String?
    /// Number literals (`1`, `-2.5`), as written.
    var minimum: String?
    var maximum: String?
    var minItems: String?
    var maxItems: String?
    /// A string literal, as written.
    var pattern: String?
    /// String literals, as written.
    var choices: [String]?

    /// The kinds of property each guide applies to, for the diagnostics.
    enum Applies { case numeric, array, string }
    /// The guides used, with the node that wrote each.
    var used: [(name: String, applies: Applies, node: Syntax)] = []

    /// Reads every `@Guide` attribute of a property.
    static func read(_ attributes: AttributeListSyntax, context: DiagnosticSink) -> GuideSpec {
        var spec = GuideSpec()
        for element in attributes {
            guard case .attribute(let attribute) = element,
                attribute.attributeName.trimmedDescription == "Guide" || attribute.attributeName.trimmedDescription.hasSuffix(".Guide"),
                case .argumentList(let arguments)? = attribute.arguments
            else { continue }
            for argument in arguments {
                if argument.label?.text == "description" {
                    if let literal = stringLiteral(argument.expression) {
                        spec.description = literal
                    } else {
                        context.error(argument.expression, .guideNotLiteral("description"))
                    }
                    continue
                }
                spec.readGuide(argument.expression, context: context)
            }
        }
        return spec
    }

    mutating func readGuide(_ expression: ExprSyntax, context: DiagnosticSink) {
        guard let call = expression.as(FunctionCallExprSyntax.self),
            let member = call.calledExpression.as(MemberAccessExprSyntax.self)
        else {
            context.error(expression, .unknownGuide(expression.trimmedDescription))
            return
        }
        let name = member.declName.baseName.text
        let arguments = Array(call.arguments.map(\.expression))
        let node = Syntax(expression)
        func notLiteral() { context.error(expression, .guideNotLiteral(name)) }
        switch name {
        case "range", "count":
            let applies: Applies = name == "range" ? .numeric : .array
            guard arguments.count == 1 else { return notLiteral() }
            if let range = Self.closedRange(arguments[0]) {
                let (low, high) = range
                if let l = Double(low), let h = Double(high), l > h { return context.error(expression, .guideRange(name)) }
                if name == "range" { (minimum, maximum) = (low, high) } else { (minItems, maxItems) = (low, high) }
            } else if name == "count", let exact = Self.number(arguments[0]) {
                (minItems, maxItems) = (exact, exact)
            } else {
                return notLiteral()
            }
            used.append((name, applies, node))
        case "minimum", "maximum", "minimumCount", "maximumCount":
            guard arguments.count == 1, let value = Self.number(arguments[0]) else { return notLiteral() }
            switch name {
            case "minimum": minimum = value
            case "maximum": maximum = value
            case "minimumCount": minItems = value
            default: maxItems = value
            }
            used.append((name, name.hasSuffix("Count") ? .array : .numeric, node))
        case "pattern":
            guard arguments.count == 1, let value = Self.stringLiteral(arguments[0]) else { return notLiteral() }
            pattern = value
            used.append((name, .string, node))
        case "anyOf", "constant":
            if name == "constant" {
                guard arguments.count == 1, let value = Self.stringLiteral(arguments[0]) else { return notLiteral() }
                choices = [value]
            } else {
                guard arguments.count == 1, let array = arguments[0].as(ArrayExprSyntax.self) else { return notLiteral() }
                let values = array.elements.compactMap { Self.stringLiteral($0.expression) }
                guard values.count == array.elements.count, !values.isEmpty else { return notLiteral() }
                choices = values
            }
            used.append((name, .string, node))
        default:
            context.error(expression, .unknownGuide(expression.trimmedDescription))
        }
    }

    /// A string literal without interpolation, as written (`"…"` or `#"…"#`).
    static func stringLiteral(_ expression: ExprSyntax) -> String? {
        guard let literal = expression.as(StringLiteralExprSyntax.self),
            literal.segments.allSatisfy({ $0.is(StringSegmentSyntax.self) })
        else { return nil }
        return literal.trimmedDescription
    }

    /// An integer or float literal, optionally negated, as JSON number text.
    static func number(_ expression: ExprSyntax) -> String? {
        if let integer = expression.as(IntegerLiteralExprSyntax.self) {
            return integer.literal.text.replacingUnderscores()
        }
        if let float = expression.as(FloatLiteralExprSyntax.self) {
            return float.literal.text.replacingUnderscores()
        }
        if let prefix = expression.as(PrefixOperatorExprSyntax.self), prefix.operator.text == "-",
            let inner = number(prefix.expression), !inner.hasPrefix("-")
        {
            return "-" + inner
        }
        return nil
    }

    /// `low...high` with literal bounds.
    static func closedRange(_ expression: ExprSyntax) -> (String, String)? {
        if let sequence = expression.as(SequenceExprSyntax.self) {
            let items = Array(sequence.elements)
            guard items.count == 3, items[1].as(BinaryOperatorExprSyntax.self)?.operator.text == "...",
                let low = number(items[0]), let high = number(items[2])
            else { return nil }
            return (low, high)
        }
        if let infix = expression.as(InfixOperatorExprSyntax.self),
            infix.operator.as(BinaryOperatorExprSyntax.self)?.operator.text == "...",
            let low = number(infix.leftOperand), let high = number(infix.rightOperand)
        {
            return (low, high)
        }
        return nil
    }
}

extension String {
    func replacingUnderscores() -> String { String(filter { $0 != "_" }) }
}
