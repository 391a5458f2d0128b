import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The folders of one interpreter: a private one (driver script, output captures) and the data folder.
struct InterpreterWorkspace: Sendable {
    let root: String
    let privateDirectory: String
    let data: String
    let ownsData: Bool

    static func create(dataDirectory: String?) throws -> InterpreterWorkspace {
        let files = FileManager.default
        let root = files.temporaryDirectory.appendingPathComponent("functionary-python-\(UUID().uuidString)").path
        let privateDirectory = root + "/private"
        let data = dataDirectory.map { URL(fileURLWithPath: $0).standardizedFileURL.path } ?? root + "/data"
        do {
            try files.createDirectory(atPath: privateDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try files.createDirectory(atPath: data, withIntermediateDirectories: true)
            let driver = Data(InterpreterDriver.source.utf8)
            guard files.createFile(atPath: privateDirectory + "/driver.py", contents: driver) else {
                throw AgentError(.interpreter, "Could not write the interpreter driver to \(privateDirectory).")
            }
        } catch let error as AgentError {
            throw error
        } catch {
            throw AgentError(.interpreter, "Could not prepare the interpreter's folders (\(root), \(data)): \(error)")
        }
        return InterpreterWorkspace(root: root, privateDirectory: privateDirectory, data: data, ownsData: dataDirectory == nil)
    }

    var driverPath: String { privateDirectory + "/driver.py" }

    func remove() {
        try? FileManager.default.removeItem(atPath: root)
    }
}

/// One running interpreter process and the two descriptors that talk to it.
// @unchecked Sendable: every stored property is a `let`; `process` is only used at launch, and the
// mutable state lives in `Mutex`es and in `ExitRecord`, which locks.
final class InterpreterProcess: @unchecked Sendable {
    let process: Process
    let pid: pid_t
    /// Our end of the request socket (the child's stdin).
    let requestFD: Int32
    /// Our end of the reply pipe (the child's stdout).
    let replyFD: Int32
    let exit: ExitRecord
    let isolation: InterpreterIsolation
    /// The Python process itself, which interrupts go to: under bubblewrap a descendant of `pid` (found
    /// after start), else `pid`.
    private let pythonPID: Mutex<pid_t>
    private let group: Mutex<ProcessGroupLimit?>

    init(
        process: Process, requestFD: Int32, replyFD: Int32, exit: ExitRecord, isolation: InterpreterIsolation,
        processGroup: ProcessGroupLimit?
    ) {
        self.process = process
        self.pid = process.processIdentifier
        self.requestFD = requestFD
        self.replyFD = replyFD
        self.exit = exit
        self.isolation = isolation
        self.pythonPID = Mutex(process.processIdentifier)
        self.group = Mutex(processGroup)
    }

    /// The `pids` cgroup the process runs in, if it could be made and entered.
    var processGroup: ProcessGroupLimit? { group.withLock { $0 } }

    /// Checks that the process entered its cgroup (the wrapper goes on without it when it cannot), and
    /// forgets a group it is not in.
    func confirmProcessGroup() {
        guard let current = processGroup, !current.members.contains(pid) else { return }
        current.remove()
        group.withLock { $0 = nil }
    }

    var networkIsolated: Bool { isolation.network }

    /// The process that gets interrupts (SIGINT).
    var interruptPID: pid_t { pythonPID.withLock { $0 } }

    /// Under bubblewrap, finds the Python process among the descendants (the one started as `python`
    /// with `script` as an argument), so that interrupts reach it.
    func locatePython(_ python: String, script: String) {
        guard isolation.bubblewrap else { return }
        #if os(Linux)
            guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return }
            for entry in entries {
                guard let candidate = pid_t(entry), candidate != pid,
                    let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline")
                else { continue }
                let arguments = data.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
                if arguments.first == python, arguments.contains(script) {
                    pythonPID.withLock { $0 = candidate }
                    return
                }
            }
        #endif
    }

