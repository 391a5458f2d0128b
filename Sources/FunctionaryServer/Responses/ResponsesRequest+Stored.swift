import FunctionaryProtocol

/// What a Responses request may leave in the store: `metadata` within OpenAI's limits, and input items and
/// `text.format` reduced to the members this server reads (unknown members are dropped, not stored or echoed).
extension ResponsesRequest {
    /// OpenAI's limits on `metadata`: pairs, key length and value length (in characters, counted as Unicode scalars).
    static let maxMetadataPairs = 16
    static let maxMetadataKeyLength = 64
    static let maxMetadataValueLength = 512

    /// `metadata`: an object of at most 16 string values, keys of at most 64 characters, values of at most 512.
    /// - Throws: 400 naming the field and the limit.
    static func checkedMetadata(_ body: JSONFields) throws(OpenAIError) -> JSONValue {
        guard let metadata = body.value("metadata") else { return .object([:]) }
        guard case .object(let object) = metadata else { throw JSONFields.wrongType("metadata", expected: "an object", got: metadata) }
        if object.count > maxMetadataPairs {
            throw OpenAIError.badRequest(
                "Invalid 'metadata': \(object.count) key-value pairs, the maximum is \(maxMetadataPairs).", param: "metadata",
                code: "invalid_value")
        }
        for (key, value) in object {
            let keyLength = key.unicodeScalars.count
            if keyLength > maxMetadataKeyLength {
                throw OpenAIError.badRequest(
                    "Invalid 'metadata': a key of \(keyLength) characters, the maximum is \(maxMetadataKeyLength).", param: "metadata",
                    code: "invalid_value")
            }
            guard case .string(let text) = value else {
                throw JSONFields.wrongType("metadata.\(key.prefix(maxMetadataKeyLength))", expected: "a string", got: value)
            }
            let valueLength = text.unicodeScalars.count
            if valueLength > maxMetadataValueLength {
                throw OpenAIError.badRequest(
                    "Invalid 'metadata.\(key)': a value of \(valueLength) characters, the maximum is \(maxMetadataValueLength).",
                    param: "metadata.\(key)", code: "invalid_value")
            }
        }
        return metadata
    }

    /// The members an input item keeps in the store (and `/input_items`), by its type: unknown ones are dropped.
    static let storedMembers: [String: [String]] = [
        "message": ["id", "type", "role", "content", "status"],
        "function_call": ["id", "type", "call_id", "name", "arguments", "status"],
        "function_call_output": ["id", "type", "call_id", "output", "status"],
    ]

    /// An input item as it is stored: its known members only, `id` and `status` only as strings, content parts
    /// reduced to their type and text.
    static func storedItem(_ entry: JSONObject, type: String) -> JSONValue {
        var kept = JSONObject()
        for key in storedMembers[type] ?? [] {
            guard let value = entry[key] else { continue }
            switch (key, value) {
            case ("id", .string), ("status", .string), ("type", _), ("role", _), ("call_id", _), ("name", _), ("arguments", _):
                kept[key] = value
            case ("content", .array(let parts)), ("output", .array(let parts)):
                kept[key] = .array(parts.map(storedPart))
            case ("content", _), ("output", _):
                kept[key] = value
            default:
                continue
            }
        }
        return .object(kept)
    }

    /// A content part as it is stored: `type` and `text` (or `refusal`).
    static func storedPart(_ part: JSONValue) -> JSONValue {
        guard case .object(let object) = part else { return part }
        var kept = JSONObject()
        for key in ["type", "text", "refusal"] {
            if let value = object[key] { kept[key] = value }
        }
        return .object(kept)
    }

    /// `text.format` of type `json_schema` as it is echoed and stored: `type`, `name`, `schema`, `strict` and
    /// `description` only.
    static func storedFormat(_ format: JSONObject) -> JSONValue {
        var kept = JSONObject()
        for key in ["type", "name", "schema", "strict", "description"] {
            if let value = format[key] { kept[key] = value }
        }
        return .object(kept)
    }
}
