import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A stdio MCP server's process: started with `posix_spawnp` as the leader of its own process group, with only the
/// environment it is given, stdin and stdout on pipes we hold and stderr on `/dev/null`.
///
/// `stop(grace:)` sends SIGTERM to the whole group, waits for the leader up to `grace`, then sends SIGKILL to the group
/// (grandchildren that stayed in it included) before reaping the leader: the group id cannot be reused in between.
final class MCPChildProcess: Sendable {
    let pid: pid_t
    /// Our end of the server's stdin (close-on-exec, non-blocking).
    let toServer: Int32
    /// Our end of the server's stdout (close-on-exec).
    let fromServer: Int32
    private let reaped = Mutex<Int32?>(nil)

    private init(pid: pid_t, toServer: Int32, fromServer: Int32) {
        self.pid = pid
        self.toServer = toServer
        self.fromServer = fromServer
    }

    /// Starts `arguments[0]` (looked up in `PATH`) with the rest as its arguments.
    static func spawn(_ arguments: [String], environment: [String: String]) throws -> MCPChildProcess {
        guard !arguments.isEmpty else { throw AgentError(.mcp, "empty MCP server command") }
        let input = try pipeCloseOnExec()
        let output: (read: Int32, write: Int32)
        do { output = try pipeCloseOnExec() } catch {
            close(input.read)
            close(input.write)
            throw error
        }
        defer {
            close(input.read)
            close(output.write)
        }
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        posix_spawn_file_actions_adddup2(&actions, input.read, 0)
        posix_spawn_file_actions_adddup2(&actions, output.write, 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        // Its own process group (pgid = its pid), default dispositions for the signals this process ignores
        // (SIGPIPE, and SIGINT in an interactive chat), and no blocked signals.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT] { sigaddset(&defaults, signal) }
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid: pid_t = 0
        let status = posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, envp)
        guard status == 0 else {
            close(input.write)
            close(output.read)
            throw AgentError(.mcp, "could not start '\(arguments[0])': \(String(cString: strerror(status)))")
        }
        _ = fcntl(input.write, F_SETFL, fcntl(input.write, F_GETFL) | O_NONBLOCK)
        return MCPChildProcess(pid: pid, toServer: input.write, fromServer: output.read)
    }

    /// Whether the leader still runs (an exited one is left unreaped, so that its group id stays reserved).
    var isRunning: Bool {
        if reaped.withLock({ $0 }) != nil { return false }
        var info = siginfo_t()
        let result = waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT)
        if result != 0 { return false }
        return info.childPID == 0
    }

    /// The exit status once reaped (or the signal number, negated).
    var exitStatus: Int32? { reaped.withLock { $0 } }

    /// SIGTERM to the group, up to `grace` for the leader to exit, SIGKILL to the group, reap, close our pipe ends.
    func stop(grace: Duration) async {
        if reaped.withLock({ $0 }) == nil {
            _ = kill(-pid, SIGTERM)
            let deadline = ContinuousClock.now + grace
            while isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(10)) }
            _ = kill(-pid, SIGKILL)
            reap()
        }
        closeDescriptors()
    }

    /// Waits for the leader (after SIGKILL it exits promptly) and records its status.
    private func reap() {
        var raw: Int32 = 0
        var result: pid_t
        repeat { result = waitpid(pid, &raw, 0) } while result < 0 && errno == EINTR
        let status: Int32 = result == pid ? (raw & 0x7f == 0 ? (raw >> 8) & 0xff : -(raw & 0x7f)) : -1
        reaped.withLock { if $0 == nil { $0 = status } }
    }

    private let closed = Mutex(false)

    private func closeDescriptors() {
        let first = closed.withLock { value -> Bool in
            defer { value = true }
            return !value
        }
        guard first else { return }
        close(toServer)
        close(fromServer)
    }

    private static func pipeCloseOnExec() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw AgentError(.mcp, "pipe failed: \(String(cString: strerror(errno)))") }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return (fds[0], fds[1])
    }
}

#if canImport(Glibc) || canImport(Musl)
    extension siginfo_t {
        /// `si_pid` (a macro over the union in C).
        fileprivate var childPID: pid_t { _sifields._kill.si_pid }
    }
#elseif canImport(Darwin)
    extension siginfo_t {
        fileprivate var childPID: pid_t { si_pid }
    }
#endif
