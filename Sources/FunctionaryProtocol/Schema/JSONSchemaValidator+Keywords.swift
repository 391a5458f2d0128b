import Foundation

/// The type-specific keywords.
extension SchemaRun {
    static let typeNames: Set<String> = ["null", "boolean", "integer", "number", "string", "array", "object"]

    /// Checks `type` (and `nullable`); returns false when the value has the wrong type, so that the
    /// keywords for other types are not reported as well.
    func checkType(_ type: JSONValue, _ value: JSONValue, at path: String, into out: inout [SchemaViolation]) -> Bool {
        var names: [String]
        switch type {
        case .string(let name): names = [name]
        case .array(let items) where items.allSatisfy({ $0.stringValue != nil }): names = items.compactMap(\.stringValue)
        default:
            out.append(invalid(path, "'type' must be a type name or a list of type names"))
            return true
        }
        if let unknown = names.first(where: { !Self.typeNames.contains($0) }) {
            out.append(invalid(path, "unknown type '\(unknown)'; known types are \(Self.typeNames.sorted().joined(separator: ", "))"))
            return true
        }
        if names.contains(where: { Self.has(type: $0, value) }) { return true }
        if names.isEmpty {
            names = ["nothing"]
        }
        out.append(SchemaViolation(path: path, message: "expected \(names.joined(separator: " or ")), got \(Self.show(value))"))
        return false
    }

    static func has(type name: String, _ value: JSONValue) -> Bool {
        switch (name, value) {
        case ("null", .null), ("boolean", .bool), ("number", .number), ("string", .string), ("array", .array), ("object", .object):
            return true
        case ("integer", .number(let n)):
            return isIntegral(n)
        default:
            return false
        }
    }

    /// Integers as JSON Schema (draft 6 and later) counts them: `1` and `1.0`, not `1.5`.
    static func isIntegral(_ n: JSONNumber) -> Bool {
        if n.isInteger { return true }
        let d = n.doubleValue
        return d.isFinite && d == d.rounded()
    }

    func checkEnum(_ allowed: JSONValue, _ value: JSONValue, at path: String, into out: inout [SchemaViolation]) {
        guard case .array(let options) = allowed else {
            out.append(invalid(path, "'enum' must be an array"))
            return
        }
        if !options.contains(where: { Self.equal($0, value) }) {
            out.append(SchemaViolation(path: path, message: "\(Self.show(value)) is not one of \(Self.show(allowed, limit: 200))"))
        }
    }

    func checkString(_ s: String, _ keywords: JSONObject, at path: String, into out: inout [SchemaViolation]) {
        let length = s.unicodeScalars.count
        if let min = count("minLength", keywords, at: path, into: &out), length < min {
            out.append(SchemaViolation(path: path, message: "string is \(Self.characters(length)) long, shorter than minLength \(min)"))
        }
        if let max = count("maxLength", keywords, at: path, into: &out), length > max {
            out.append(SchemaViolation(path: path, message: "string is \(Self.characters(length)) long, longer than maxLength \(max)"))
        }
        if let pattern = keywords["pattern"] {
            guard let source = pattern.stringValue else {
                out.append(invalid(path, "'pattern' must be a string"))
                return
            }
            guard let regex = regex(source) else {
                out.append(invalid(path, "'pattern' \(JSONValue.quoted(source)) is not a valid regular expression"))
                return
            }
            let range = NSRange(s.startIndex..<s.endIndex, in: s)
            if regex.firstMatch(in: s, range: range) == nil {
                out.append(SchemaViolation(path: path, message: "\(Self.show(.string(s))) does not match pattern \(JSONValue.quoted(source))"))
            }
        }
    }

