import Foundation

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
    /// Whether bubblewrap works here: `.available(path)`, or why not (for the one-line warning).
    enum Probe: Sendable, Equatable {
        case available(String)
        case unavailable(String)
    }

    /// The environment variable that turns bubblewrap off for every interpreter of the process
    /// (`FUNCTIONARY_SANDBOX=none`), e.g. where a surrounding container already isolates it.
    static let disableVariable = "FUNCTIONARY_SANDBOX"

    static var disabledByEnvironment: Bool {
        let value = ProcessInfo.processInfo.environment[disableVariable]?.lowercased()
        return value == "none" || value == "off" || value == "0"
    }

    /// Looks for `bwrap` and starts a sandbox like the interpreter's once per process (user namespaces
    /// may be off, or a container may forbid `mount`).
    static let probe: Probe = {
        #if os(Linux)
            guard let bwrap = InterpreterSandbox.locate("bwrap") else {
                return .unavailable("bwrap (bubblewrap) is not installed")
            }
            let arguments = [bwrap] + isolationFlags + ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "/bin/sh", "-c", "exit 0"]
            guard InterpreterSandbox.run(arguments, environment: ["PATH": InterpreterSandbox.hostPath]) != nil else {
                return .unavailable("bwrap cannot create a sandbox here (user namespaces off or mounts forbidden)")
            }
            return .available(bwrap)
        #else
            return .unavailable("bubblewrap needs Linux")
        #endif
    }()

    /// New user, PID, network, IPC, UTS and cgroup namespaces; no capabilities; killed with its parent;
    /// a new session (no terminal to inject input into).
    static let isolationFlags = ["--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL"]

    /// The `bwrap` command line up to (not including) the program to run.
    /// - Parameters:
    ///   - readOnly: folders bound read-only at their own paths (the private folder with the driver).
    ///   - writable: folders bound read-write at their own paths (the data folder).
    ///   - python: the interpreter binary: its installation stays visible when it lives in a hidden folder.
    static func arguments(bwrap: String, readOnly: [String], writable: [String], directory: String, python: String) -> [String] {
        var arguments = [bwrap] + isolationFlags
        arguments += ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
        // The host's temporary folders, runtime sockets (a Docker or D-Bus socket in /run) and home are hidden.
        let hidden = hiddenFolders()
        for folder in hidden { arguments += ["--tmpfs", folder] }
        for prefix in installations(of: python) where hidden.contains(where: { prefix.hasPrefix($0 + "/") }) {
            arguments += ["--ro-bind", prefix, prefix]
        }
        for folder in readOnly { arguments += ["--ro-bind", folder, folder] }
        for folder in writable { arguments += ["--bind", folder, folder] }
        arguments += ["--chdir", directory, "--"]
        return arguments
    }

    /// `/tmp`, `/var/tmp`, `/run` and the host user's home, where they are folders (not links).
    static func hiddenFolders() -> [String] {
        var candidates = ["/tmp", "/var/tmp", "/run"]
        if let home = ProcessInfo.processInfo.environment["HOME"], home.hasPrefix("/"), home.count > 1 {
            candidates.append(URL(fileURLWithPath: home).standardizedFileURL.path)
        }
        return candidates.filter { folder in
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else { return false }
            return URL(fileURLWithPath: folder).resolvingSymlinksInPath().path == folder
        }
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
