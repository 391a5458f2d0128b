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
    private var process: Process?
    private var client: Client?
    /// The pipes to and from the server: kept while connected (a `FileHandle` closes its descriptor when freed,
    /// and the transport reads and writes the raw descriptors).
    private var pipes: (toServer: Pipe, fromServer: Pipe)?
    private var startTimeout: Duration

    public init(command: String, arguments: [String] = [], startTimeout: Duration = .seconds(30)) {
        self.command = command
        self.arguments = arguments
        self.url = nil
        self.name = URL(fileURLWithPath: command).lastPathComponent
        self.startTimeout = startTimeout
    }

    /// A server already running behind a streamable-HTTP endpoint such as `http://127.0.0.1:8000/mcp`.
    public init(url: URL, startTimeout: Duration = .seconds(30)) {
        self.command = url.absoluteString
        self.arguments = []
        self.url = url
        self.name = url.host ?? "mcp"
        self.startTimeout = startTimeout
    }

    /// Parses a command line such as `python -m mcp_server_time --local-timezone UTC` (split on spaces;
    /// single or double quotes keep spaces inside an argument).
    public init(commandLine: String) throws {
        let words = try Self.split(commandLine)
        guard let first = words.first else { throw AgentError(.mcp, "empty MCP server command") }
        self.init(command: first, arguments: Array(words.dropFirst()))
    }

    /// Starts the server and returns its tools as agent tools.
    /// - Parameter taken: names already offered to the model; a tool whose name is among them is offered as
    ///   `<server name>_<tool name>` (its calls still reach the server under its own name).
    public func start(avoiding taken: Set<String> = []) async throws -> [AgentTool] {
        try await connect()
        guard let client else { throw AgentError(.mcp, "MCP server \(command) is not connected") }
        var tools: [MCP.Tool] = []
        var cursor: String?
        repeat {
            let page = try await client.listTools(cursor: cursor)
            tools += page.tools
            cursor = page.nextCursor
        } while cursor != nil && tools.count < 10_000
        let prefix = name.map { $0.isLetter || $0.isNumber ? $0 : "_" }
        return tools.map { tool in
            let toolName = tool.name
            let offered = taken.contains(toolName) ? "\(String(prefix))_\(toolName)" : toolName
            return AgentTool(
                name: offered, description: tool.description ?? "", parameters: Self.json(tool.inputSchema)
            ) { [self] arguments in
                try await self.call(toolName, arguments: arguments)
            }
        }
    }

    /// Calls a tool; the result is the text of its content (images and other blobs are described, not inlined).
    /// A server that exited is restarted once.
    public func call(_ tool: String, arguments: JSONValue) async throws -> String {
        if url != nil { return try await callOverHTTP(tool, arguments: arguments) }
        if process?.isRunning != true {
            await stop()
            do {
                try await connect()
            } catch {
                throw ToolError("the MCP server '\(name)' exited and could not be restarted: \(error)")
            }
        }
        guard let client else { throw ToolError("the MCP server '\(name)' is not connected") }
        return try await Self.call(client, tool, arguments: arguments)
    }

    /// An HTTP call; a failure of the session (not of the tool) opens a new session and tries once more.
    private func callOverHTTP(_ tool: String, arguments: JSONValue) async throws -> String {
        if let client {
            do {
                return try await Self.call(client, tool, arguments: arguments)
            } catch let error as ToolError {
                throw error
            } catch {
                await stop()
            }
        }
        do {
            try await connect()
        } catch {
            throw ToolError("the MCP server at \(command) could not be reached: \(error)")
        }
        guard let client else { throw ToolError("the MCP server at \(command) is not connected") }
        return try await Self.call(client, tool, arguments: arguments)
    }

    private static func call(_ client: Client, _ tool: String, arguments: JSONValue) async throws -> String {
        var values: [String: Value] = [:]
        if case .object(let object) = arguments {
            for (key, value) in object { values[key] = Self.value(value) }
        }
        let result = try await client.callTool(name: tool, arguments: values)
        let text = result.content.map(Self.text).joined(separator: "\n")
        if result.isError == true { throw ToolError(text.isEmpty ? "the tool \(tool) failed" : text) }
        return text
    }

    /// Ends the session and the server process.
    public func stop() async {
        await client?.disconnect()
        client = nil
        if let process, process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        process = nil
        pipes = nil
    }

    private func connect() async throws {
        if let url {
            try await connectHTTP(url)
            return
        }
        // A server that exits leaves a pipe without reader: writing to it must fail with EPIPE, not kill this process.
        signal(SIGPIPE, SIG_IGN)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [command] + arguments
        let toServer = Pipe()
        let fromServer = Pipe()
        process.standardInput = toServer
        process.standardOutput = fromServer
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw AgentError(.mcp, "could not start the MCP server '\(([command] + arguments).joined(separator: " "))': \(error)")
        }
        self.process = process
        pipes = (toServer, fromServer)
        let transport = StdioTransport(
            input: FileDescriptor(rawValue: fromServer.fileHandleForReading.fileDescriptor),
            output: FileDescriptor(rawValue: toServer.fileHandleForWriting.fileDescriptor))
        let client = Client(name: "functionary", version: "1.0")
        let result: Initialize.Result
        do {
            result = try await Self.initialize(client, transport: transport, process: process, timeout: startTimeout)
        } catch {
            process.terminate()
            self.process = nil
            pipes = nil
            throw AgentError(.mcp, "the MCP server '\(command)' failed to start: \(error)")
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
            result = try await Self.initialize(client, transport: transport, process: nil, timeout: startTimeout)
        } catch {
            throw AgentError(.mcp, "the MCP server at \(url.absoluteString) did not start a session: \(error)")
        }
        if !result.serverInfo.name.isEmpty { name = result.serverInfo.name }
        self.client = client
    }

    /// The session's `initialize`, raced against the server's exit (a stdio server's process) and a timeout. The SDK's connect does not end
    /// when the server dies before answering, so it runs in a task of its own that is abandoned then (the process is
    /// terminated, which closes its pipes); an unstructured task is the one way not to wait for it.
    private static func initialize(
        _ client: Client, transport: any Transport, process: Process?, timeout: Duration
    ) async throws -> Initialize.Result {
        let outcome = Mutex<Result<Initialize.Result, any Error>?>(nil)
        let connecting = Task {
            let result: Result<Initialize.Result, any Error>
            do { result = .success(try await client.connect(transport: transport)) } catch { result = .failure(error) }
            outcome.withLock { if $0 == nil { $0 = result } }
        }
        let deadline = ContinuousClock.now + timeout
        while true {
            if let result = outcome.withLock({ $0 }) { return try result.get() }
            if let process, !process.isRunning {
                connecting.cancel()
                throw AgentError(.mcp, "it exited with status \(process.terminationStatus) before answering")
            }
            if ContinuousClock.now >= deadline {
                connecting.cancel()
                throw AgentError(.mcp, "it did not answer within \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(20))
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
