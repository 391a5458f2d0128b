import Foundation
import FunctionaryAgent
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A fresh data folder and an interpreter in `sandbox` mode with a small process limit.
func isolatedInterpreter(
    _ sandbox: CodeInterpreter.Configuration.Sandbox, timeLimit: Duration = .seconds(5), maxProcesses: Int? = 64
) -> (CodeInterpreter, String) {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("functionary-data-\(UUID().uuidString)").path
    let python = CodeInterpreter(
        configuration: CodeInterpreter.Configuration(
            dataDirectory: folder, timeLimit: timeLimit, killGrace: .seconds(1), memoryLimit: 1 << 30, sandbox: sandbox,
            maxProcesses: maxProcesses))
    return (python, folder)
}

/// Whether a process whose command line contains `marker` is running (on the host's /proc).
func processRunning(withMarker marker: String) -> Bool {
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return false }
    for entry in entries where Int(entry) != nil {
        guard let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { continue }
        let text = String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
        if text.contains(marker), !text.contains("import") { return true }
    }
    return false
}

/// Waits (up to `limit`) until no process has `marker` in its command line.
func waitUntilGone(_ marker: String, limit: Duration = .seconds(5)) async -> Bool {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if !processRunning(withMarker: marker) { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return !processRunning(withMarker: marker)
}

/// Kills what a test left behind (for a mode that cannot end it), so that later tests are not disturbed.
func killLeftovers(_ marker: String) {
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return }
    for entry in entries {
        guard let pid = Int32(entry), let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { continue }
        let text = String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
        if text.contains(marker), !text.contains("import") { kill(pid, SIGKILL) }
    }
}

/// The limits that hold in both modes: bubblewrap, and the fallback without it (forced by the configuration).
@Suite("Code interpreter isolation", .serialized)
struct CodeInterpreterIsolationTests {
    static let modes: [CodeInterpreter.Configuration.Sandbox] = [.automatic, .limitsOnly]

    @Test("the sandbox mode is what was asked: bubblewrap on Linux by default; limits only prints one warning", arguments: modes)
    func mode(_ sandbox: CodeInterpreter.Configuration.Sandbox) async throws {
        let (python, folder) = isolatedInterpreter(sandbox)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        defer { Task { await python.shutdown() } }
        #expect(try await python.run("1 + 1").result == "2")
        let warnings = await python.warnings
        if sandbox == .limitsOnly {
            #expect(await !python.isSandboxed)
            let warning = try #require(warnings.first)
            #expect(warning.hasPrefix("warning: the code interpreter runs without a sandbox (the configuration asks for limits only)"))
            #expect(!warning.contains("\n"))
        } else {
            #if os(Linux)
                // `make deps` installs bubblewrap; without it (or without user namespaces) this fails and says why.
                #expect(await python.isSandboxed, "\(warnings)")
            #endif
            let sandboxed = await python.isSandboxed
            #expect(!warnings.contains { $0.contains("without a sandbox") } || !sandboxed)
        }
        #if os(Linux)
            #expect(await python.isNetworkIsolated)
        #endif
    }

    @Test("a forged reply length does not make the host allocate it: the interpreter is replaced", arguments: modes)
    func forgedFrame(_ sandbox: CodeInterpreter.Configuration.Sandbox) async throws {
        let (python, folder) = isolatedInterpreter(sandbox)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        defer { Task { await python.shutdown() } }
        _ = try await python.run("lost = 1")
        // 1 TiB: the old reader allocated the announced length at once and the host died.
        let forged = try await python.run("import os, sys\nos.write(sys.modules['__main__'].PROTO_OUT, b'1099511627776\\n')")
        #expect(forged.restarted)
        #expect(forged.error?.contains("exceeds the limit") == true, "\(forged.formatted)")
        #expect(try await python.run("'fresh'").result == "'fresh'")
    }

