import Foundation
import FunctionaryProtocol
import Testing

@testable import FunctionaryAgent

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 20: an MCP server is untrusted. Against Tests/e2e/mcp_hostile.py (plain python3, no SDK needed).
@Suite("MCP server limits (issue 20)", .serialized)
struct MCPServerLimitTests {
    static let hostile = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("e2e/mcp_hostile.py").path

    /// The real interpreter (a pyenv shim would add variables of its own to what the server sees).
    static let python = (try? InterpreterSandbox.resolvePython("python3")) ?? "python3"

    func server(_ flags: [String], environment: [String] = [], limits: MCPServer.Limits = .init()) -> MCPServer {
        MCPServer(command: Self.python, arguments: ["-u", Self.hostile] + flags, environment: environment, limits: limits)
    }

    func startError(_ server: MCPServer) async -> String? {
        defer { Task { await server.stop() } }
        do {
            _ = try await server.start()
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test("endless pagination and repeated cursors end with a clear error")
    func pagination() async throws {
        let start = ContinuousClock.now
        let endless = await startError(server(["--paginate-forever"]))
        #expect(endless?.contains("still paginating its tool list after 16 pages") == true, "\(endless ?? "started")")
        #expect(ContinuousClock.now - start < .seconds(30))
        let repeated = await startError(server(["--repeat-cursor"]))
        #expect(repeated?.contains("repeated the tool-list cursor 'again'") == true, "\(repeated ?? "started")")
    }

    @Test("a tool list that is never answered times out")
    func listTimeout() async throws {
        // `sleep` never answers `initialize`: the start timeout; a server that never lists: the list timeout.
        let silent = MCPServer(command: "sleep", arguments: ["30"], startTimeout: .milliseconds(500))
        let error = await startError(silent)
        #expect(error?.contains("did not answer within") == true, "\(error ?? "started")")
    }

    @Test("tools per server are capped, and the cap is configurable")
    func toolCap() async throws {
        let error = await startError(server(["--tool-count", "500"]))
        #expect(error?.contains("lists more than 128 tools") == true, "\(error ?? "started")")
        let roomy = server(["--tool-count", "500"], limits: .init(maxTools: 500))
        defer { Task { await roomy.stop() } }
        #expect(try await roomy.start().count == 500)
    }

    @Test("tools with bad names, duplicate names or schemas over the limits are skipped with a warning")
    func badTools() async throws {
        let hostile = server(["--bad-tools"])
        defer { Task { await hostile.stop() } }
        let tools = try await hostile.start()
        #expect(Set(tools.map(\.name)) == ["dump", "ok_tool", "long_description"])
        let long = try #require(tools.first { $0.name == "long_description" })
        #expect((long.definition.function?.description?.count ?? 0) <= 4100)
        let warnings = await hostile.warnings
        #expect(warnings.count == 6, "\(warnings)")
        #expect(warnings.contains { $0.contains("schema nesting depth") })
        #expect(warnings.contains { $0.contains("lists the name twice") })
        #expect(warnings.allSatisfy { !$0.contains("\n") })
    }

    @Test("a long result is cut with a marker; a reply over the message limit is skipped as it is read")
    func resultSize() async throws {
        let long = server(["--dump-bytes", "1000000"])
        defer { Task { await long.stop() } }
        let tools = try await long.start()
        #expect(tools.contains { $0.name == "dump" })
        let text = try await long.call("dump", arguments: .object([:]))
        #expect(text.contains("[... 980000 characters omitted ...]") || text.contains("characters omitted"), "\(text.suffix(200))")
        #expect(text.count < 20_100)

        let huge = server(["--dump-bytes", String(64 << 20)])
        defer { Task { await huge.stop() } }
        _ = try await huge.start()
        let start = ContinuousClock.now
        do {
            let result = try await huge.call("dump", arguments: .object([:]))
            Issue.record("a 64 MiB reply was accepted: \(result.count) characters")
        } catch {
            #expect("\(error)".contains("over the limit of 8388608 bytes"), "\(error)")
        }
        // The SDK's reader searched its whole buffer after every 4 KiB read: minutes for 64 MiB.
        #expect(ContinuousClock.now - start < .seconds(30))
    }

    @Test("a stdio server gets only the allowlisted environment and what was asked for")
    func environment() async throws {
        setenv("FUNCTIONARY_TEST_SECRET_KEY", "secret", 1)
        setenv("FUNCTIONARY_TEST_PASSED", "passed", 1)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("env-\(UUID().uuidString).json").path
        defer { unlink(file) }
        let spy = server(["--env-file", file], environment: ["FUNCTIONARY_TEST_PASSED", "SET_HERE=1"])
        defer { Task { await spy.stop() } }
        _ = try await spy.start()
        let seen = try JSONValue(parsing: String(contentsOfFile: file, encoding: .utf8))
        #expect(seen["FUNCTIONARY_TEST_SECRET_KEY"] == nil)
        #expect(seen["FUNCTIONARY_TEST_PASSED"] == .string("passed"))
        #expect(seen["SET_HERE"] == .string("1"))
        #expect(seen["PATH"] != nil)
        let names = Set(seen.objectValue?.keys.map { $0 } ?? [])
        let allowed = Set(MCPServer.inheritedEnvironment + ["FUNCTIONARY_TEST_PASSED", "SET_HERE", "LC_CTYPE"])
        // Python itself may add LC_CTYPE (PEP 538) when the locale is C.
        #expect(names.isSubset(of: allowed), "\(names.subtracting(allowed))")
    }

    @Test("stop ends a server that ignores SIGTERM, and its children, within the grace period")
    func stopKillsTheGroup() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("child-\(UUID().uuidString)").path
        defer { unlink(file) }
        let stubborn = server(["--grandchild", file], limits: .init(stopGrace: .milliseconds(500)))
        _ = try await stubborn.start()
        let child = try #require(pid_t(String(contentsOfFile: file, encoding: .utf8)))
        #expect(kill(child, 0) == 0)
        let start = ContinuousClock.now
        await stubborn.stop()
        #expect(ContinuousClock.now - start < .seconds(3))
        // The grandchild was killed (a zombie of the server, reaped by init once the server is gone, or gone).
        let deadline = ContinuousClock.now + .seconds(3)
        var gone = false
        while !gone, ContinuousClock.now < deadline {
            let stat = (try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8)) ?? ""
            gone = stat.isEmpty || stat.split(separator: ")").last?.split(separator: " ").first == "Z"
            if !gone { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(gone)
    }

    @Test("the environment allowlist and tool names")
    func pureChecks() {
        let parent = ["PATH": "/bin", "HOME": "/h", "OPENAI_API_KEY": "x", "AWS_SECRET_ACCESS_KEY": "y", "KEEP": "k"]
        let env = MCPServer.serverEnvironment(parent: parent, extra: ["KEEP", "NEW=v", "MISSING"])
        #expect(env == ["PATH": "/bin", "HOME": "/h", "KEEP": "k", "NEW": "v"])
        #expect(MCPServer.isValidToolName("get_time-2"))
        for bad in ["", "a b", "a\"b", "a.b", String(repeating: "n", count: 65), "é"] { #expect(!MCPServer.isValidToolName(bad)) }
        #expect(MCPServer.shorten(String(repeating: "a", count: 100), limit: 40).contains("[... 60 characters omitted ...]"))
    }
}
