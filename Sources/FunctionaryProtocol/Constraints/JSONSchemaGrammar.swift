/// Converts JSON Schemas to GBNF rules that accept the same JSON texts as llama.cpp's
/// `json_schema_to_grammar` (so a remote llama.cpp, vLLM or SGLang engine is constrained exactly
/// like the embedded engine): the same whitespace (`space`), number, string and object shapes —
/// required properties in schema order, then optional ones in order — and the same handling of
/// `$ref`, `anyOf`/`oneOf`, type lists, `enum`/`const`, `allOf`, tuples, `minItems`/`maxItems`,
/// string `pattern`/`format`/lengths, integer bounds and `additionalProperties`.
///
/// One extension: `"nullable": true` (OpenAPI) also admits `null`. With `JSONWhitespace.canonical` the
/// whitespace is fixed instead (`json.dumps`'s); everything else is the same.
struct JSONSchemaGrammar {
    var rules: GBNFRuleSet
    let whitespace: JSONWhitespace
    /// The schema `$ref`s point into while converting one top-level schema.
    private var document: JSONValue = .null
    /// `$ref` → rule name, for the current document.
    private var refRules: [String: String] = [:]
    /// Primitive (`string`, `value`, `space`…) → the rule name it got.
    var primitiveNames: [String: String] = [:]
    /// Parts of schemas that could not be expressed and were left unconstrained.
    var warnings: [String] = []

    /// What one schema may cost before it is converted (the server checks its own, tighter limits first).
    static let schemaLimits = SchemaLimits(maxBytes: 16 << 20, maxDepth: 128, maxRefHops: 32)

    init(reserved: Set<String>, whitespace: JSONWhitespace = .any) {
        rules = GBNFRuleSet(reserved: reserved)
        self.whitespace = whitespace
    }

    /// Adds the rules for `schema` and makes `name` (one of the reserved names) the rule that matches it.
    /// - Throws: `GenerationError.invalidConstraint` naming the place of a schema error.
    mutating func addSchema(_ schema: JSONValue, as name: String) throws {
        // The conversion recurses per nesting level and per `$ref` hop: bound both (iteratively) first, so that
        // a chain of 40,000 references is an error, not a stack overflow.
        do {
            try Self.schemaLimits.check(schema, name: name)
        } catch {
            throw GenerationError.invalidConstraint("the JSON Schema of '\(name)' cannot be turned into a grammar: \(error)")
        }
        document = schema
        refRules = [:]
        let reference = try visit(schema, name: name, path: "#")
        rules.defineReserved(name, reference)
    }

    // MARK: - Dispatch

