/// Objects: properties, `required`, `additionalProperties` and `allOf`.
extension JSONSchemaGrammar {
    mutating func visitObject(_ object: JSONObject, name: String, path: String) throws -> String {
        var properties: [(String, JSONValue)] = []
        if let value = object["properties"] {
            guard let members = value.objectValue else { throw Self.fail(path, "properties must be an object") }
            properties = members.map { ($0.key, $0.value) }
        }
        let required = Set((object["required"]?.arrayValue ?? []).compactMap(\.stringValue))
        var additional: JSONValue? = nil
        switch object["additionalProperties"] {
        case .bool(true)?: additional = .object([:])
        case .bool(false)?: additional = nil
        case .object(let schema)?: additional = .object(schema)
        case nil: additional = object["properties"] == nil ? .object([:]) : nil
        default: throw Self.fail(path, "additionalProperties must be a boolean or a schema")
        }
        if properties.isEmpty, let additional, Self.isAny(additional) {
            return primitive("object")
        }
        let body = try objectRule(properties: properties, required: required, name: name, path: path, additional: additional)
        return rules.add(name, body)
    }

    /// `allOf`: the properties of every part (required when the part is not an `anyOf`), or the
    /// values common to every part's `enum`.
    mutating func visitAllOf(_ value: JSONValue, name: String, path: String) throws -> String {
        let parts = try Self.nonEmptyArray(value, path: path)
        var properties: [(String, JSONValue)] = []
        var required = Set<String>()
        var enumCounts: [(String, Int)] = []

        func add(_ component: JSONValue, isRequired: Bool, grammar: JSONSchemaGrammar) {
            guard let object = component.objectValue else { return }
            if let ref = object["$ref"]?.stringValue, let target = try? grammar.resolvedTarget(ref) {
                add(target, isRequired: isRequired, grammar: grammar)
                return
            }
            if let values = object["enum"]?.arrayValue, object["$ref"] == nil {
                for literal in values.map({ GBNF.literal(literalText($0)) }) {
                    if let i = enumCounts.firstIndex(where: { $0.0 == literal }) {
                        enumCounts[i].1 += 1
                    } else {
                        enumCounts.append((literal, 1))
                    }
                }
                return
            }
            guard let members = object["properties"]?.objectValue else { return }
            for member in members {
                properties.append((member.key, member.value))
                // As llama.cpp: every property of a part that is not an `anyOf` alternative is required.
                if isRequired { required.insert(member.key) }
            }
        }
        for part in parts {
            if let alternatives = part.objectValue?["anyOf"]?.arrayValue {
                for alternative in alternatives { add(alternative, isRequired: false, grammar: self) }
            } else {
                add(part, isRequired: true, grammar: self)
            }
        }
        let common = enumCounts.filter { $0.1 == parts.count }.map(\.0).sorted()
        if !common.isEmpty {
            return rules.add(name, "(" + common.joined(separator: " | ") + ")")
        }
        return rules.add(name, try objectRule(properties: properties, required: required, name: name, path: path, additional: nil))
    }

