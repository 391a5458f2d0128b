import Foundation

/// Validates JSON values against a JSON Schema, as tool arguments are checked against a tool's
/// `parameters`.
///
/// Supported keywords: `type` (a name or a list; `integer` accepts integral numbers such as `1.0`),
/// OpenAPI's `nullable: true`, `enum`, `const`, `required`, `properties`, `patternProperties`,
/// `additionalProperties` (boolean or schema), `minProperties`/`maxProperties`, `items` (a schema, or
/// a list of schemas for tuples), `prefixItems`, `additionalItems`, `minItems`/`maxItems`,
/// `uniqueItems`, `contains`, `minimum`/`maximum`, `exclusiveMinimum`/`exclusiveMaximum` (number, or the
/// draft-4 boolean form), `multipleOf`, `minLength`/`maxLength` (counted in Unicode scalars),
/// `pattern` (an unanchored search, ICU syntax), `allOf`/`anyOf`/`oneOf`/`not`, `if`/`then`/`else`,
/// boolean schemas, and `$ref` to a JSON pointer inside the root schema (`#`, `#/$defs/X`,
/// `#/definitions/X`). Annotations (`description`, `format`, `default`, `examples`, …) are ignored.
///
/// A schema that cannot be applied (an unresolvable `$ref`, a keyword of the wrong type, an invalid
/// `pattern`) is reported as a violation whose message starts with `invalid schema:`, never a crash.
public struct JSONSchemaValidator: Sendable {
    /// The root schema; `$ref`s resolve against it.
    public let schema: JSONValue

    /// - Parameter schema: a JSON Schema (an object or a boolean).
    public init(schema: JSONValue) {
        self.schema = schema
    }

    /// Every violation of the schema by `value`, in document order of the schema's checks.
    ///
    /// - Parameter value: the instance to validate.
    /// - Returns: an empty list when the value is valid.
    public func validate(_ value: JSONValue) -> [SchemaViolation] {
        let run = SchemaRun(root: schema)
        var out: [SchemaViolation] = []
        run.check(value, against: schema, at: "$", refHops: 0, into: &out)
        return out
    }

    /// Whether `value` satisfies the schema.
    public func isValid(_ value: JSONValue) -> Bool {
        validate(value).isEmpty
    }
}

/// One validation: the root schema for `$ref` and compiled `pattern`s (kept per run so the validator
/// itself stays a plain `Sendable` value).
final class SchemaRun {
    let root: JSONValue
    private var regexes: [String: NSRegularExpression?] = [:]
    /// `$ref` hops without descending into the value; more than this is a reference cycle.
    static let maxRefHops = 64

    init(root: JSONValue) {
        self.root = root
    }

    /// Whether `value` satisfies `schema` (for the combinators).
    func matches(_ value: JSONValue, _ schema: JSONValue, at path: String, refHops: Int) -> [SchemaViolation] {
        var out: [SchemaViolation] = []
        check(value, against: schema, at: path, refHops: refHops, into: &out)
        return out
    }

    /// Appends the violations of `schema` by `value` (at `path`) to `out`.
    func check(_ value: JSONValue, against schema: JSONValue, at path: String, refHops: Int, into out: inout [SchemaViolation]) {
        let keywords: JSONObject
        switch schema {
        case .bool(true):
            return
        case .bool(false):
            out.append(SchemaViolation(path: path, message: "no value is allowed here (the schema is false)"))
            return
        case .object(let object):
            keywords = object
        default:
            out.append(invalid(path, "expected an object or a boolean as schema, got \(schema.typeName)"))
            return
        }
        if let ref = keywords["$ref"] {
            checkRef(ref, value, at: path, refHops: refHops, into: &out)
        }
        if value == .null, keywords["nullable"] == .bool(true) { return }
        if let type = keywords["type"] {
            guard checkType(type, value, at: path, into: &out) else { return }
        }
        if let allowed = keywords["enum"] {
            checkEnum(allowed, value, at: path, into: &out)
        }
        if let constant = keywords["const"], !Self.equal(constant, value) {
            out.append(SchemaViolation(path: path, message: "expected \(Self.show(constant)), got \(Self.show(value))"))
        }
        switch value {
        case .string(let s): checkString(s, keywords, at: path, into: &out)
        case .number(let n): checkNumber(n, keywords, at: path, into: &out)
        case .array(let items): checkArray(items, keywords, at: path, into: &out)
        case .object(let object): checkObject(object, keywords, at: path, into: &out)
        case .null, .bool: break
        }
        checkCombinators(value, keywords, at: path, refHops: refHops, into: &out)
    }

