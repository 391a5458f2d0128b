import FunctionaryProtocol

/// Typed reads of a request object's members with 400s that name the field, for the APIs whose bodies are
/// read as JSON values (Responses, Messages) rather than decoded into a Codable type.
struct JSONFields {
    let object: JSONObject
    /// The path of `object` in the request (`""` for the body, `input[2]` for an item).
    let path: String

    init(_ object: JSONObject, path: String = "") {
        self.object = object
        self.path = path
    }

    /// Reads `value` as an object, or throws a 400 naming `path`.
    init(_ value: JSONValue, path: String) throws(OpenAIError) {
        guard case .object(let object) = value else {
            throw Self.wrongType(path, expected: "an object", got: value)
        }
        self.init(object, path: path)
    }

    func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The member, nil when absent or null.
    func value(_ key: String) -> JSONValue? {
        guard let value = object[key], value != .null else { return nil }
        return value
    }

    func string(_ key: String) throws(OpenAIError) -> String? {
        guard let value = value(key) else { return nil }
        guard case .string(let s) = value else { throw Self.wrongType(name(key), expected: "a string", got: value) }
        return s
    }

    func requiredString(_ key: String) throws(OpenAIError) -> String {
        guard let s = try string(key) else { throw Self.missing(name(key)) }
        return s
    }

    func bool(_ key: String) throws(OpenAIError) -> Bool? {
        guard let value = value(key) else { return nil }
        guard case .bool(let b) = value else { throw Self.wrongType(name(key), expected: "a boolean", got: value) }
        return b
    }

    func double(_ key: String) throws(OpenAIError) -> Double? {
        guard let value = value(key) else { return nil }
        guard case .number(let n) = value, n.doubleValue.isFinite else {
            throw Self.wrongType(name(key), expected: "a number", got: value)
        }
        return n.doubleValue
    }

    /// An integer member; a number that is not an integer, or one beyond `Int`, is a 400.
    func int(_ key: String) throws(OpenAIError) -> Int? {
        guard let value = value(key) else { return nil }
        guard case .number(let n) = value, let i = n.intValue else {
            throw Self.wrongType(name(key), expected: "an integer", got: value)
        }
        return i
    }

    func array(_ key: String) throws(OpenAIError) -> [JSONValue]? {
        guard let value = value(key) else { return nil }
        guard case .array(let a) = value else { throw Self.wrongType(name(key), expected: "an array", got: value) }
        return a
    }

    func objectMember(_ key: String) throws(OpenAIError) -> JSONFields? {
        guard let value = value(key) else { return nil }
        return try JSONFields(value, path: name(key))
    }

    static func wrongType(_ field: String, expected: String, got value: JSONValue) -> OpenAIError {
        .badRequest("Invalid type for '\(field)': expected \(expected), but got \(value.typeName).", param: field, code: "invalid_type")
    }

    static func missing(_ field: String) -> OpenAIError {
        .badRequest("Missing required parameter: '\(field)'.", param: field, code: "missing_required_parameter")
    }

    static func unsupported(_ field: String, _ detail: String) -> OpenAIError {
        .badRequest("Unsupported value for '\(field)': \(detail)", param: field, code: "unsupported_value")
    }

    /// Parses a request body as a JSON object (400 for anything else), within the JSON depth and key limits.
    static func body(_ bytes: [UInt8], limits: RequestLimits) throws(OpenAIError) -> JSONFields {
        JSONFields(try RequestJSON.parseObject(bytes, limits: limits))
    }
}

/// Random ids in the APIs' styles (`resp_…`, `msg_…`, `toolu_…`).
enum APIIdentifier {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")

    static func make(_ prefix: String, length: Int = 24) -> String {
        var generator = SystemRandomNumberGenerator()
        var id = prefix
        for _ in 0..<length { id.append(alphabet.randomElement(using: &generator) ?? "0") }
        return id
    }
}
