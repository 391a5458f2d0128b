import FunctionaryProtocol

/// Every limit a request must stay under, in one place. Each is checked before the work it protects (parsing,
/// prompt rendering, grammar construction, generation), and a request over one gets a 400 (413 for the body
/// size) whose message names the limit, its flag and the value. The "Limits" table of docs/security.md lists them.
public struct RequestLimits: Sendable, Hashable {
    /// Nesting of objects and arrays in a request body (`--max-json-depth`).
    public var maxJSONDepth: Int = 64
    /// Object keys in a whole request body (`--max-json-keys`).
    public var maxJSONKeys: Int = 100_000
    /// Array elements in a whole request body, all arrays together (`--max-json-array-elements`).
    public var maxJSONArrayElements: Int = 100_000
    /// Entries of `tools` (plus legacy `functions`) (`--max-tools`).
    public var maxTools: Int = 128
    /// The tools' and `response_format`'s JSON Schemas after `$ref` inlining: bytes (`--max-schema-bytes`), nesting
    /// depth (`--max-schema-depth`) and `$ref` hops along one path (`--max-ref-hops`).
    public var schema = SchemaLimits()
    /// Entries of `stop` (`--max-stop`).
    public var maxStopStrings: Int = 16
    /// Bytes of one stop string (`--max-stop-length`).
    public var maxStopBytes: Int = 1024

    public init() {}
}

/// Why a request was refused by a limit: which limit, the flag that sets it, the value seen and the maximum.
struct LimitViolation: Error, Sendable {
    var what: String
    var flag: String
    /// What the request has, as text (`"more than 64"` when counting stopped at the limit).
    var value: String
    var maximum: Int
    var param: String?

    var error: OpenAIError {
        .badRequest(
            "The request exceeds the server's limit on \(what): \(value), the maximum is \(maximum) (\(flag)).", param: param,
            code: "limit_exceeded")
    }
}

extension RequestLimits {
    /// The checks that need only the decoded request (before rendering or building a grammar).
    func check(tools: [Tool]?, functions: [FunctionDefinition]?, responseSchema: JSONValue?, stop: [String]?) throws(OpenAIError) {
        let toolCount = (tools?.count ?? 0) + (functions?.count ?? 0)
        if toolCount > maxTools {
            throw LimitViolation(what: "the number of tools", flag: "--max-tools", value: String(toolCount), maximum: maxTools, param: "tools")
                .error
        }
        try checkStop(stop)
        var schemas: [(name: String, schema: JSONValue)] = []
        for (index, tool) in (tools ?? []).enumerated() {
            if let parameters = tool.function?.parameters { schemas.append(("tools[\(index)].function.parameters", parameters)) }
        }
        for (index, function) in (functions ?? []).enumerated() {
            if let parameters = function.parameters { schemas.append(("functions[\(index)].parameters", parameters)) }
        }
        if let responseSchema { schemas.append(("response_format.json_schema.schema", responseSchema)) }
        do {
            try schema.check(schemas)
        } catch {
            let flag: String
            let maximum: Int
            switch error.limit {
            case .bytes: (flag, maximum) = ("--max-schema-bytes", schema.maxBytes)
            case .depth: (flag, maximum) = ("--max-schema-depth", schema.maxDepth)
            case .refHops: (flag, maximum) = ("--max-ref-hops", schema.maxRefHops)
            }
            throw LimitViolation(
                what: "\(error.limit.rawValue) in '\(error.schema)'", flag: flag, value: "more than \(maximum)", maximum: maximum,
                param: error.schema
            ).error
        }
    }

    /// `stop`: how many strings and how long each may be.
    func checkStop(_ stop: [String]?) throws(OpenAIError) {
        guard let stop else { return }
        if stop.count > maxStopStrings {
            throw LimitViolation(
                what: "the number of stop strings", flag: "--max-stop", value: String(stop.count), maximum: maxStopStrings, param: "stop"
            ).error
        }
        for (index, string) in stop.enumerated() where string.utf8.count > maxStopBytes {
            throw LimitViolation(
                what: "the length of a stop string in bytes", flag: "--max-stop-length", value: String(string.utf8.count),
                maximum: maxStopBytes, param: "stop[\(index)]"
            ).error
        }
    }

    /// `max_tokens` (or its spellings) against the context: more can never be generated.
    static func checkMaxTokens(_ maxTokens: Int?, field: String, contextSize: Int) throws(OpenAIError) {
        guard let maxTokens, contextSize > 0, maxTokens > contextSize else { return }
        throw OpenAIError.badRequest(
            "Invalid value for '\(field)': \(maxTokens); it must be at most the model's context length of \(contextSize) tokens.",
            param: field, code: "context_length_exceeded")
    }
}