    func checkRef(_ ref: JSONValue, _ value: JSONValue, at path: String, refHops: Int, into out: inout [SchemaViolation]) {
        guard let pointer = ref.stringValue else {
            out.append(invalid(path, "'$ref' must be a string, got \(ref.typeName)"))
            return
        }
        guard refHops < Self.maxRefHops else {
            out.append(invalid(path, "'$ref' '\(pointer)' loops without reaching a schema"))
            return
        }
        switch Self.resolve(pointer, in: root) {
        case .success(let target):
            check(value, against: target, at: path, refHops: refHops + 1, into: &out)
        case .failure(let reason):
            out.append(invalid(path, reason.description))
        }
    }

    func checkCombinators(_ value: JSONValue, _ keywords: JSONObject, at path: String, refHops: Int, into out: inout [SchemaViolation]) {
        if let all = keywords["allOf"] {
            for schema in schemaList(all, "allOf", at: path, into: &out) {
                check(value, against: schema, at: path, refHops: refHops, into: &out)
            }
        }
        if let any = keywords["anyOf"] {
            let options = schemaList(any, "anyOf", at: path, into: &out)
            let results = options.map { matches(value, $0, at: path, refHops: refHops) }
            if !options.isEmpty, !results.contains(where: \.isEmpty) {
                out.append(SchemaViolation(path: path, message: "matches none of the anyOf schemas" + Self.closest(results)))
            }
        }
        if let one = keywords["oneOf"] {
            let options = schemaList(one, "oneOf", at: path, into: &out)
            let results = options.map { matches(value, $0, at: path, refHops: refHops) }
            let valid = results.indices.filter { results[$0].isEmpty }
            if !options.isEmpty, valid.isEmpty {
                out.append(SchemaViolation(path: path, message: "matches none of the oneOf schemas" + Self.closest(results)))
            } else if valid.count > 1 {
                let which = valid.map(String.init).joined(separator: ", ")
                out.append(SchemaViolation(path: path, message: "matches \(valid.count) of the oneOf schemas (\(which)), expected exactly one"))
            }
        }
        if let not = keywords["not"], matches(value, not, at: path, refHops: refHops).isEmpty {
            out.append(SchemaViolation(path: path, message: "must not match the 'not' schema"))
        }
        if let condition = keywords["if"] {
            let branch = matches(value, condition, at: path, refHops: refHops).isEmpty ? keywords["then"] : keywords["else"]
            if let branch {
                check(value, against: branch, at: path, refHops: refHops, into: &out)
            }
        }
    }

    /// The schemas of a combinator keyword (a non-empty array).
    func schemaList(_ value: JSONValue, _ keyword: String, at path: String, into out: inout [SchemaViolation]) -> [JSONValue] {
        guard case .array(let schemas) = value, !schemas.isEmpty else {
            out.append(invalid(path, "'\(keyword)' must be a non-empty array of schemas"))
            return []
        }
        return schemas
    }

    /// A compiled `pattern`, or `nil` when it is not a valid regular expression.
    func regex(_ pattern: String) -> NSRegularExpression? {
        if let cached = regexes[pattern] { return cached }
        let compiled = try? NSRegularExpression(pattern: pattern)
        regexes[pattern] = compiled
        return compiled
    }

    func invalid(_ path: String, _ reason: String) -> SchemaViolation {
        SchemaViolation(path: path, message: "invalid schema: \(reason)")
    }
}
