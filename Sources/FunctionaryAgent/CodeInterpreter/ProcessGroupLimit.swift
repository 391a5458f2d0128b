import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A `pids` control group for one interpreter: at most `limit` processes and threads in it (a fork bomb
/// gets `EAGAIN`), and a way to kill everything in it, also processes that left the interpreter's
/// session. Used where a `pids` hierarchy is writable (root, or a delegated cgroup), because
/// `RLIMIT_NPROC` does not bind root.
final class ProcessGroupLimit: Sendable {
    /// The cgroup folder.
    let path: String

    private init(path: String) { self.path = path }

    /// Creates the group with `pids.max = limit` under the `pids` cgroup of this process (v1, or v2 where
    /// the controller is enabled for children); `nil` when none is writable.
    static func create(limit: Int) -> ProcessGroupLimit? {
        #if os(Linux)
            let name = "functionary-python-\(UUID().uuidString)"
            for parent in candidateParents() {
                let path = parent + "/" + name
                guard mkdir(path, 0o755) == 0 else { continue }
                if write("\(max(1, limit))", to: path + "/pids.max") {
                    return ProcessGroupLimit(path: path)
                }
                rmdir(path)
            }
            return nil
        #else
            return nil
        #endif
    }

    /// The `pids` cgroup folders this process is in: the v1 `pids` hierarchy and the v2 unified one.
    static func candidateParents() -> [String] {
        guard let text = try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8) else { return [] }
        var parents: [String] = []
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            var relative = String(fields[2])
            if relative == "/" { relative = "" }
            if fields[1].split(separator: ",").contains("pids") {
                parents.append("/sys/fs/cgroup/pids" + relative)
            } else if fields[0] == "0", fields[1].isEmpty {
                parents.append("/sys/fs/cgroup" + relative)
                parents.append("/sys/fs/cgroup/unified" + relative)
            }
        }
        return parents.filter { FileManager.default.fileExists(atPath: $0 + "/cgroup.procs") }
    }

    /// The command prefix that moves the process into the group before it runs the rest: every process
    /// it starts is then counted and can be killed. Where the move is refused (cgroup v2 delegation rules)
    /// the rest runs all the same; `InterpreterProcess.confirmProcessGroup()` notices.
    var enterCommand: [String] {
        ["/bin/sh", "-c", "echo $$ 2>/dev/null > \"$0\"; exec \"$@\"", path + "/cgroup.procs"]
    }

    /// The processes in the group now.
    var members: [pid_t] {
        guard let text = try? String(contentsOfFile: path + "/cgroup.procs", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { pid_t($0) }
    }

    /// Kills every process in the group now (`cgroup.kill` on v2, else each member).
    func killAll() {
        if !write("1", to: path + "/cgroup.kill") {
            for pid in members { _ = sendSignal(pid, SIGKILL) }
        }
    }

    /// Kills what is left and removes the group once it is empty (on a thread of its own: processes
    /// take a moment to die, and a fork can race a kill); gives up after about five seconds.
    func remove() {
        let thread = Thread { [self] in
            for _ in 0..<500 {
                if members.isEmpty, rmdir(path) == 0 || errno == ENOENT { return }
                killAll()
                usleep(10_000)
            }
        }
        thread.name = "functionary-python-cgroup"
        thread.start()
    }

    private static func write(_ text: String, to file: String) -> Bool {
        guard let handle = FileHandle(forWritingAtPath: file) else { return false }
        defer { try? handle.close() }
        return (try? handle.write(contentsOf: Data(text.utf8))) != nil
    }

    private func write(_ text: String, to file: String) -> Bool { Self.write(text, to: file) }
}
