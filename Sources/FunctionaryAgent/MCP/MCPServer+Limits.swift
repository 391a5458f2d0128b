import Foundation
import FunctionaryProtocol
import MCP

extension MCPServer {
    /// What an MCP server may cost this process. A server is code we run (stdio) or talk to (HTTP) but do not trust:
    /// its tool list, schemas and results are bounded like a client's request to `functionary serve`.
    public struct Limits: Sendable, Hashable {
        /// Most tools one server may list (`--mcp-max-tools`); a server that lists more is refused.
        public var maxTools: Int
        /// Most `tools/list` pages; a server that goes on paginating (or repeats a cursor) is refused.
        public var maxListPages: Int
        /// Time allowed for listing all tools.
        public var listTimeout: Duration
        /// Characters of a tool result kept in the history: the head and tail, the middle replaced by
        /// `[... N characters omitted ...]`, as the code interpreter does.
        public var maxResultCharacters: Int
        /// Bytes of one message from a stdio server; a longer one is skipped as it is read (never held in memory)
        /// and its request fails with an error saying how long it was.
        public var maxMessageBytes: Int
        /// Characters of a tool's description; longer descriptions are cut.
        public var maxDescriptionCharacters: Int
        /// The tools' JSON Schemas, as a request's `tools` are checked (`SchemaLimits`, shared budget per server).
        public var schema: SchemaLimits
        /// After SIGTERM, how long a stopped stdio server has before its process group gets SIGKILL.
        public var stopGrace: Duration

        public init(
            maxTools: Int = 128, maxListPages: Int = 16, listTimeout: Duration = .seconds(30), maxResultCharacters: Int = 20_000,
            maxMessageBytes: Int = 8 << 20, maxDescriptionCharacters: Int = 4096, schema: SchemaLimits = SchemaLimits(),
            stopGrace: Duration = .seconds(2)
        ) {
            self.maxTools = maxTools
            self.maxListPages = maxListPages
            self.listTimeout = listTimeout
            self.maxResultCharacters = maxResultCharacters
            self.maxMessageBytes = maxMessageBytes
            self.maxDescriptionCharacters = maxDescriptionCharacters
            self.schema = schema
            self.stopGrace = stopGrace
        }
    }

    /// The variables a stdio server inherits by default: the MCP SDKs' default list (`HOME`, `LOGNAME`, `PATH`,
    /// `SHELL`, `TERM`, `USER`) plus the locale, `TMPDIR` and `TZ`. Everything else (API keys, cloud credentials,
    /// `FUNCTIONARY_API_KEY`) stays out unless named in `environment` (`--mcp-env NAME`).
    public static let inheritedEnvironment = [
        "HOME", "LOGNAME", "PATH", "SHELL", "TERM", "USER", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TZ",
    ]

    /// The environment of a stdio server: the inherited allowlist and `extra` taken from `parent`; an entry
    /// `NAME=VALUE` in `extra` sets the variable.
    public static func serverEnvironment(parent: [String: String], extra: [String]) -> [String: String] {
        var out: [String: String] = [:]
        for name in inheritedEnvironment { if let value = parent[name] { out[name] = value } }
        for entry in extra {
            if let equals = entry.firstIndex(of: "=") {
                out[String(entry[..<equals])] = String(entry[entry.index(after: equals)...])
            } else if let value = parent[entry] {
                out[entry] = value
            }
        }
        return out
    }

    /// Names a tool may have: what OpenAI accepts for function names (`^[a-zA-Z0-9_-]{1,64}$`), which also keeps
    /// prompts and grammars free of quotes, newlines and template syntax.
    static func isValidToolName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 64
            && name.utf8.allSatisfy {
                ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5a) || ($0 >= 0x61 && $0 <= 0x7a) || $0 == 0x5f || $0 == 0x2d
            }
    }

    /// The server's tools that may be offered, and a warning for each one skipped. Bad tools are skipped (the
    /// others stay usable): a name that is not `^[a-zA-Z0-9_-]{1,64}$` (also after the clash prefix), a duplicate, a
    /// schema that is not an object schema or is over the schema limits (one byte budget for the whole server).
    /// Descriptions lose control characters and are cut to `maxDescriptionCharacters`.
    static func screen(
        _ tools: [MCP.Tool], server: String, prefix: String, taken: Set<String>, limits: Limits
    ) -> (tools: [(offered: String, name: String, description: String, schema: JSONValue)], warnings: [String]) {
        var kept: [(offered: String, name: String, description: String, schema: JSONValue)] = []
        var warnings: [String] = []
        var seen = Set<String>()
        var used = taken
        var budget = 0
        for tool in tools {
            let shown = String(tool.name.unicodeScalars.prefix(80).map { $0.properties.generalCategory == .control ? "?" : Character($0) })
            func skip(_ why: String) { warnings.append("MCP server '\(server)': tool '\(shown)' skipped: \(why)") }
            guard isValidToolName(tool.name) else {
                skip("its name is not 1 to 64 letters, digits, '_' or '-'")
                continue
            }
            guard seen.insert(tool.name).inserted else {
                skip("the server lists the name twice")
                continue
            }
            let offered = taken.contains(tool.name) ? "\(prefix)_\(tool.name)" : tool.name
            guard isValidToolName(offered), !used.contains(offered) else {
                skip("its name is taken and '\(offered)' is not a valid or free name either")
                continue
            }
            let schema = json(tool.inputSchema)
            guard case .object(let object) = schema, object["type"] == nil || object["type"] == .string("object") else {
                skip("its input schema is not a JSON Schema of type object")
                continue
            }
            var walk = limits.schema
            walk.maxBytes = max(0, limits.schema.maxBytes - budget)
            do {
                try walk.check(schema, name: "\(tool.name).inputSchema")
            } catch {
                skip("\(error) (the schemas of one server share a budget of \(limits.schema.maxBytes) bytes)")
                continue
            }
            budget += schemaBytes(schema)
            used.insert(offered)
            kept.append((offered, tool.name, cleanDescription(tool.description ?? "", limit: limits.maxDescriptionCharacters), schema))
        }
        return (kept, warnings)
    }

    /// Compact JSON size of a schema that passed the limits (so it is small enough to encode).
    private static func schemaBytes(_ schema: JSONValue) -> Int {
        (try? JSONEncoder().encode(schema).count) ?? 0
    }

    /// A description without control characters (newlines and tabs kept), at most `limit` characters.
    static func cleanDescription(_ text: String, limit: Int) -> String {
        var out = String.UnicodeScalarView()
        var count = 0
        for scalar in text.unicodeScalars {
            if count >= limit {
                out.append(contentsOf: " […]".unicodeScalars)
                break
            }
            let control = scalar.properties.generalCategory == .control && scalar != "\n" && scalar != "\t"
            out.append(control ? " " : scalar)
            count += 1
        }
        return String(out)
    }

    /// Text cut to `limit` characters: the first three quarters and the last quarter kept, with a marker between.
    static func shorten(_ text: String, limit: Int) -> String {
        let count = text.count
        guard count > limit else { return text }
        let head = text.prefix(limit * 3 / 4)
        let tail = text.suffix(limit / 4)
        return "\(head)\n[... \(count - head.count - tail.count) characters omitted ...]\n\(tail)"
    }
}
