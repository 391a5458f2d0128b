import ArgumentParser
import Foundation
import FunctionaryAgent
import FunctionaryProtocol
import Synchronization

#if canImport(FunctionaryEngine)
    import FunctionaryEngine
#endif

/// `functionary chat`: a terminal chat whose model calls Swift tools, on the embedded engine or on any
/// OpenAI-compatible server.
struct Chat: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat",
        abstract: "Chat with a model that calls tools, on the embedded engine or an OpenAI-compatible server.",
        discussion: """
            Each tool call is shown as `𝑓 name({"arg": …}) -> result`. Type /reset to start over, /exit to leave. \
            With the small default model, force the first step with --tool-choice required (or a tool's name) so that \
            it calls a tool; Functionary models decide by themselves (auto).
            """
    )

    @OptionGroup var server: ServerClientOptions

    #if canImport(FunctionaryEngine)
        @OptionGroup var engineOptions: EngineOptions
    #endif

    @Option(help: "Tools to offer: 'demo' (flip_coin, get_current_weather, get_car_price).")
    var tools: String?

    @Option(
        name: .customLong("mcp"),
        help: "Offer the tools of an MCP server started with this command line (stdio), e.g. \"python -m mcp_server_time\". Repeatable.")
    var mcpServers: [String] = []

    @Option(
        name: .customLong("mcp-url"),
        help: "Offer the tools of an MCP server running behind this streamable-HTTP endpoint, e.g. http://127.0.0.1:8000/mcp. Repeatable.")
    var mcpURLs: [String] = []

    @Option(
        name: .customLong("mcp-env"),
        help:
            "Pass this environment variable (NAME, or NAME=VALUE) to --mcp servers, besides HOME, LOGNAME, PATH, SHELL, TERM, USER, the locale, TMPDIR and TZ. Repeatable."
    )
    var mcpEnvironment: [String] = []

    @Option(name: .customLong("mcp-max-tools"), help: "Most tools one MCP server may list.")
    var mcpMaxTools: Int = 128

    @Flag(help: "Offer the code interpreter: python calls run in a sandboxed, persistent python3 process.")
    var codeInterpreter = false

    @Option(
        help:
            "How python calls are isolated: 'bubblewrap' (the default; the interpreter does not start where bubblewrap does not work) or 'limits-only' (resource limits only: cells can read your files)."
    )
    var sandbox: String = "bubblewrap"

    @Option(help: "Folder that /mnt/data stands for in python calls (default: a temporary folder).")
    var dataDir: String?

    @Option(help: "Time limit of one python cell, in seconds.")
    var cellTimeout: Double = 60

    @Option(help: "A system message.")
    var system: String?

    @Option(help: "Send this one message, print the run and exit (exit status 3 when it ends without an answer).")
    var prompt: String?

    @Option(help: "tool_choice of the first step of each run: auto, none, required or a tool name.")
    var toolChoice: String = "auto"

    @Option(help: "tool_choice of the steps after tool results: auto, none, required or a tool name.")
    var thenToolChoice: String = "auto"

    @Option(help: "Most model turns per message.")
    var maxSteps: Int = 8

    @Option(help: "Sampling temperature (0: greedy; default: 0 when tools are offered, else the engine's 0.6).")
    var temperature: Double?

    @Option(help: "Sampling seed.")
    var seed: Int?

    @Option(help: "Most tokens per model turn.")
    var maxTokens: Int = 512

    @Flag(help: "Print token usage after each turn (on stderr).")
    var verbose = false

    func validate() throws {
        if let tools, tools != "demo" { throw ValidationError("Unknown tool set '\(tools)'; the only one is 'demo'.") }
        if maxSteps < 1 { throw ValidationError("--max-steps must be at least 1.") }
        if maxTokens < 1 { throw ValidationError("--max-tokens must be at least 1.") }
        if let temperature, !(temperature >= 0) { throw ValidationError("--temperature must be 0 or more.") }
        if cellTimeout <= 0 { throw ValidationError("--cell-timeout must be positive.") }
        if !["bubblewrap", "limits-only"].contains(sandbox) {
            throw ValidationError("--sandbox must be 'bubblewrap' or 'limits-only'.")
        }
        if mcpMaxTools < 1 { throw ValidationError("--mcp-max-tools must be at least 1.") }
        for entry in mcpEnvironment where entry.isEmpty || entry.hasPrefix("=") {
            throw ValidationError("--mcp-env '\(entry)' is not NAME or NAME=VALUE.")
        }
        #if canImport(FunctionaryEngine)
            if server.url != nil, engineOptions.model != nil {
                throw ValidationError("Use either --url (a server) or --model (the embedded engine), not both.")
            }
        #endif
        let functionNames = tools == "demo" ? DemoTools.all().map(\.name) : []
        for flag in [toolChoice, thenToolChoice] {
            // MCP servers' tools are known only once they run.
            if case .function(let name) = ToolChoice(flag: flag), !functionNames.contains(name), mcpServers.isEmpty, mcpURLs.isEmpty {
                let hint = name == "python" ? "; use 'required' to force a python call" : ""
                throw ValidationError(
                    "tool_choice '\(name)' names no offered function (offered: \(functionNames.joined(separator: ", ")))\(hint).")
            }
        }
        if server.url == nil, server.apiKey != nil || server.modelName != nil { throw ValidationError("--api-key and --model-name go with --url.") }
        for endpoint in mcpURLs {
            guard let parsed = URL(string: endpoint), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""), parsed.host != nil else {
                throw ValidationError("--mcp-url '\(endpoint)' is not an http(s) URL.")
            }
        }
    }

    func run() async throws {
        let (backend, stopEngine) = try await makeBackend()
        defer { stopEngine() }
        var toolList = tools == "demo" ? DemoTools.all() : []
        var servers: [MCPServer] = []
        let limits = MCPServer.Limits(maxTools: mcpMaxTools)
        var started: [MCPServer] = []
        for commandLine in mcpServers {
            started.append(try MCPServer(commandLine: commandLine, environment: mcpEnvironment, limits: limits))
        }
        for endpoint in mcpURLs {
            guard let parsed = URL(string: endpoint) else { continue }
            started.append(MCPServer(url: parsed, limits: limits))
        }
        do {
            for server in started {
                servers.append(server)
                toolList += try await server.start(avoiding: Set(toolList.map(\.name) + (codeInterpreter ? ["python"] : [])))
                for warning in await server.warnings { FileHandle.standardError.write(Data("functionary: warning: \(warning)\n".utf8)) }
            }
        } catch {
            for server in servers { await server.stop() }
            throw error
        }
        // The servers are stopped (SIGTERM, then SIGKILL to their process groups) before the command returns.
        do {
            try await converse(backend: backend, tools: toolList)
        } catch {
            for server in servers { await server.stop() }
            throw error
        }
        for server in servers { await server.stop() }
    }

    /// The temperature of a run: the flag's, else greedy when tools are offered (a call is a decision and arguments
    /// copied from the request, which sampling at the engine's 0.6 only spoils: the default model skipped the weather
    /// demo's calls in one of three runs at 0.6), else nil (the engine's default, for conversation without tools).
    static func defaultTemperature(_ flag: Double?, offersTools: Bool) -> Double? {
        flag ?? (offersTools ? 0 : nil)
    }

    private func converse(backend: any ChatBackend, tools toolList: [AgentTool]) async throws {
        let options = Conversation.Options(
            maxSteps: maxSteps, toolChoice: ToolChoice(flag: toolChoice), followUpToolChoice: ToolChoice(flag: thenToolChoice),
            sampling: SamplingOptions(
                temperature: Self.defaultTemperature(temperature, offersTools: !toolList.isEmpty || codeInterpreter),
                maxTokens: maxTokens, seed: seed))
        let conversation = Conversation(backend: backend, tools: toolList, system: system, options: options)
        var interpreter: CodeInterpreter?
        if codeInterpreter {
            let python = CodeInterpreter(
                configuration: CodeInterpreter.Configuration(
                    dataDirectory: dataDir, timeLimit: .seconds(cellTimeout), sandbox: sandbox == "limits-only" ? .limitsOnly : .automatic))
            await conversation.useCodeInterpreter(python)
            interpreter = python
        }

        let printer = ChatPrinter(verbose: verbose)
        if let prompt {
            let end = try await printer.show(conversation.submit(prompt))
            await interpreter?.shutdown()
            if end != .answered {
                printer.note("[\(end)]")
                throw ExitCode(3)
            }
            return
        }
        printer.note("Type a message; /reset starts over, /exit leaves, Ctrl-C stops a run.")
        // Ctrl-C cancels the run in progress (the stream's consumer task); at the prompt it quits.
        let current = RunningTask()
        signal(SIGINT, SIG_IGN)
        let interrupts = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        interrupts.setEventHandler { if !current.cancel() { Foundation.exit(130) } }
        interrupts.resume()
        defer { interrupts.cancel() }
        while true {
            printer.promptMarker()
            guard let line = readLine() else { break }
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.isEmpty { continue }
            if text == "/exit" || text == "/quit" { break }
            if text == "/reset" {
                await conversation.reset()
                printer.note("[conversation reset]")
                continue
            }
            do {
                let run = Task { try await printer.show(conversation.submit(text)) }
                current.set(run)
                let end = try await run.value
                current.set(nil)
                if end != .answered { printer.note("[\(end)]") }
            } catch {
                current.set(nil)
                printer.note("error: \(error)")
            }
        }
        await interpreter?.shutdown()
    }

    /// The backend, and what to call when the chat is over (stops the embedded engine).
    func makeBackend() async throws -> (any ChatBackend, @Sendable () -> Void) {
        if let remote = try await server.backend() { return (remote.backend, {}) }
        #if canImport(FunctionaryEngine)
            let (engine, version) = try engineOptions.loadEngine()
            return (EngineBackend(generator: engine, template: version.template), { engine.shutdown() })
        #else
            throw ValidationError("This build has no embedded engine; pass --url to use a server.")
        #endif
    }
}