    func checkNumber(_ n: JSONNumber, _ keywords: JSONObject, at path: String, into out: inout [SchemaViolation]) {
        let x = n.doubleValue
        // Draft 4 spells exclusive bounds as booleans next to minimum/maximum.
        let exclusiveMinFlag = keywords["exclusiveMinimum"]?.boolValue ?? false
        let exclusiveMaxFlag = keywords["exclusiveMaximum"]?.boolValue ?? false
        if let min = bound("minimum", keywords, at: path, into: &out) {
            if exclusiveMinFlag ? !(x > min.value) : !(x >= min.value) {
                let relation = exclusiveMinFlag ? "greater than" : "at least"
                out.append(SchemaViolation(path: path, message: "\(n.literal) is not \(relation) \(min.literal)"))
            }
        }
        if let max = bound("maximum", keywords, at: path, into: &out) {
            if exclusiveMaxFlag ? !(x < max.value) : !(x <= max.value) {
                let relation = exclusiveMaxFlag ? "less than" : "at most"
                out.append(SchemaViolation(path: path, message: "\(n.literal) is not \(relation) \(max.literal)"))
            }
        }
        if keywords["exclusiveMinimum"]?.boolValue == nil, let min = bound("exclusiveMinimum", keywords, at: path, into: &out),
            !(x > min.value)
        {
            out.append(SchemaViolation(path: path, message: "\(n.literal) is not greater than \(min.literal)"))
        }
        if keywords["exclusiveMaximum"]?.boolValue == nil, let max = bound("exclusiveMaximum", keywords, at: path, into: &out),
            !(x < max.value)
        {
            out.append(SchemaViolation(path: path, message: "\(n.literal) is not less than \(max.literal)"))
        }
        if let step = bound("multipleOf", keywords, at: path, into: &out) {
            guard step.value > 0 else {
                out.append(invalid(path, "'multipleOf' must be greater than 0"))
                return
            }
            let quotient = x / step.value
            if quotient.isFinite, abs(quotient - quotient.rounded()) > 1e-9 * max(1, abs(quotient)) {
                out.append(SchemaViolation(path: path, message: "\(n.literal) is not a multiple of \(step.literal)"))
            }
        }
    }

    func checkArray(_ items: [JSONValue], _ keywords: JSONObject, at path: String, into out: inout [SchemaViolation]) {
        if let min = count("minItems", keywords, at: path, into: &out), items.count < min {
            out.append(SchemaViolation(path: path, message: "array has \(Self.plural(items.count, "item")), fewer than minItems \(min)"))
        }
        if let max = count("maxItems", keywords, at: path, into: &out), items.count > max {
            out.append(SchemaViolation(path: path, message: "array has \(Self.plural(items.count, "item")), more than maxItems \(max)"))
        }
        if keywords["uniqueItems"] == .bool(true) {
            outer: for i in items.indices {
                for j in items.indices where j > i && Self.equal(items[i], items[j]) {
                    out.append(SchemaViolation(path: path, message: "items \(i) and \(j) are equal, but uniqueItems is true"))
                    break outer
                }
            }
        }
        // Positional schemas: `prefixItems` (2020-12) or an array-valued `items` (draft 4-7).
        var positional: [JSONValue] = []
        var rest: JSONValue?
        if case .array(let schemas)? = keywords["prefixItems"] {
            positional = schemas
            rest = keywords["items"]
        } else if case .array(let schemas)? = keywords["items"] {
            positional = schemas
            rest = keywords["additionalItems"]
        } else {
            rest = keywords["items"]
        }
        for (index, item) in items.enumerated() {
            let itemPath = path + "[\(index)]"
            if index < positional.count {
                check(item, against: positional[index], at: itemPath, refHops: 0, into: &out)
            } else if let rest {
                check(item, against: rest, at: itemPath, refHops: 0, into: &out)
            }
        }
        if let contains = keywords["contains"],
            !items.enumerated().contains(where: { matches($1, contains, at: path + "[\($0)]", refHops: 0).isEmpty })
        {
            out.append(SchemaViolation(path: path, message: "no item matches the 'contains' schema"))
        }
    }