    @Test("a grandchild in its own session holding the reply pipe does not hang the cell, nor later ones", arguments: modes)
    func setsidGrandchild(_ sandbox: CodeInterpreter.Configuration.Sandbox) async throws {
        let (python, folder) = isolatedInterpreter(sandbox, timeLimit: .seconds(2))
        defer { try? FileManager.default.removeItem(atPath: folder) }
        defer { Task { await python.shutdown() } }
        let marker = "31\(Int.random(in: 100_000..<999_999)).5"
        defer { killLeftovers(marker) }
        let holdPipe = """
            import os, sys
            out = sys.modules['__main__'].PROTO_OUT
            if os.fork() == 0:
                os.setsid()
                os.set_inheritable(out, True)
                os.execv('/bin/sleep', ['sleep', '\(marker)'])

            """
        // The interpreter exits while the grandchild keeps the pipe open: the old host waited for end of file forever.
        var start = ContinuousClock.now
        let exited = try await python.run(holdPipe + "os._exit(1)")
        #expect(ContinuousClock.now - start < .seconds(8))
        #expect(exited.restarted)
        #expect(exited.error?.contains("exited with status 1") == true, "\(exited.formatted)")
        #expect(try await python.run("'next'").result == "'next'")
        // The cell ignores its time limit: it is killed, and the reply wait ends although the pipe stays open.
        start = ContinuousClock.now
        let killed = try await python.run(holdPipe + "import signal\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\nwhile True: pass")
        #expect(ContinuousClock.now - start < .seconds(10))
        #expect(killed.error?.contains("did not stop within its time limit") == true, "\(killed.formatted)")
        #expect(try await python.run("'later'").result == "'later'")
        if await python.endsAllDescendants { #expect(await waitUntilGone(marker)) }
    }

    @Test("the host's /proc/<pid>/environ cannot be read (the host is not dumpable; root drops its capabilities)", arguments: modes)
    func hostEnvironment(_ sandbox: CodeInterpreter.Configuration.Sandbox) async throws {
        let (python, folder) = isolatedInterpreter(sandbox)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        defer { Task { await python.shutdown() } }
        // PWD: set by bubblewrap (`--chdir`) in the interpreter's initial environment, the data folder.
        let allowed = ["HOME", "LANG", "MPLBACKEND", "PATH", "PWD", "PYTHONIOENCODING"]
        let probe = try await python.run(
            """
            def names(pid):
                try:
                    with open('/proc/%s/environ' % pid, 'rb') as f:
                        return sorted({v.split(b'=')[0].decode() for v in f.read().split(b'\\0') if v} - set(\(allowed)))
                except OSError as e:
                    return type(e).__name__
            names(\(getpid()))
            """)
        let result = try #require(probe.result, "\(probe.formatted)")
        // Not readable (PermissionError; under bubblewrap the host's pid does not exist), or a sandbox process's scrubbed list.
        #expect(result == "'PermissionError'" || result == "'FileNotFoundError'" || result == "[]", "\(result)")
        if await python.isSandboxed {
            // No process in sight has any other variable: the host's processes are not visible at all.
            let all = try await python.run(
                "import os\nfound = [names(p) for p in os.listdir('/proc') if p.isdigit()]\nsorted({n for r in found if isinstance(r, list) for n in r})"
            )
            #expect(all.result == "[]", "\(all.formatted)")
        }
    }

    @Test("a fork bomb is contained by the process limit; the interpreter goes on", arguments: modes)
    func forkBomb(_ sandbox: CodeInterpreter.Configuration.Sandbox) async throws {
        let (python, folder) = isolatedInterpreter(sandbox, timeLimit: .seconds(20), maxProcesses: 48)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        defer { Task { await python.shutdown() } }
        let bomb = try await python.run(
            """
            import os, time
            children = 0
            try:
                for _ in range(300):
                    if os.fork() == 0:
                        time.sleep(30)
                        os._exit(0)
                    children += 1
                outcome = 'unbounded'
            except OSError as e:
                outcome = type(e).__name__
            (outcome, children)
            """)
        let warnings = await python.warnings
        if warnings.contains(where: { $0.contains("no process limit") }) {
            // Root without a writable pids cgroup: nothing can bound it, and the interpreter said so.
            #expect(bomb.result != nil)
        } else {
            let result = try #require(bomb.result, "\(bomb.formatted)")
            #expect(result.hasPrefix("('BlockingIOError', "), "\(result)")
            let count = Int(result.dropFirst("('BlockingIOError', ".count).dropLast()) ?? 999
            #expect(count < 48 + 8)
        }
        await python.restart()
        #expect(try await python.run("'after'").result == "'after'")
    }

    @Test("modules in the data folder never replace installed ones (json.py, fractions.py)", arguments: modes)
    func moduleShadowing(_ sandbox: CodeInterpreter.Configuration.Sandbox) async throws {
        let (python, folder) = isolatedInterpreter(sandbox)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        defer { Task { await python.shutdown() } }
        _ = try await python.run(
            "for name in ('json', 'fractions', 'mylocal'):\n    open(name + '.py', 'w').write('SHADOW = True\\n')")
        await python.restart()
        let imported = try await python.run(
            "import json, fractions, mylocal\n(hasattr(json, 'SHADOW'), hasattr(fractions, 'SHADOW'), mylocal.SHADOW, json.dumps([1]))")
        #expect(imported.result == "(False, False, True, '[1]')", "\(imported.formatted)")
    }
}

#if os(Linux)
    /// What only bubblewrap gives: the file system, the network and the processes of the host are out of reach.
    @Suite("Code interpreter under bubblewrap", .serialized)
    struct CodeInterpreterSandboxTests {
        @Test("a cell cannot write outside the data folder (system, home, temporary folders, the driver)")
        func writesConfined() async throws {
            let (python, folder) = isolatedInterpreter(.automatic)
            defer { try? FileManager.default.removeItem(atPath: folder) }
            defer { Task { await python.shutdown() } }
            let outside = FileManager.default.temporaryDirectory.appendingPathComponent("functionary-outside-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o777])
            defer { try? FileManager.default.removeItem(atPath: outside) }
            let home = ProcessInfo.processInfo.environment["HOME"] ?? "/root"
            let name = "functionary-escape-\(UUID().uuidString)"
            let targets = ["\(outside)/\(name)", "/etc/\(name)", "\(home)/\(name)", "/usr/\(name)", "/var/tmp/\(name)"]
            let probe = try await python.run(
                """
                import sys
                written = []
                for path in \(targets) + [sys.modules['__main__'].DRIVER]:
                    try:
                        with open(path, 'a') as f:
                            f.write('x')
                        written.append(path)
                    except OSError:
                        pass
                open('inside.txt', 'w').write('ok')
                written
                """)
            #expect(await python.isSandboxed)
            let written = try #require(probe.result, "\(probe.formatted)")
            #expect(
                !written.contains(outside) && !written.contains("/etc/") && !written.contains("/usr/") && !written.contains("driver"), "\(written)")
            for target in targets { #expect(!FileManager.default.fileExists(atPath: target), "\(target)") }
            #expect(try String(contentsOfFile: folder + "/inside.txt", encoding: .utf8) == "ok")
        }

        @Test("a cell cannot reach the network, not even a server on the host's loopback")
        func noNetwork() async throws {
            let (python, folder) = isolatedInterpreter(.automatic)
            defer { try? FileManager.default.removeItem(atPath: folder) }
            defer { Task { await python.shutdown() } }
            // A listening socket on the host's 127.0.0.1: reachable from any process of the host's network namespace.
            let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(server) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(server, $0, length) } }
            #expect(listen(server, 4) == 0)
            _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(server, $0, &length) } }
            let port = Int(UInt16(bigEndian: address.sin_port))
            let probe = try await python.run(
                """
                import socket
                def reach(host, port):
                    try:
                        socket.create_connection((host, port), timeout=2).close()
                        return 'connected'
                    except OSError as e:
                        return type(e).__name__
                (reach('127.0.0.1', \(port)), reach('1.1.1.1', 53))
                """)
            #expect(await python.isSandboxed)
            let result = try #require(probe.result, "\(probe.formatted)")
            #expect(!result.contains("connected") && result.hasSuffix("'OSError')"), "\(result)")
        }

        @Test("a cell cannot leave a process behind: background, detached and double-forked processes end with the cell")
        func noProcessLeftBehind() async throws {
            let (python, folder) = isolatedInterpreter(.automatic)
            defer { try? FileManager.default.removeItem(atPath: folder) }
            defer { Task { await python.shutdown() } }
            let marker = "41\(Int.random(in: 100_000..<999_999)).5"
            defer { killLeftovers(marker) }
            // A busy loop too: with the CPU limit raised back after the cell (the old driver), it ran on unbounded.
            let started = try await python.run(
                """
                import os, subprocess, sys
                subprocess.Popen(['sleep', '\(marker)'], start_new_session=True)
                subprocess.Popen([sys.executable, '-c', 'while True: pass', '\(marker)'], start_new_session=True)
                if os.fork() == 0:
                    os.setsid()
                    if os.fork() == 0:
                        os.execv('/bin/sleep', ['sleep', '\(marker)'])
                    os._exit(0)
                import time; time.sleep(0.3)
                'started'
                """)
            #expect(started.result == "'started'", "\(started.formatted)")
            #expect(await python.isSandboxed)
            // Gone as soon as the cell is over, while the interpreter goes on.
            #expect(await waitUntilGone(marker, limit: .seconds(2)))
            #expect(try await python.run("'alive'").result == "'alive'")
        }
    }
#endif