    /// The body of an object rule: required members in order, then the optional ones, each
    /// optional member allowed only after the ones before it.
    private mutating func objectRule(
        properties: [(String, JSONValue)], required: Set<String>, name: String, path: String, additional: JSONValue?
    ) throws -> String {
        let (separator, padding) = (separatorSpace, self.padding)
        var requiredNames: [String] = []
        var optionalNames: [String] = []
        var memberRules: [String: String] = [:]
        for (property, schema) in properties {
            let valueRule = try visit(schema, name: name + "-" + property, path: path + "/properties/" + property)
            memberRules[property] = rules.add(
                name + "-" + property + "-kv",
                GBNF.literal(JSONValue.quoted(property)) + " " + padding + " \":\" " + separator + " " + valueRule)
            if required.contains(property) { requiredNames.append(property) } else { optionalNames.append(property) }
        }
        // "*" (not a valid property rule name) stands for the additional members.
        let extraKey = "*"
        if let additional {
            let subName = name + "-additional"
            let valueRule: String
            if Self.isAny(additional) {
                valueRule = primitive("value")
            } else {
                valueRule = try visit(additional, name: subName + "-value", path: path + "/additionalProperties")
            }
            let keyRule =
                properties.isEmpty
                ? primitive("string") : rules.add(subName + "-k", notStrings(properties.map(\.0)))
            memberRules[extraKey] = rules.add(subName + "-kv", keyRule + " \":\" " + separator + " " + valueRule)
            optionalNames.append(extraKey)
        }
        if requiredNames.isEmpty && optionalNames.isEmpty {
            return "\"{\" " + padding + " \"}\""
        }
        var rule = "\"{\" " + padding + " " + requiredNames.compactMap { memberRules[$0] }.joined(separator: " \",\" " + separator + " ")
        if !optionalNames.isEmpty {
            rule += " ("
            if !requiredNames.isEmpty { rule += " \",\" " + separator + " ( " }
            var alternatives: [String] = []
            for start in optionalNames.indices {
                alternatives.append(
                    optionalChain(
                        Array(optionalNames[start...]), firstIsOptional: false,
                        name: name, members: memberRules, extraKey: extraKey))
            }
            rule += alternatives.joined(separator: " | ")
            if !requiredNames.isEmpty { rule += " )" }
            rule += " )?"
        }
        return rule + " " + padding + " \"}\""
    }

    /// The first member of `keys` (required or optional), then optionally each following one.
    private mutating func optionalChain(
        _ keys: [String], firstIsOptional: Bool, name: String, members: [String: String], extraKey: String
    ) -> String {
        guard let first = keys.first, let member = members[first] else { return "" }
        let commaMember = "( \",\" " + separatorSpace + " " + member + " )"
        var result: String
        if firstIsOptional {
            result = commaMember + (first == extraKey ? "*" : "?")
        } else {
            result = member + (first == extraKey ? " " + commaMember + "*" : "")
        }
        if keys.count > 1 {
            let restName = name + "-" + (first == extraKey ? "additional" : first) + "-rest"
            let rest = optionalChain(Array(keys.dropFirst()), firstIsOptional: true, name: name, members: members, extraKey: extraKey)
            result += " " + rules.add(restName, rest)
        }
        return result
    }

    /// A JSON string that is none of `strings`, in the shape of llama.cpp's `_not_strings`.
    mutating func notStrings(_ strings: [String]) -> String {
        final class Node {
            var children: [(Unicode.Scalar, Node)] = []
            var isEnd = false
            func child(_ scalar: Unicode.Scalar) -> Node {
                if let existing = children.first(where: { $0.0 == scalar }) { return existing.1 }
                let node = Node()
                children.append((scalar, node))
                children.sort { $0.0.value < $1.0.value }
                return node
            }
        }
        let root = Node()
        for string in strings {
            var node = root
            for scalar in string.unicodeScalars { node = node.child(scalar) }
            node.isEnd = true
        }
        let char = primitive("char")
        func render(_ node: Node) -> String {
            var out = ""
            var rejects = ""
            for (i, (scalar, child)) in node.children.enumerated() {
                rejects += GrammarText.classChar(scalar)
                if i > 0 { out += " | " }
                out += "[" + GrammarText.classChar(scalar) + "]"
                out += child.children.isEmpty ? " " + char + "+" : " (" + render(child) + ")"
            }
            if !node.children.isEmpty {
                out += " | [^\"" + rejects + "] " + char + "*"
            }
            return out
        }
        return "[\"] ( " + render(root) + " )" + (root.isEnd ? "" : "?") + " [\"]"
    }

    /// The schema a `$ref` points to in the current document.
    func resolvedTarget(_ ref: String) throws -> JSONValue {
        try resolve(ref, path: ref)
    }
}
