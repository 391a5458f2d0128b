import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// How the interpreter process is started: its environment, the real Python binary, and the
/// network-namespace wrapper where one works.
enum InterpreterSandbox {
    /// The host's `PATH` (not a secret; needed to find programs), or a default.
    static var hostPath: String {
        ProcessInfo.processInfo.environment["PATH"].flatMap { $0.isEmpty ? nil : $0 } ?? "/usr/local/bin:/usr/bin:/bin"
    }

    /// The whole environment of the interpreter: nothing is inherited from the host but `PATH`.
    static func environment(home: String, extra: [String: String]) -> [String: String] {
        var environment = [
            "PATH": hostPath,
            "HOME": home,
            "LANG": "C.UTF-8",
            "PYTHONIOENCODING": "utf-8",
            "MPLBACKEND": "Agg",
        ]
        for (key, value) in extra { environment[key] = value }
        return environment
    }

    /// `command` as an absolute path: itself when it has a slash, else the first match on `PATH`.
    static func locate(_ command: String) -> String? {
        if command.contains("/") { return FileManager.default.isExecutableFile(atPath: command) ? command : nil }
        for directory in hostPath.split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/\(command)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// The real interpreter behind `command`: wrappers such as pyenv shims run a shell script that adds
    /// variables of its own, so the interpreter is asked for `sys.executable` once and started directly.
    static func resolvePython(_ command: String) throws -> String {
        guard let located = locate(command) else {
            throw AgentError(
                .interpreter,
                "The code interpreter needs Python 3, but '\(command)' was not found on PATH; "
                    + "install python3 or configure CodeInterpreter.Configuration.python."
            )
        }
        let output = run([located, "-c", "import sys; print(sys.executable)"], environment: environment(home: "/", extra: [:]))
        if let output {
            let path = output.trimmingWhitespace()
            if path.hasPrefix("/"), FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return located
    }

    /// The command prefix that runs a program without network (`unshare -n`, or `unshare -r -n` for a
    /// user without privileges where user namespaces are allowed), checked once per process; `nil` when
    /// neither works (then the interpreter runs with the host's network).
    static let networkIsolationPrefix: [String]? = {
        #if os(Linux)
            guard let unshare = InterpreterSandbox.locate("unshare") else { return nil }
            let candidates: [[String]] = getuid() == 0 ? [["-n"], ["-r", "-n"]] : [["-r", "-n"], ["-n"]]
            for flags in candidates {
                let probe = [unshare] + flags + ["/bin/sh", "-c", "exit 0"]
                if InterpreterSandbox.run(probe, environment: ["PATH": InterpreterSandbox.hostPath]) != nil { return [unshare] + flags }
            }
            return nil
        #else
            return nil
        #endif
    }()

    /// Runs blocking work (starting and waiting for a short command) on a thread of its own, so that no
    /// thread of the cooperative pool waits on it.
    static func onThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: body()) }
            thread.name = "functionary-python-setup"
            thread.start()
        }
    }

    /// Runs a short command to completion; its stdout, or `nil` when it fails or exits non-zero.
    static func run(_ arguments: [String], environment: [String: String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return nil
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