    /// The rule (a name, or an expression that is one term) for `schema`.
    mutating func visit(_ schema: JSONValue, name: String, path: String) throws -> String {
        guard let object = schema.objectValue else { throw Self.fail(path, "schema must be an object") }
        if let ref = object["$ref"] { return try visitRef(ref, path: path) }
        if let alternatives = object["oneOf"] ?? object["anyOf"] {
            let key = object["oneOf"] != nil ? "oneOf" : "anyOf"
            let items = try Self.nonEmptyArray(alternatives, path: path + "/" + key)
            var names: [String] = []
            for (i, item) in items.enumerated() {
                names.append(try visit(item, name: name + "-" + String(i), path: path + "/" + key + "/" + String(i)))
            }
            return rules.add(name, names.joined(separator: " | "))
        }
        if case .array(let types)? = object["type"] {
            guard !types.isEmpty else { throw Self.fail(path, "type must not be empty") }
            var names: [String] = []
            for (i, type) in types.enumerated() {
                var alternative = object
                alternative["type"] = type
                names.append(try visit(.object(alternative), name: name + "-" + String(i), path: path + "/type/" + String(i)))
            }
            return rules.add(name, names.joined(separator: " | "))
        }
        if object["nullable"]?.boolValue == true, object["type"]?.stringValue != "null" {
            var base = object
            base["nullable"] = nil
            let inner = try visit(.object(base), name: name + "-0", path: path)
            return rules.add(name, inner + " | " + primitive("null"))
        }
        if let value = object["const"] { return rules.add(name, GBNF.literal(literalText(value))) }
        if let values = object["enum"] {
            let items = try Self.nonEmptyArray(values, path: path + "/enum")
            return rules.add(name, "(" + items.map { GBNF.literal(literalText($0)) }.joined(separator: " | ") + ")")
        }
        let typeName: String
        switch object["type"] {
        case nil, .null?: typeName = ""
        case .string(let t)?: typeName = t
        default: throw Self.fail(path, "type must be a string or an array of strings")
        }
        let hasProperties =
            object["properties"] != nil
            || (object["additionalProperties"] != nil && object["additionalProperties"] != .bool(true))
        switch typeName {
        case "":
            if hasProperties { return try visitObject(object, name: name, path: path) }
            if let parts = object["allOf"] { return try visitAllOf(parts, name: name, path: path + "/allOf") }
            if object["items"] != nil || object["prefixItems"] != nil { return try visitArray(object, name: name, path: path) }
            let hasFormat = try Self.format(of: object, path: path) != nil
            if object["pattern"] != nil || object["minLength"] != nil || object["maxLength"] != nil || hasFormat {
                return try visitString(object, name: name, path: path)
            }
            return primitive("value")
        case "object":
            if !hasProperties, let parts = object["allOf"] { return try visitAllOf(parts, name: name, path: path + "/allOf") }
            return try visitObject(object, name: name, path: path)
        case "string":
            if let parts = object["allOf"] { return try visitAllOf(parts, name: name, path: path + "/allOf") }
            return try visitString(object, name: name, path: path)
        case "array": return try visitArray(object, name: name, path: path)
        case "integer": return try visitInteger(object, name: name, path: path)
        case "number": return primitive("number")
        case "boolean": return primitive("boolean")
        case "null": return primitive("null")
        default: throw Self.fail(path, "unrecognized type " + typeName)
        }
    }

    // MARK: - References

    private mutating func visitRef(_ value: JSONValue, path: String) throws -> String {
        guard let ref = value.stringValue else { throw Self.fail(path, "$ref must be a string") }
        guard ref.hasPrefix("#/") || ref == "#" else {
            throw Self.fail(path, "unsupported $ref " + ref + ", only references into the same document are supported")
        }
        if let existing = refRules[ref] { return existing }
        let target = try resolve(ref, path: path)
        let fragment = ref.dropFirst()
        let name = rules.claim("ref" + GBNFRuleSet.sanitize(String(fragment)))
        refRules[ref] = name
        rules.define(name, try visit(target, name: name + "-def", path: ref))
        return name
    }

    func resolve(_ ref: String, path: String) throws -> JSONValue {
        var target = document
        for token in ref.dropFirst(2).split(separator: "/", omittingEmptySubsequences: false) {
            let key = token.replacingOccurrences("~1", "/").replacingOccurrences("~0", "~")
            switch target {
            case .object(let object) where object[key] != nil:
                target = object[key] ?? .null
            case .array(let items):
                guard let index = Int(key), index >= 0, index < items.count else {
                    throw Self.fail(path, "cannot resolve $ref " + ref + ", " + key + " is out of range")
                }
                target = items[index]
            default:
                throw Self.fail(path, "cannot resolve $ref " + ref + ", " + key + " not found")
            }
        }
        return target
    }

    // MARK: - Strings and arrays

    private mutating func visitString(_ object: JSONObject, name: String, path: String) throws -> String {
        if let pattern = object["pattern"] {
            guard let text = pattern.stringValue else { throw Self.fail(path, "pattern must be a string") }
            return try patternRule(text, name: name)
        }
        if let format = try Self.format(of: object, path: path) {
            return primitive(format == "uuid" ? "uuid" : format + "-string")
        }
        let minLength = try Self.count(object, "minLength", path: path) ?? 0
        let maxLength = try Self.count(object, "maxLength", path: path)
        if minLength > 0 || maxLength != nil {
            let chars = GrammarText.repeated(primitive("char"), min: minLength, max: maxLength)
            return rules.add(name, "\"\\\"\" " + chars + " \"\\\"\"")
        }
        return primitive("string")
    }

