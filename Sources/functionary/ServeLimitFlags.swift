import ArgumentParser
import Foundation
import FunctionaryEngine
import FunctionaryServer

/// `functionary serve` flags for API keys, request limits, connection timeouts and grammar budgets (docs/security.md,
/// "Limits" and "Security").
struct ServeLimitFlags: ParsableArguments {
    /// The libraries' defaults, which the flags' defaults are.
    private static let server = ServerConfiguration(servedModelNames: [])
    private static let engine = EngineConfiguration()

    @Option(help: "A file holding API keys, one per line (blank lines and lines starting with # are skipped).")
    var apiKeyFile: String?

    @Flag(help: "With API keys, require a key for /metrics too (open by default).")
    var protectMetrics = false

    @Option(help: "Deepest nesting of objects and arrays in a request body.")
    var maxJsonDepth = Self.server.limits.maxJSONDepth

    @Option(help: "Most object keys in a request body.")
    var maxJsonKeys = Self.server.limits.maxJSONKeys

    @Option(help: "Most array elements in a request body (all arrays together).")
    var maxJsonArrayElements = Self.server.limits.maxJSONArrayElements

    @Option(help: "Most tools (or legacy functions) in a request.")
    var maxTools = Self.server.limits.maxTools

    @Option(help: "Most bytes of a request's JSON Schemas (tools and response_format together) after $ref inlining.")
    var maxSchemaBytes = Self.server.limits.schema.maxBytes

    @Option(help: "Deepest nesting of a JSON Schema after $ref inlining.")
    var maxSchemaDepth = Self.server.limits.schema.maxDepth

    @Option(help: "Most $ref hops followed along one path of a JSON Schema.")
    var maxRefHops = Self.server.limits.schema.maxRefHops

    @Option(help: "Most stop strings in a request.")
    var maxStop = Self.server.limits.maxStopStrings

    @Option(help: "Longest stop string, in bytes.")
    var maxStopLength = Self.server.limits.maxStopBytes

    @Option(help: "Largest grammar (GBNF bytes) one request may use.")
    var maxGrammarBytes = Self.engine.maxGrammarBytes

    @Option(help: "Most milliseconds a grammar may take for one token before its request ends with an error.")
    var maxGrammarMsPerToken = Self.engine.grammarTimePerToken.inMilliseconds

    @Option(
        help:
            "Most milliseconds of grammar work one request may take in all (every choice of n, and the forced text of jump-forward) before it ends with an error."
    )
    var maxGrammarMsPerRequest = Self.engine.grammarTimePerRequest.inMilliseconds

    @Option(help: "Seconds a connection may stay idle between requests.")
    var idleTimeout = Self.server.timeouts.idle.inSeconds

    @Option(help: "Seconds a new connection has to send its first request's headers.")
    var headerTimeout = Self.server.timeouts.header.inSeconds

    @Option(help: "Seconds a request has to send its whole body.")
    var bodyTimeout = Self.server.timeouts.body.inSeconds

    @Option(help: "Seconds a client may accept none of a response (e.g. stop reading a stream) before it is disconnected.")
    var writeTimeout = Self.server.timeouts.write.inSeconds

    @Option(help: "Bytes of a streamed response that may wait for a slow client; beyond that it is disconnected and its generation cancelled.")
    var maxStreamBuffer = Self.server.maxStreamBuffer

    func validate() throws {
        let positive: [(String, Int)] = [
            ("--max-json-depth", maxJsonDepth), ("--max-json-keys", maxJsonKeys),
            ("--max-json-array-elements", maxJsonArrayElements), ("--max-tools", maxTools),
            ("--max-schema-bytes", maxSchemaBytes), ("--max-schema-depth", maxSchemaDepth), ("--max-ref-hops", maxRefHops),
            ("--max-stop", maxStop), ("--max-stop-length", maxStopLength), ("--max-grammar-ms-per-token", maxGrammarMsPerToken),
            ("--max-grammar-ms-per-request", maxGrammarMsPerRequest),
        ]
        for (flag, value) in positive where value < 1 { throw ValidationError("\(flag) must be at least 1.") }
        if maxGrammarMsPerToken > 3_600_000 || maxGrammarMsPerRequest > 3_600_000 {
            throw ValidationError("--max-grammar-ms-per-token and --max-grammar-ms-per-request must be at most 3600000 (an hour).")
        }
        if maxGrammarBytes < 1024 { throw ValidationError("--max-grammar-bytes must be at least 1024.") }
        if maxStreamBuffer < 4096 { throw ValidationError("--max-stream-buffer must be at least 4096.") }
        for (flag, value) in [
            ("--idle-timeout", idleTimeout), ("--header-timeout", headerTimeout), ("--body-timeout", bodyTimeout),
            ("--write-timeout", writeTimeout),
        ] where !(value > 0 && value <= 86_400) {
            throw ValidationError("\(flag) must be between 0 and 86400 seconds.")
        }
    }

    /// The API keys from `$FUNCTIONARY_API_KEY` and `--api-key-file` (command lines are visible in `ps`).
    /// - Throws: `ValidationError` when the file cannot be read or holds no key.
    func keysFromEnvironmentAndFile() throws -> [String] {
        var keys: [String] = []
        if let key = ProcessInfo.processInfo.environment["FUNCTIONARY_API_KEY"]?.trimmingCharacters(in: .whitespacesAndNewlines),
            !key.isEmpty
        {
            keys.append(key)
        }
        if let apiKeyFile {
            guard let text = try? String(contentsOfFile: apiKeyFile, encoding: .utf8) else {
                throw ValidationError("--api-key-file: cannot read \(apiKeyFile).")
            }
            let fileKeys = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty && !$0.hasPrefix("#") }
            if fileKeys.isEmpty { throw ValidationError("--api-key-file: \(apiKeyFile) holds no key.") }
            keys += fileKeys
        }
        return keys
    }

    func apply(to configuration: inout ServerConfiguration) throws {
        configuration.apiKeys = try keysFromEnvironmentAndFile()
        configuration.protectMetrics = protectMetrics
        configuration.limits.maxJSONDepth = maxJsonDepth
        configuration.limits.maxJSONKeys = maxJsonKeys
        configuration.limits.maxJSONArrayElements = maxJsonArrayElements
        configuration.limits.maxTools = maxTools
        configuration.limits.schema.maxBytes = maxSchemaBytes
        configuration.limits.schema.maxDepth = maxSchemaDepth
        configuration.limits.schema.maxRefHops = maxRefHops
        configuration.limits.maxStopStrings = maxStop
        configuration.limits.maxStopBytes = maxStopLength
        configuration.timeouts.idle = .milliseconds(Int64(idleTimeout * 1000))
        configuration.timeouts.header = .milliseconds(Int64(headerTimeout * 1000))
        configuration.timeouts.body = .milliseconds(Int64(bodyTimeout * 1000))
        configuration.timeouts.write = .milliseconds(Int64(writeTimeout * 1000))
        configuration.maxStreamBuffer = maxStreamBuffer
    }

    func apply(to configuration: inout EngineConfiguration) {
        configuration.maxGrammarBytes = maxGrammarBytes
        configuration.grammarTimePerToken = .milliseconds(maxGrammarMsPerToken)
        configuration.grammarTimePerRequest = .milliseconds(maxGrammarMsPerRequest)
    }
}
