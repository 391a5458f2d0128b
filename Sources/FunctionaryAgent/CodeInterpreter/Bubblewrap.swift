import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Running the interpreter under bubblewrap (`bwrap`): a read-only view of the system, only the data
/// folder (and the interpreter's private folder) writable, a fresh `/tmp`, `/run` and `/dev`, no network,
/// its own PID namespace with its own `/proc` (the host's processes, and so their environments, are out
/// of sight), every capability dropped, and the whole sandbox ended when its first process is killed.
enum Bubblewrap {
    /// What the installed `bwrap` supports beyond the basics (from its `--help`, and a trial sandbox).
    struct Features: Sendable, Equatable {
        /// `--size BYTES` before `--tmpfs` (bubblewrap 0.8+): the private `/tmp`, `/run`, home… are RAM bounded.
        var tmpfsSize: Bool
        /// `--disable-userns` (with `--unshare-user`): the sandbox cannot make user namespaces of its own.
        var disableUserns: Bool
    }

    /// Whether bubblewrap works here: `.available(path, features)`, or why not (for the error or warning).
    enum Probe: Sendable, Equatable {
        case available(String, Features)
        case unavailable(String)
    }

    /// The environment variable that asks for limits only in every interpreter of the process
    /// (`FUNCTIONARY_SANDBOX=limits-only`; `none` is accepted as before), e.g. where a surrounding container already
    /// isolates it. Without it (or `sandbox: .limitsOnly`) an interpreter that cannot use bubblewrap does not start.
    static let disableVariable = "FUNCTIONARY_SANDBOX"

    static var disabledByEnvironment: Bool {
        let value = ProcessInfo.processInfo.environment[disableVariable]?.lowercased()
        return ["limits-only", "limits_only", "none", "off", "0"].contains(value ?? "")
    }

    private static let probes = Mutex<[String: Probe]>([:])

    /// Looks for `command` (`bwrap` on `PATH`, or a path) and starts a sandbox like the interpreter's, once per
    /// process and command (user namespaces may be off, or a container may forbid `mount`).
    static func probe(_ command: String = "bwrap") -> Probe {
        if let known = probes.withLock({ $0[command] }) { return known }
        let result = runProbe(command)
        probes.withLock { $0[command] = result }
        return result
    }

    private static func runProbe(_ command: String) -> Probe {
        #if os(Linux)
            guard let bwrap = InterpreterSandbox.locate(command) else {
                return .unavailable("\(command) (bubblewrap) is not installed")
            }
            let help = InterpreterSandbox.run([bwrap, "--help"], environment: ["PATH": InterpreterSandbox.hostPath]) ?? ""
            var features = Features(tmpfsSize: help.contains("--size"), disableUserns: help.contains("--disable-userns"))
            func works(_ features: Features) -> Bool {
                let arguments =
                    [bwrap] + isolationFlags(features) + ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
                    + (features.tmpfsSize ? ["--size", "1048576"] : []) + ["--tmpfs", "/tmp", "/bin/sh", "-c", "exit 0"]
                return InterpreterSandbox.run(arguments, environment: ["PATH": InterpreterSandbox.hostPath]) != nil
            }
            if works(features) { return .available(bwrap, features) }
            // An older kernel or a container may refuse one of the extras: try without them.
            features = Features(tmpfsSize: false, disableUserns: false)
            guard works(features) else {
                return .unavailable("\(bwrap) cannot create a sandbox here (user namespaces off or mounts forbidden)")
            }
            return .available(bwrap, features)
        #else
            return .unavailable("bubblewrap needs Linux")
        #endif
    }

    /// New user, PID, network, IPC, UTS and cgroup namespaces (and no user namespaces inside, where supported); no
    /// capabilities; killed with its parent; a new session (no terminal to inject input into).
    static func isolationFlags(_ features: Features) -> [String] {
        ["--unshare-all"] + (features.disableUserns ? ["--unshare-user", "--disable-userns"] : [])
            + ["--die-with-parent", "--new-session", "--cap-drop", "ALL"]
    }

    /// The `bwrap` command line up to (not including) the program to run.
    /// - Parameters:
    ///   - readOnly: folders bound read-only at their own paths (the private folder with the driver).
    ///   - writable: folders bound read-write at their own paths (the data folder).
    ///   - python: the interpreter binary: its installation stays visible when it lives in a hidden folder.
    ///   - tmpfsSize: bytes each private tmpfs (`/tmp`, `/var/tmp`, `/run`, the home folder) may hold, where
    ///     `features.tmpfsSize`.
    static func arguments(
        bwrap: String, features: Features, readOnly: [String], writable: [String], directory: String, python: String,
        tmpfsSize: Int?, hidden: [String] = hiddenFolders()
    ) -> [String] {
        var arguments = [bwrap] + isolationFlags(features)
        arguments += ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
        // The host's temporary folders, runtime sockets (a Docker or D-Bus socket in /run) and home are hidden.
        for folder in hidden {
            if let tmpfsSize, features.tmpfsSize { arguments += ["--size", String(tmpfsSize)] }
            arguments += ["--tmpfs", folder]
        }
        for prefix in installations(of: python) where hidden.contains(where: { prefix.hasPrefix($0 + "/") }) {
            arguments += ["--ro-bind", prefix, prefix]
        }
        for folder in readOnly { arguments += ["--ro-bind", folder, folder] }
        for folder in writable { arguments += ["--bind", folder, folder] }
        arguments += ["--chdir", directory, "--"]
        return arguments
    }

    /// `/tmp`, `/var/tmp`, `/run` and the host user's home, by their real paths (symbolic links resolved, so that a
    /// home reached through a link is hidden too). The home is `$HOME`, or the passwd entry's when it is unset.
    static func hiddenFolders(home: String? = ProcessInfo.processInfo.environment["HOME"]) -> [String] {
        var candidates = ["/tmp", "/var/tmp", "/run"]
        let homes = [home, passwdHome()].compactMap { $0 }.filter { $0.hasPrefix("/") && $0.count > 1 }
        candidates += homes
        var out: [String] = []
        for folder in candidates {
            guard let real = realPath(folder), real != "/" else { continue }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: real, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
            if !out.contains(real) { out.append(real) }
        }
        return out
    }

    /// The home folder of the user running this process, from the passwd database.
    static func passwdHome() -> String? {
        guard let entry = getpwuid(getuid()), let directory = entry.pointee.pw_dir else { return nil }
        return String(cString: directory)
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The installation folders of a Python binary (`…/bin/python3` → `…`): of the path itself (a
    /// virtual environment) and of the binary it links to (the base installation, e.g. pyenv's).
    static func installations(of python: String) -> [String] {
        let paths = [python, URL(fileURLWithPath: python).resolvingSymlinksInPath().path]
        var prefixes: [String] = []
        for path in paths {
            let prefix = URL(fileURLWithPath: path).deletingLastPathComponent().deletingLastPathComponent().path
            if prefix != "/", !prefixes.contains(prefix) { prefixes.append(prefix) }
        }
        return prefixes
    }
}