    private mutating func visitArray(_ object: JSONObject, name: String, path: String) throws -> String {
        let key = object["items"] != nil ? "items" : "prefixItems"
        if let items = object[key] {
            if case .array(let tuple) = items {
                var body = "\"[\" " + padding
                for (i, item) in tuple.enumerated() {
                    if i > 0 { body += " \",\" " + separatorSpace }
                    body += " " + (try visit(item, name: name + "-tuple-" + String(i), path: path + "/" + key + "/" + String(i)))
                }
                return rules.add(name, body + " " + padding + " \"]\"")
            }
        }
        let minItems = try Self.count(object, "minItems", path: path) ?? 0
        let maxItems = try Self.count(object, "maxItems", path: path)
        let itemSchema = object[key]
        let itemIsAny = itemSchema == nil || Self.isAny(itemSchema ?? .null)
        if itemIsAny && minItems == 0 && maxItems == nil { return primitive("array") }
        let item: String
        if itemIsAny {
            item = primitive("value")
        } else {
            item = try visit(itemSchema ?? .null, name: name + "-item", path: path + "/" + key)
        }
        let elements = Self.separatedRepetition(item, min: minItems, max: maxItems, separator: "\",\" " + separatorSpace)
        return rules.add(name, "\"[\" " + padding + " " + elements + " " + padding + " \"]\"")
    }

    /// `item (sep item)…` between `min` and `max` items, as llama.cpp's `build_repetition`.
    static func separatedRepetition(_ item: String, min: Int, max: Int?, separator: String) -> String {
        if max == 0 { return "" }
        if min == 0 && max == 1 { return item + "?" }
        let rest = GrammarText.repeated("(" + separator + " " + item + ")", min: min == 0 ? 0 : min - 1, max: max.map { $0 - 1 })
        let result = rest.isEmpty ? item : item + " " + rest
        return min == 0 ? "(" + result + ")?" : result
    }

    // MARK: - Helpers

    /// A `const` or `enum` value as the JSON text the grammar forces: compact as llama.cpp writes it, or as
    /// `json.dumps` does (canonical).
    func literalText(_ value: JSONValue) -> String {
        whitespace == .canonical ? value.pythonJSON() : value.compactJSON()
    }

    /// What follows a `,` or a key's `:`: the shared `space` rule, or one space (canonical).
    var separatorSpace: String {
        mutating get { whitespace == .canonical ? "\" \"" : primitive("space") }
    }

    /// What may follow `{` and `[`, precede `}` and `]`, and sit between a key and its `:`: the shared `space`
    /// rule, or nothing (canonical).
    var padding: String {
        mutating get { whitespace == .canonical ? "" : primitive("space") }
    }

    /// Whether a schema accepts any JSON value (no type and no structural keyword).
    static func isAny(_ schema: JSONValue) -> Bool {
        guard let object = schema.objectValue else { return false }
        let structural = [
            "$ref", "oneOf", "anyOf", "type", "const", "enum", "properties", "additionalProperties", "allOf",
            "items", "prefixItems", "pattern", "minLength", "maxLength", "format", "nullable",
        ]
        return !structural.contains { object[$0] != nil }
    }

    static func format(of object: JSONObject, path: String) throws -> String? {
        guard let value = object["format"] else { return nil }
        guard let format = value.stringValue else { throw fail(path, "format must be a string") }
        switch format {
        case "date", "time", "date-time": return format
        case "uuid", "uuid1", "uuid2", "uuid3", "uuid4", "uuid5": return "uuid"
        default: return nil
        }
    }

    static func count(_ object: JSONObject, _ key: String, path: String) throws -> Int? {
        guard let value = object[key] else { return nil }
        guard let number = value.numberValue, let int = number.intValue, int >= 0 else {
            throw fail(path, key + " must be a non-negative integer")
        }
        return int
    }

    static func nonEmptyArray(_ value: JSONValue, path: String) throws -> [JSONValue] {
        guard let items = value.arrayValue else { throw fail(path, "must be an array") }
        guard !items.isEmpty else { throw fail(path, "must not be empty") }
        return items
    }

    static func fail(_ path: String, _ message: String) -> GenerationError {
        .invalidConstraint("JSON schema error at " + path + ": " + message)
    }
}

extension Substring {
    func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        String(self).replacingOccurrences(target, replacement)
    }
}

extension String {
    func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        guard !target.isEmpty else { return self }
        return self.split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
