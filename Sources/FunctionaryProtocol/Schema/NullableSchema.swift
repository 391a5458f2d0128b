/// OpenAPI's `"nullable": true` written as plain JSON Schema, for consumers that know only JSON Schema
/// (llama.cpp's `json_schema_to_grammar` ignores `nullable`, so a nullable field could never be `null`).
public enum NullableSchema {
    /// Keys whose value is a subschema or an array of subschemas.
    private static let schemaKeys: Set<String> = [
        "items", "additionalProperties", "additionalItems", "contains", "not", "if", "then", "else",
        "propertyNames", "unevaluatedProperties", "unevaluatedItems", "anyOf", "oneOf", "allOf", "prefixItems",
    ]
    /// Keys whose value maps names to subschemas.
    private static let schemaMapKeys: Set<String> = ["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"]

    /// `schema` with every subschema that says `"nullable": true` rewritten as
    /// `{"anyOf": [the subschema without nullable, {"type": "null"}]}` (definitions stay at the top, so
    /// that `$ref`s keep resolving); `"nullable": false` is dropped. Anything else is kept as it is.
    public static func expanded(_ schema: JSONValue) -> JSONValue {
        guard case .object(let object) = schema else { return schema }
        var result = JSONObject()
        for (key, value) in object {
            switch key {
            case _ where schemaKeys.contains(key):
                if case .array(let items) = value { result[key] = .array(items.map(expanded)) } else { result[key] = expanded(value) }
            case _ where schemaMapKeys.contains(key):
                if case .object(let members) = value {
                    result[key] = .object(JSONObject(members.map { ($0.key, expanded($0.value)) }))
                } else {
                    result[key] = value
                }
            default:
                result[key] = value
            }
        }
        guard let nullable = result["nullable"] else { return .object(result) }
        result["nullable"] = nil
        guard nullable == .bool(true), result["type"] != .string("null") else { return .object(result) }
        var wrapper = JSONObject()
        for key in ["$defs", "definitions"] {
            if let definitions = result[key] {
                wrapper[key] = definitions
                result[key] = nil
            }
        }
        wrapper["anyOf"] = .array([.object(result), ["type": "null"]])
        return .object(wrapper)
    }
}
