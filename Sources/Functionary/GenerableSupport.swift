import FunctionaryAgent
import FunctionaryProtocol

/// The schema and content builders that `@Generable` expansions call. Not meant to be called directly,
/// but stable: the expansions of compiled code depend on it.
public enum GenerableSupport {
    static func object(_ pairs: [(String, JSONValue?)]) -> JSONValue {
        .object(JSONObject(pairs.compactMap { key, value in value.map { (key, $0) } }))
    }

    static func number(_ literal: String?) -> JSONValue? { literal.map { .number(JSONNumber(literal: $0)) } }

    /// `{"type": "object", "properties": …, "required": …, "additionalProperties": false}`; an object without
    /// properties is `{"type": "object", "properties": {}}` (as tools without arguments are usually declared), and an
    /// empty `required` is left out.
    public static func object(description: String? = nil, properties: [(String, JSONValue)], required: [String]) -> JSONValue {
        object([
            ("type", "object"), ("description", description.map(JSONValue.string)),
            ("properties", .object(JSONObject(properties))),
            ("required", required.isEmpty ? nil : .array(required.map(JSONValue.string))),
            ("additionalProperties", properties.isEmpty ? nil : false),
        ])
    }

    /// `{"type": "string"}` with a pattern or choices (`enum`).
    public static func string(description: String? = nil, pattern: String? = nil, choices: [String]? = nil) -> JSONValue {
        object([
            ("type", "string"), ("description", description.map(JSONValue.string)), ("pattern", pattern.map(JSONValue.string)),
            ("enum", choices.map { .array($0.map(JSONValue.string)) }),
        ])
    }

    /// `{"type": "integer"}` with bounds (number literals as written).
    public static func integer(description: String? = nil, minimum: String? = nil, maximum: String? = nil) -> JSONValue {
        object([
            ("type", "integer"), ("description", description.map(JSONValue.string)), ("minimum", number(minimum)),
            ("maximum", number(maximum)),
        ])
    }

    /// `{"type": "number"}` with bounds (number literals as written).
    public static func number(description: String? = nil, minimum: String? = nil, maximum: String? = nil) -> JSONValue {
        object([
            ("type", "number"), ("description", description.map(JSONValue.string)), ("minimum", number(minimum)),
            ("maximum", number(maximum)),
        ])
    }

    public static func boolean(description: String? = nil) -> JSONValue {
        object([("type", "boolean"), ("description", description.map(JSONValue.string))])
    }

    /// `{"type": "array", "items": …}` with counts.
    public static func array(_ items: JSONValue, description: String? = nil, minItems: Int? = nil, maxItems: Int? = nil) -> JSONValue {
        object([
            ("type", "array"), ("description", description.map(JSONValue.string)), ("items", items),
            ("minItems", minItems.map { .number(JSONNumber($0)) }), ("maxItems", maxItems.map { .number(JSONNumber($0)) }),
        ])
    }

    /// `[String: T]`: `{"type": "object", "additionalProperties": …}`.
    public static func dictionary(_ values: JSONValue, description: String? = nil) -> JSONValue {
        object([("type", "object"), ("description", description.map(JSONValue.string)), ("additionalProperties", values)])
    }

    /// A value that may also be `null` (an optional inside an array or dictionary).
    public static func nullable(_ schema: JSONValue) -> JSONValue {
        ["anyOf": [schema, ["type": "null"]]]
    }

    /// Another type's schema with a property's description added.
    public static func annotated(_ schema: JSONValue, description: String? = nil) -> JSONValue {
        guard let description, case .object(var object) = schema else { return schema }
        object["description"] = .string(description)
        return .object(object)
    }

    /// An enum without associated values: `{"type": "string", "enum": [case names]}`.
    public static func choices(_ names: [String], description: String? = nil) -> JSONValue {
        string(description: description, choices: names)
    }

    /// An enum with associated values: one object per case, `{"case name": {associated values}}`.
    public static func taggedUnion(_ cases: [(String, JSONValue)], description: String? = nil) -> JSONValue {
        let alternatives: [JSONValue] = cases.map { name, payload in
            object(properties: [(name, payload)], required: [name])
        }
        return object([("description", description.map(JSONValue.string)), ("anyOf", .array(alternatives))])
    }

    /// An object from property values; `null` values (absent optionals) are left out.
    public static func content(_ properties: [(String, JSONValue)]) -> JSONValue {
        .object(JSONObject(properties.filter { $0.1 != .null }))
    }
}
