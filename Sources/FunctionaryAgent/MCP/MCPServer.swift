import Foundation
import FunctionaryProtocol
import Logging
import MCP
import Synchronization
import SystemPackage

/// The tools of an MCP server, spoken to with the official Swift SDK: a child process over stdio, or a running
/// server over streamable HTTP (`init(url:)`).
///
/// `start()` launches the command (or connects), initializes the session and lists the server's tools; each becomes
/// an `AgentTool` whose calls go to the server (`tools/call`) and whose result is the text of the returned content.
/// A stdio server that exits is started again on the next call (once); an HTTP session that fails is opened again
/// and the call retried (once); when that fails too, the call's result says so.
///
/// ```swift
/// let time = MCPServer(command: "python", arguments: ["-m", "mcp_server_time", "--local-timezone", "UTC"])
/// for tool in try await time.start() { conversation.register(tool) }
/// ```
public actor MCPServer {
    /// The command line as given.
    public nonisolated let command: String
    public nonisolated let arguments: [String]
    /// The endpoint of a streamable-HTTP server (nil for a stdio server).
    public nonisolated let url: URL?
    /// The name its tools are prefixed with when they clash with others (the server's own name once known).
    public private(set) var name: String
    /// What the server may cost (tools, pages, result and message sizes, the stop deadline).
    public nonisolated let limits: Limits
    /// The environment a stdio server starts with (`inheritedEnvironment` plus what was asked for).
    public nonisolated let environment: [String: String]
    /// Why tools of the server were skipped (bad names, schemas over the limits), one line each, after `start()`.
    public private(set) var warnings: [String] = []
    private var child: MCPChildProcess?
    private var client: Client?
    private var startTimeout: Duration

    /// - Parameters:
    ///   - environment: variables to pass besides `inheritedEnvironment`: a name takes the value of this process's
    ///     variable, `NAME=VALUE` sets one.
    public init(
        command: String, arguments: [String] = [], environment: [String] = [], limits: Limits = Limits(),
        startTimeout: Duration = .seconds(30)
    ) {
        self.command = command
        self.arguments = arguments
        self.url = nil
        self.name = URL(fileURLWithPath: command).lastPathComponent
        self.startTimeout = startTimeout
        self.limits = limits
        self.environment = Self.serverEnvironment(parent: ProcessInfo.processInfo.environment, extra: environment)
    }

    /// A server already running behind a streamable-HTTP endpoint such as `http://127.0.0.1:8000/mcp`.
    public init(url: URL, limits: Limits = Limits(), startTimeout: Duration = .seconds(30)) {
        self.command = url.absoluteString
        self.arguments = []
        self.url = url
        self.name = url.host ?? "mcp"
        self.startTimeout = startTimeout
        self.limits = limits
        self.environment = [:]
    }

    /// Parses a command line such as `python -m mcp_server_time --local-timezone UTC` (split on spaces;
    /// single or double quotes keep spaces inside an argument).
    public init(commandLine: String, environment: [String] = [], limits: Limits = Limits()) throws {
        let words = try Self.split(commandLine)
        guard let first = words.first else { throw AgentError(.mcp, "empty MCP server command") }
        self.init(command: first, arguments: Array(words.dropFirst()), environment: environment, limits: limits)
    }

    /// Starts the server and returns its tools as agent tools. Tools that fail the checks of `screen` are skipped
    /// (see `warnings`).
    /// - Parameter taken: names already offered to the model; a tool whose name is among them is offered as
    ///   `<server name>_<tool name>` (its calls still reach the server under its own name).
    /// - Throws: `AgentError(.mcp)` when the server cannot start, lists more than `limits.maxTools` tools, paginates
    ///   past `limits.maxListPages` pages or repeats a cursor, or does not finish listing within `limits.listTimeout`.
    public func start(avoiding taken: Set<String> = []) async throws -> [AgentTool] {
        try await connect()
        guard let client else { throw AgentError(.mcp, "MCP server \(command) is not connected") }
        let tools = try await listTools(client)
        let prefix = String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" }.prefix(24))
        let screened = Self.screen(tools, server: name, prefix: prefix, taken: taken, limits: limits)
        warnings = screened.warnings
        return screened.tools.map { tool in
            let toolName = tool.name
            return AgentTool(name: tool.offered, description: tool.description, parameters: tool.schema) { [self] arguments in
                try await self.call(toolName, arguments: arguments)
            }
        }
    }

    /// All pages of `tools/list`, within the limits on pages, tools, cursors and time.
    private func listTools(_ client: Client) async throws -> [MCP.Tool] {
        let limits = self.limits
        let server = name
        let child = self.child
        let listing: @Sendable () async throws -> [MCP.Tool] = {
            var tools: [MCP.Tool] = []
            var cursor: String?
            var cursors = Set<String>()
            var pages = 0
            repeat {
                if pages >= limits.maxListPages {
                    throw AgentError(
                        .mcp,
                        "the MCP server '\(server)' was still paginating its tool list after \(pages) pages (the limit is \(limits.maxListPages))")
                }
                let page = try await client.listTools(cursor: cursor)
                pages += 1
                tools += page.tools
                if tools.count > limits.maxTools {
                    throw AgentError(
                        .mcp, "the MCP server '\(server)' lists more than \(limits.maxTools) tools (the limit on tools per server, --mcp-max-tools)")
                }
                cursor = page.nextCursor
                if let next = cursor, !cursors.insert(next).inserted {
                    throw AgentError(.mcp, "the MCP server '\(server)' repeated the tool-list cursor '\(next.prefix(80))' (page \(pages))")
                }
            } while cursor != nil
            return tools
        }
        do {
            return try await Self.bounded(timeout: limits.listTimeout, child: child, listing)
        } catch let error as AgentError {
            await stop()
            throw AgentError(
                .mcp, error.code == .timeout ? "the MCP server '\(server)' did not list its tools within \(limits.listTimeout)" : error.message)
        } catch {
            await stop()
            throw AgentError(.mcp, "the MCP server '\(server)' did not list its tools: \(error)")
        }
    }

    /// Calls a tool; the result is the text of its content (images and other blobs are described, not inlined).
    /// A server that exited is restarted once.
    public func call(_ tool: String, arguments: JSONValue) async throws -> String {
        if url != nil { return try await callOverHTTP(tool, arguments: arguments) }
        if child?.isRunning != true {
            try await restart(failure: "the MCP server '\(name)' exited and could not be restarted")
        }
        guard let client else { throw ToolError("the MCP server '\(name)' is not connected") }
        do {
            return try await boundedCall(client, tool, arguments: arguments)
        } catch let error as AgentError where error.code == .mcp {
            throw ToolError("the MCP server '\(name)' \(error.message)")
        }
    }

    /// An HTTP call; a failure of the session (not of the tool) opens a new session and tries once more.
    private func callOverHTTP(_ tool: String, arguments: JSONValue) async throws -> String {
        if let client {
            do {
                return try await boundedCall(client, tool, arguments: arguments)
            } catch let error as ToolError {
                throw error
            } catch {
                // A failure of the session: a new one is tried below.
            }
        }
        try await restart(failure: "the MCP server at \(command) could not be reached")
        guard let client else { throw ToolError("the MCP server at \(command) is not connected") }
        return try await Self.call(client, tool, arguments: arguments, limits: limits)
    }

    /// Ends what is left of the session and the server, and connects again; a failure is a `ToolError`: `failure`,
    /// then the reason.
    private func restart(failure: String) async throws {
        await stop()
        do {
            try await connect()
        } catch {
            throw ToolError("\(failure): \(error)")
        }
    }

    /// One `tools/call`, bounded as every request to the server is (a stdio server's exit ends it).
    private func boundedCall(_ client: Client, _ tool: String, arguments: JSONValue) async throws -> String {
        let limits = self.limits
        return try await Self.bounded(timeout: nil, child: child) {
            try await Self.call(client, tool, arguments: arguments, limits: limits)
        }
    }

    /// One `tools/call`; the text is cut to `limits.maxResultCharacters` (head and tail kept, with a marker).
    private static func call(_ client: Client, _ tool: String, arguments: JSONValue, limits: Limits) async throws -> String {
        var values: [String: Value] = [:]
        if case .object(let object) = arguments {
            for (key, value) in object { values[key] = Self.value(value) }
        }
        let result = try await client.callTool(name: tool, arguments: values)
        let text = shorten(result.content.map(Self.text).joined(separator: "\n"), limit: limits.maxResultCharacters)
        if result.isError == true { throw ToolError(text.isEmpty ? "the tool \(tool) failed" : text) }
        return text
    }

    /// Ends the session and the server: SIGTERM to its process group, SIGKILL to the group after `limits.stopGrace`.
    public func stop() async {
        await client?.disconnect()
        client = nil
        if let child {
            self.child = nil
            await child.stop(grace: limits.stopGrace)
        }
    }

    private func connect() async throws {
        if let url {
            try await connectHTTP(url)
            return
        }
        // A server that exits leaves a pipe without reader: writing to it must fail with EPIPE, not kill this process.
        signal(SIGPIPE, SIG_IGN)
        let child: MCPChildProcess
        do {
            child = try MCPChildProcess.spawn([command] + arguments, environment: environment)
        } catch {
            throw AgentError(.mcp, "could not start the MCP server '\(([command] + arguments).joined(separator: " "))': \(error)")
        }
        self.child = child
        let transport = MCPStdioTransport(child: child, maxMessageBytes: limits.maxMessageBytes)
        let client = Client(name: "functionary", version: "1.0")
        let result: Initialize.Result
        do {
            result = try await Self.bounded(timeout: startTimeout, child: child) { try await client.connect(transport: transport) }
        } catch {
            await client.disconnect()
            self.child = nil
            await child.stop(grace: .zero)
            let why = (error as? AgentError)?.code == .timeout ? "it did not answer within \(startTimeout)" : "\(error)"
            throw AgentError(.mcp, "the MCP server '\(command)' failed to start: \(why)")
        }
        if !result.serverInfo.name.isEmpty { name = result.serverInfo.name }
        self.client = client
    }

    private func connectHTTP(_ url: URL) async throws {
        // Plain POST requests (JSON or an event stream in answer), no standing GET stream: tool calls need no
        // server-initiated messages.
        let transport = HTTPClientTransport(endpoint: url, streaming: false)
        let client = Client(name: "functionary", version: "1.0")
        let result: Initialize.Result
        do {
            result = try await Self.bounded(timeout: startTimeout, child: nil) { try await client.connect(transport: transport) }
        } catch {
            throw AgentError(.mcp, "the MCP server at \(url.absoluteString) did not start a session: \(error)")
        }
        if !result.serverInfo.name.isEmpty { name = result.serverInfo.name }
        self.client = client
    }

    /// Runs an SDK request, raced against the server's exit (a stdio server's process), a timeout and the caller's
    /// cancellation. The SDK's requests do not end when the server dies or the task is cancelled, so the request runs
    /// in a task of its own that is abandoned then (the server is stopped or restarted later, which ends it).
    static func bounded<T: Sendable>(
        timeout: Duration?, child: MCPChildProcess?, _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let outcome = Mutex<Result<T, any Error>?>(nil)
        let running = Task {
            let result: Result<T, any Error>
            do { result = .success(try await operation()) } catch { result = .failure(error) }
            outcome.withLock { if $0 == nil { $0 = result } }
        }
        let deadline = timeout.map { ContinuousClock.now + $0 }
        while true {
            if let result = outcome.withLock({ $0 }) { return try result.get() }
            if let child, !child.isRunning {
                running.cancel()
                throw AgentError(.mcp, "exited before answering")
            }
            if let deadline, let timeout, ContinuousClock.now >= deadline {
                running.cancel()
                throw AgentError(.timeout, "did not answer within \(timeout)")
            }
            if Task.isCancelled {
                running.cancel()
                throw CancellationError()
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    // MARK: - values

    static func text(_ content: MCP.Tool.Content) -> String {
        switch content {
        case .text(let text, _, _): return text
        case .image(_, let mimeType, _, _): return "[image \(mimeType)]"
        default: return "[\(String(describing: content).prefix(80))]"
        }
    }

    /// An MCP value as JSON (object keys sorted: the SDK keeps no order).
    static func json(_ value: Value) -> JSONValue {
        switch value {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .number(JSONNumber(i))
        case .double(let d): return d.isFinite ? .number(JSONNumber(d)) : .null
        case .string(let s): return .string(s)
        case .data(_, let data): return .string(data.base64EncodedString())
        case .array(let items): return .array(items.map(json))
        case .object(let object):
            var out = JSONObject()
            for key in object.keys.sorted() { out[key] = json(object[key] ?? .null) }
            return .object(out)
        }
    }

    static func value(_ json: JSONValue) -> Value {
        switch json {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .number(let n): return n.isInteger ? (n.intValue.map(Value.int) ?? .double(n.doubleValue)) : .double(n.doubleValue)
        case .string(let s): return .string(s)
        case .array(let items): return .array(items.map(value))
        case .object(let object):
            var out: [String: Value] = [:]
            for (key, item) in object { out[key] = value(item) }
            return .object(out)
        }
    }

    static func split(_ line: String) throws -> [String] {
        var words: [String] = []
        var current = ""
        var quote: Character?
        var inWord = false
        for character in line {
            if let open = quote {
                if character == open { quote = nil } else { current.append(character) }
            } else if character == "\"" || character == "'" {
                quote = character
                inWord = true
            } else if character == " " || character == "\t" {
                if inWord { words.append(current) }
                current = ""
                inWord = false
            } else {
                current.append(character)
                inWord = true
            }
        }
        if quote != nil { throw AgentError(.mcp, "unterminated quote in MCP server command: \(line)") }
        if inWord { words.append(current) }
        return words
    }
}
