import Foundation
import Testing

@testable import FunctionaryAgent

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 20: the interpreter fails closed without bubblewrap, hides the home folder by its real path, bounds its
/// tmpfs folders, forbids user namespaces inside, and binds each reply to its cell.
@Suite("Code interpreter sandbox (issue 20)", .serialized)
struct InterpreterHardeningTests {
    @Test("without a working bubblewrap the interpreter does not start, and says how to ask for limits only")
    func failsClosed() async throws {
        guard ProcessInfo.processInfo.environment[Bubblewrap.disableVariable] == nil else { return }
        let python = CodeInterpreter(configuration: .init(bubblewrap: "/nonexistent/bwrap"))
        defer { Task { await python.shutdown() } }
        do {
            let result = try await python.run("1 + 1")
            Issue.record("the interpreter ran without a sandbox: \(result.formatted)")
        } catch let error as AgentError {
            #expect(error.code == .interpreter)
            #expect(error.message.contains("needs a sandbox"), "\(error.message)")
            #expect(error.message.contains("--sandbox limits-only"), "\(error.message)")
        }
        // Asked for explicitly, limits only run (with the warning).
        let limited = CodeInterpreter(configuration: .init(sandbox: .limitsOnly, bubblewrap: "/nonexistent/bwrap"))
        defer { Task { await limited.shutdown() } }
        #expect(try await limited.run("1 + 1").result == "2")
        #expect(await limited.warnings.contains { $0.contains("without a sandbox") })
    }

    @Test("the home folder is hidden by its real path: through a symbolic link, and from passwd when HOME is unset")
    func homeByRealPath() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("home-\(UUID().uuidString)")
        let real = root.appendingPathComponent("real/home")
        try FileManager.default.createDirectory(at: real, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let link = root.appendingPathComponent("link")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: real.path)
        let realPath = try #require(Bubblewrap.realPath(real.path))
        // The old code skipped a home that was not its own real path: it stayed visible.
        #expect(Bubblewrap.hiddenFolders(home: link.path + "/").contains(realPath))
        if let passwd = Bubblewrap.passwdHome(), let resolved = Bubblewrap.realPath(passwd), resolved != "/" {
            #expect(Bubblewrap.hiddenFolders(home: nil).contains(resolved))
        }
    }

    @Test("each private tmpfs gets --size, and --disable-userns comes with --unshare-user")
    func bwrapArguments() {
        let features = Bubblewrap.Features(tmpfsSize: true, disableUserns: true)
        let arguments = Bubblewrap.arguments(
            bwrap: "/usr/bin/bwrap", features: features, readOnly: [], writable: ["/data"], directory: "/data",
            python: "/usr/bin/python3", tmpfsSize: 1 << 20, hidden: ["/tmp", "/run", "/home/me"])
        for (index, argument) in arguments.enumerated() where argument == "--tmpfs" {
            #expect(arguments[index - 2] == "--size" && arguments[index - 1] == "1048576", "\(arguments)")
        }
        #expect(arguments.filter { $0 == "--tmpfs" }.count == 3)
        #expect(arguments.contains("--disable-userns") && arguments.contains("--unshare-user"))
        let plain = Bubblewrap.arguments(
            bwrap: "/usr/bin/bwrap", features: .init(tmpfsSize: false, disableUserns: false), readOnly: [], writable: [],
            directory: "/data", python: "/usr/bin/python3", tmpfsSize: 1 << 20, hidden: ["/tmp"])
        #expect(!plain.contains("--size") && !plain.contains("--disable-userns"))
    }

    #if os(Linux)
        @Test("in the sandbox, /tmp holds no more than its size and no user namespace can be made")
        func tmpfsBoundAndNoUserNamespaces() async throws {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("functionary-data-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let python = CodeInterpreter(configuration: .init(dataDirectory: folder, timeLimit: .seconds(20), tmpfsSize: 8 << 20))
            defer { Task { await python.shutdown() } }
            let write = try await python.run(
                """
                import errno
                try:
                    with open('/tmp/big', 'wb') as f:
                        for _ in range(64):
                            f.write(b'x' * (1 << 20))
                    outcome = 'wrote 64 MiB'
                except OSError as e:
                    outcome = errno.errorcode.get(e.errno, str(e.errno))
                outcome
                """)
            #expect(await python.isSandboxed)
            #expect(write.result == "'ENOSPC'", "\(write.formatted)")
            let userns = try await python.run(
                """
                import subprocess
                r = subprocess.run(['unshare', '-U', 'true'], capture_output=True)
                r.returncode != 0
                """)
            #expect(userns.result == "True", "\(userns.formatted)")
        }
    #endif

    @Test("a frame a cell forges on the reply pipe is refused, and later cells get their own replies", arguments: CodeInterpreterIsolationTests.modes)
    func forgedReplyIsRefused(_ sandbox: CodeInterpreter.Configuration.Sandbox) async throws {
        let (python, folder) = isolatedInterpreter(sandbox)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        defer { Task { await python.shutdown() } }
        let forge = """
            import json, os, sys
            body = json.dumps({"stdout": "FORGED", "stderr": "", "result": None, "error": None}).encode()
            os.write(sys.modules['__main__'].PROTO_OUT, b"%d\\n" % len(body) + body)
            'real one'
            """
        // The old host took the forged frame for this cell's reply and the real one for the next cell's.
        let forged = try await python.run(forge)
        #expect(forged.stdout != "FORGED")
        #expect(forged.restarted, "\(forged.formatted)")
        #expect(forged.error?.contains("not this cell's") == true, "\(forged.formatted)")
        let next = try await python.run("print('mine')")
        #expect(next.stdout == "mine\n", "\(next.formatted)")
    }
}