/// Shows a run in the terminal: streamed text on stdout, each tool call as a `𝑓` line.
struct ChatPrinter {
    let verbose: Bool

    /// Prints the events of a run and returns how it ended.
    func show(_ events: AsyncThrowingStream<ConversationEvent, any Error>) async throws -> RunEnd {
        var midLine = false
        var end = RunEnd.cancelled
        for try await event in events {
            switch event {
            case .textDelta(let text):
                write(text)
                midLine = !text.hasSuffix("\n")
            case .toolCallStarted: break
            case .toolResult(_, let result):
                if midLine { write("\n") }
                write(TranscriptFormatter.line(for: result) + "\n")
                midLine = false
            case .usage(let usage):
                if verbose {
                    note("[usage: \(usage.promptTokens) prompt (\(usage.cachedPromptTokens) cached), \(usage.completionTokens) completion]")
                }
            case .finalMessage: break
            case .finished(let reason): end = reason
            }
        }
        if midLine { write("\n") }
        return end
    }

    func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    func note(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    func promptMarker() {
        FileHandle.standardError.write(Data("› ".utf8))
    }
}

/// The run the terminal is waiting for, so that Ctrl-C can cancel it.
final class RunningTask: Sendable {
    private let task = Mutex<Task<RunEnd, any Error>?>(nil)

    func set(_ task: Task<RunEnd, any Error>?) {
        self.task.withLock { $0 = task }
    }

    /// Cancels the run; `false` when none is going.
    func cancel() -> Bool {
        task.withLock { task in
            guard let task else { return false }
            task.cancel()
            return true
        }
    }
}