    /// Starts `arguments[0]` with the rest as arguments, the given environment and folder; its stdin is
    /// a socket we write requests to, its stdout a pipe we read replies from, its stderr /dev/null.
    static func launch(
        arguments: [String], environment: [String: String], directory: String, isolation: InterpreterIsolation,
        processGroup: ProcessGroupLimit?
    ) throws -> InterpreterProcess {
        let request = try socketPair()
        let reply: (read: Int32, write: Int32)
        do {
            reply = try pipePair()
        } catch {
            close(request.parent)
            close(request.child)
            throw error
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardInput = FileHandle(fileDescriptor: request.child, closeOnDealloc: false)
        process.standardOutput = FileHandle(fileDescriptor: reply.write, closeOnDealloc: false)
        process.standardError = FileHandle.nullDevice
        let exit = ExitRecord()
        process.terminationHandler = { finished in exit.record(reason: finished.terminationReason, status: finished.terminationStatus) }
        do {
            try process.run()
        } catch {
            for fd in [request.parent, request.child, reply.read, reply.write] { close(fd) }
            throw AgentError(.interpreter, "Could not start \(arguments[0]): \(error)")
        }
        close(request.child)
        close(reply.write)
        exit.watch(process.processIdentifier)
        return InterpreterProcess(
            process: process, requestFD: request.parent, replyFD: reply.read, exit: exit, isolation: isolation,
            processGroup: processGroup)
    }

    var hasExited: Bool {
        exit.refresh()
        return exit.status != nil
    }

    /// Kills the process, its process group (the driver made itself a group leader) and, where there is
    /// one, everything in its `pids` cgroup (processes that left the session too). Under bubblewrap,
    /// killing `pid` ends the sandbox's PID namespace and so every process in it.
    func kill(_ signal: Int32 = SIGKILL) {
        guard pid > 0 else { return }
        _ = sendSignal(pid, signal)
        _ = sendSignal(-pid, signal)
        let python = interruptPID
        if python != pid { _ = sendSignal(-python, signal) }
        if signal == SIGKILL { processGroup?.killAll() }
    }

    func closeDescriptors() {
        close(requestFD)
        close(replyFD)
    }

    /// Writes one request frame.
    func send(_ frame: [UInt8]) throws {
        var offset = 0
        while offset < frame.count {
            let written = frame.withUnsafeBytes { bytes in
                writeNoSignal(requestFD, bytes.baseAddress! + offset, frame.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw AgentError(.interpreter, "Could not send the cell to the interpreter: \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }

    /// Waits (up to about `limit`) for the exit status after the process was killed or closed its pipe.
    func waitForExit(limit: Duration = .seconds(2)) async -> (reason: Process.TerminationReason, status: Int32)? {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            exit.refresh()
            if let status = exit.status { return status }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return exit.status
    }
}

/// How an interpreter process is isolated (what its launch achieved).
struct InterpreterIsolation: Sendable {
    /// Runs under bubblewrap.
    var bubblewrap: Bool
    /// Has no network.
    var network: Bool
}

/// The exit of a process, recorded by its termination handler or found by `refresh()`.
///
/// Foundation learns of an exit when a socket the child inherited closes, which a descendant that
/// inherited it too (a process that left the interpreter) can delay forever; `refresh()` asks the kernel.
final class ExitRecord: Sendable {
    private struct State {
        var value: (reason: Process.TerminationReason, status: Int32)?
        var pid: pid_t = 0
    }
    private let state = Mutex(State())

    /// The first record wins (Foundation reports status 0 for a process that `refresh()` reaped).
    func record(reason: Process.TerminationReason, status: Int32) {
        state.withLock { if $0.value == nil { $0.value = (reason, status) } }
    }

    func watch(_ pid: pid_t) {
        state.withLock { $0.pid = pid }
    }

    /// Reaps the process if it has exited and nothing recorded it yet.
    func refresh() {
        let (pid, known) = state.withLock { ($0.pid, $0.value != nil) }
        guard !known, pid > 0 else { return }
        var raw: Int32 = 0
        guard waitpid(pid, &raw, WNOHANG) == pid else { return }
        if raw & 0x7f == 0 {
            record(reason: .exit, status: (raw >> 8) & 0xff)
        } else {
            record(reason: .uncaughtSignal, status: raw & 0x7f)
        }
    }

    var status: (reason: Process.TerminationReason, status: Int32)? {
        state.withLock { $0.value }
    }
}

func sendSignal(_ pid: pid_t, _ signal: Int32) -> Int32 {
    #if canImport(Glibc)
        return Glibc.kill(pid, signal)
    #elseif canImport(Musl)
        return Musl.kill(pid, signal)
    #else
        return Darwin.kill(pid, signal)
    #endif
}

/// A connected socket pair, close-on-exec, that never raises SIGPIPE on our side.
private func socketPair() throws -> (parent: Int32, child: Int32) {
    var fds: [Int32] = [0, 0]
    #if os(Linux)
        let result = socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds)
    #else
        let result = socketpair(AF_UNIX, SOCK_STREAM, 0, &fds)
    #endif
    guard result == 0 else { throw AgentError(.interpreter, "socketpair failed: \(String(cString: strerror(errno)))") }
    #if !os(Linux)
        var on: Int32 = 1
        setsockopt(fds[0], SOL_SOCKET, SO_NOSIGPIPE, &on, socklen_t(MemoryLayout<Int32>.size))
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
    #endif
    return (fds[0], fds[1])
}

/// A pipe, close-on-exec (`pipe2` is not in the Glibc module; another thread could start a process in between,
/// which would then inherit the pipe until it execs: harmless for a pipe that is only read).
private func pipePair() throws -> (read: Int32, write: Int32) {
    var fds: [Int32] = [0, 0]
    let result = pipe(&fds)
    for fd in fds where result == 0 { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
    guard result == 0 else { throw AgentError(.interpreter, "pipe failed: \(String(cString: strerror(errno)))") }
    return (fds[0], fds[1])
}

private func writeNoSignal(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if os(Linux)
        return send(fd, buffer, count, Int32(MSG_NOSIGNAL))
    #else
        return write(fd, buffer, count)
    #endif
}