    func checkObject(_ object: JSONObject, _ keywords: JSONObject, at path: String, into out: inout [SchemaViolation]) {
        if let required = keywords["required"] {
            if case .array(let names) = required, names.allSatisfy({ $0.stringValue != nil }) {
                for name in names.compactMap(\.stringValue) where object[name] == nil {
                    out.append(SchemaViolation(path: Self.member(path, name), message: "required property '\(name)' is missing"))
                }
            } else if required != .bool(true) && required != .bool(false) {
                // (OpenAPI-style `required: true` inside a property is tolerated and ignored.)
                out.append(invalid(path, "'required' must be an array of property names"))
            }
        }
        if let min = count("minProperties", keywords, at: path, into: &out), object.count < min {
            out.append(SchemaViolation(path: path, message: "object has \(Self.plural(object.count, "property")), fewer than minProperties \(min)"))
        }
        if let max = count("maxProperties", keywords, at: path, into: &out), object.count > max {
            out.append(SchemaViolation(path: path, message: "object has \(Self.plural(object.count, "property")), more than maxProperties \(max)"))
        }
        let properties = keywords["properties"]?.objectValue ?? JSONObject()
        if let declared = keywords["properties"], declared.objectValue == nil {
            out.append(invalid(path, "'properties' must be an object"))
        }
        var patterns: [(NSRegularExpression, JSONValue)] = []
        if let patternProperties = keywords["patternProperties"]?.objectValue {
            for (source, schema) in patternProperties {
                if let regex = regex(source) {
                    patterns.append((regex, schema))
                } else {
                    out.append(invalid(path, "'patternProperties' key \(JSONValue.quoted(source)) is not a valid regular expression"))
                }
            }
        }
        let additional = keywords["additionalProperties"]
        for (key, value) in object {
            let memberPath = Self.member(path, key)
            var matched = false
            if let schema = properties[key] {
                matched = true
                check(value, against: schema, at: memberPath, refHops: 0, into: &out)
            }
            let range = NSRange(key.startIndex..<key.endIndex, in: key)
            for (regex, schema) in patterns where regex.firstMatch(in: key, range: range) != nil {
                matched = true
                check(value, against: schema, at: memberPath, refHops: 0, into: &out)
            }
            guard !matched, let additional else { continue }
            if additional == .bool(false) {
                let known = properties.keys.map { "'\($0)'" }.joined(separator: ", ")
                let hint = known.isEmpty ? "" : " (allowed: \(known))"
                out.append(SchemaViolation(path: memberPath, message: "property '\(key)' is not allowed\(hint)"))
            } else {
                check(value, against: additional, at: memberPath, refHops: 0, into: &out)
            }
        }
    }

    /// A non-negative integer keyword (`minLength`, `maxItems`, …).
    func count(_ keyword: String, _ keywords: JSONObject, at path: String, into out: inout [SchemaViolation]) -> Int? {
        guard let value = keywords[keyword] else { return nil }
        guard case .number(let n) = value, Self.isIntegral(n), let count = n.intValue, count >= 0 else {
            out.append(invalid(path, "'\(keyword)' must be a non-negative integer"))
            return nil
        }
        return count
    }

    /// A numeric keyword (`minimum`, `multipleOf`, …) with its spelling for messages.
    func bound(_ keyword: String, _ keywords: JSONObject, at path: String, into out: inout [SchemaViolation])
        -> (value: Double, literal: String)?
    {
        guard let value = keywords[keyword] else { return nil }
        guard case .number(let n) = value else {
            out.append(invalid(path, "'\(keyword)' must be a number"))
            return nil
        }
        return (n.doubleValue, n.literal)
    }

    static func characters(_ n: Int) -> String { plural(n, "character") }

    static func plural(_ n: Int, _ noun: String) -> String {
        if n == 1 { return "1 \(noun)" }
        return noun.hasSuffix("y") ? "\(n) \(noun.dropLast())ies" : "\(n) \(noun)s"
    }
}
