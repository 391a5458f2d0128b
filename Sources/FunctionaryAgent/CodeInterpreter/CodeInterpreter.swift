import Foundation
import FunctionaryProtocol

/// A persistent `python3` process that runs the model's `python` calls like notebook cells: variables,
/// imports and files carry over from one cell to the next.
///
/// Each cell has a time limit (a cell past it gets a `TimeoutError` and the state survives; one that
/// ignores it is killed and the interpreter restarts), output is truncated, and the process runs in its
/// own folder with memory, CPU-time, file-size and process-count limits and a scrubbed environment.
/// Where bubblewrap works it runs in a sandbox (read-only system, only the data folder writable, no
/// network, its own PID namespace and `/proc`); where bubblewrap does not work it does not start unless limits only
/// were asked for (`sandbox: .limitsOnly`, `FUNCTIONARY_SANDBOX=limits-only`): then the limits (and `unshare -n`
/// where allowed) apply, with a one-line warning. A crash ends the cell with an error and the next cell starts
/// a fresh interpreter. See docs/agent.md ("The code interpreter") for what is and is not isolated.
public actor CodeInterpreter {
    /// Limits and paths.
    public struct Configuration: Sendable, Hashable {
        /// How the interpreter is isolated.
        public enum Sandbox: String, Sendable, Hashable {
            /// Under bubblewrap; where it does not work the interpreter does not start (fails closed) and says why,
            /// unless `FUNCTIONARY_SANDBOX=limits-only` in the environment asks for limits only for the whole process.
            case automatic
            /// Limits only (and `unshare -n` for the network where allowed), with a warning: ask for it explicitly,
            /// e.g. inside a container that already isolates the process (`functionary chat --sandbox limits-only`).
            case limitsOnly
        }

        /// The Python to run: a command looked up on `PATH`, or a path.
        public var python: String
        /// The folder cells run in, which `/mnt/data` in the model's code stands for (created if missing).
        /// `nil`: a fresh temporary folder, removed by `shutdown()`.
        public var dataDirectory: String?
        /// Wall-clock limit of one cell.
        public var timeLimit: Duration
        /// Extra time a cell gets to end after `TimeoutError` before the process is killed.
        public var killGrace: Duration
        /// CPU-time limit of one cell (`RLIMIT_CPU`); `nil`: none.
        public var cpuTimeLimit: Duration?
        /// Address-space limit of the process in bytes (`RLIMIT_AS`); `nil`: none.
        public var memoryLimit: Int?
        /// Largest file the process may write, in bytes (`RLIMIT_FSIZE`); `nil`: none.
        public var fileSizeLimit: Int?
        /// Most characters kept of each of stdout, stderr, the result and the error.
        public var maxOutputCharacters: Int
        /// Without bubblewrap, run in a new network namespace (`unshare -n`) when possible (bubblewrap always
        /// cuts the network).
        public var isolateNetwork: Bool
        /// Variables added to the otherwise scrubbed environment.
        public var environment: [String: String]
        /// The longest the interpreter may take to start.
        public var startupTimeout: Duration
        /// Bubblewrap or limits only.
        public var sandbox: Sandbox
        /// Most processes and threads the interpreter may have at once (a pids cgroup where one is
        /// writable, and `RLIMIT_NPROC`); `nil`: none.
        public var maxProcesses: Int?
        /// Bytes each private tmpfs of the sandbox (`/tmp`, `/var/tmp`, `/run`, the home folder) may hold: they live
        /// in RAM, outside the memory and file-size limits (`bwrap --size`); `nil`: unbounded.
        public var tmpfsSize: Int?
        /// The bubblewrap binary: a command looked up on `PATH`, or a path.
        public var bubblewrap: String

        public init(
            python: String = "python3", dataDirectory: String? = nil, timeLimit: Duration = .seconds(60),
            killGrace: Duration = .seconds(2), cpuTimeLimit: Duration? = .seconds(60), memoryLimit: Int? = 2 << 30,
            fileSizeLimit: Int? = 100 << 20, maxOutputCharacters: Int = 20_000, isolateNetwork: Bool = true,
            environment: [String: String] = [:], startupTimeout: Duration = .seconds(30), sandbox: Sandbox = .automatic,
            maxProcesses: Int? = 256, tmpfsSize: Int? = 64 << 20, bubblewrap: String = "bwrap"
        ) {
            self.python = python
            self.dataDirectory = dataDirectory
            self.timeLimit = timeLimit
            self.killGrace = killGrace
            self.cpuTimeLimit = cpuTimeLimit
            self.memoryLimit = memoryLimit
            self.fileSizeLimit = fileSizeLimit
            self.maxOutputCharacters = maxOutputCharacters
            self.isolateNetwork = isolateNetwork
            self.environment = environment
            self.startupTimeout = startupTimeout
            self.sandbox = sandbox
            self.maxProcesses = maxProcesses
            self.tmpfsSize = tmpfsSize
            self.bubblewrap = bubblewrap
        }
    }

    public let configuration: Configuration
    var process: InterpreterProcess?
    var workspace: InterpreterWorkspace?
    var resolvedPython: String?
    /// One cell at a time.
    var cellGate = TurnGate()
    var cellCount = 0
    var warnedUnsandboxed = false
    /// Problems met when starting the interpreter: the warning when it runs without a sandbox, limits
    /// the platform refused.
    public internal(set) var warnings: [String] = []

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    deinit {
        process?.kill()
        process?.closeDescriptors()
        process?.processGroup?.remove()
        workspace?.remove()
    }

    /// Whether cells run without network access (known once the interpreter has started).
    public var isNetworkIsolated: Bool { process?.networkIsolated ?? false }

    /// Whether the interpreter runs under bubblewrap (known once it has started).
    public var isSandboxed: Bool { process?.isolation.bubblewrap ?? false }

    /// Whether ending the interpreter ends every process it started, also those that left its session:
    /// under bubblewrap (its PID namespace) or in a pids cgroup (known once it has started).
    public var endsAllDescendants: Bool { process.map { $0.isolation.bubblewrap || $0.processGroup != nil } ?? false }

    /// The folder cells run in (known once the interpreter has started).
    public var dataDirectory: String? { workspace?.data }

    /// Runs one cell. Cells run one at a time, in the order they were submitted.
    /// - Returns: the cell's output; failures of the code (exceptions, timeouts, a crash) are in `error`.
    /// - Throws: `AgentError(.interpreter)` when no interpreter can be started.
    public func run(_ code: String) async throws -> CellResult {
        await acquire()
        defer { release() }
        let started = ContinuousClock.now
        var note: String?
        if let process, process.hasExited {
            note = "Note: the interpreter had stopped; it was restarted and earlier state is lost."
            discardProcess()
        }
        let current = try await runningProcess()
        var result = try await execute(code, in: current)
        if let note { result.error = [note, result.error].compactMap { $0 }.joined(separator: "\n") }
        result.duration = ContinuousClock.now - started
        return result
    }

    /// Stops the interpreter; the next cell starts a fresh one (files in the data folder stay).
    public func restart() {
        discardProcess()
    }

    /// Stops the interpreter and removes its temporary folders (a data folder given in the
    /// configuration is kept).
    public func shutdown() {
        discardProcess()
        workspace?.remove()
        workspace = nil
    }

    /// The code of a `python` call: the arguments as they are, or the `code` member of a JSON object
    /// (as qwen2.5/gemma3 templates and some servers send it).
    public static func code(fromArguments arguments: String) -> String {
        let trimmed = arguments.trimmingWhitespace()
        if trimmed.hasPrefix("{"), let object = try? JSONValue(parsing: trimmed), let code = object["code"]?.stringValue {
            return code
        }
        return arguments
    }

    func acquire() async {
        if !cellGate.tryEnter() { await withCheckedContinuation { cellGate.enqueue($0) } }
    }

    func release() {
        cellGate.leave()
    }

    func discardProcess() {
        process?.kill()
        process?.closeDescriptors()
        process?.processGroup?.remove()
        process = nil
    }
}

/// What one cell produced.
public struct CellResult: Sendable, Hashable {
    public var stdout: String
    public var stderr: String
    /// The `repr` of the cell's last expression, when it is one and not `None`.
    public var result: String?
    /// The traceback of an exception, or what happened to the interpreter.
    public var error: String?
    /// The interpreter was killed or crashed during this cell; its state is lost.
    public var restarted: Bool
    public var duration: Duration

    public init(
        stdout: String = "", stderr: String = "", result: String? = nil, error: String? = nil, restarted: Bool = false,
        duration: Duration = .zero
    ) {
        self.stdout = stdout
        self.stderr = stderr
        self.result = result
        self.error = error
        self.restarted = restarted
        self.duration = duration
    }

    /// The text sent back to the model: stdout, stderr, the result and the error, in that order.
    public var formatted: String {
        var parts: [String] = []
        for part in [stdout, stderr, result ?? "", error ?? ""] {
            var text = part
            while text.hasSuffix("\n") { text.removeLast() }
            if !text.isEmpty { parts.append(text) }
        }
        return parts.isEmpty ? "(no output)" : parts.joined(separator: "\n")
    }
}
