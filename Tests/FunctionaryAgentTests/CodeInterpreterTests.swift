import Foundation
import FunctionaryAgent
import FunctionaryProtocol
import Testing

func interpreter(
    timeLimit: Duration = .seconds(10), memory: Int? = 1 << 30, output: Int = 20_000, data: String? = nil
) -> CodeInterpreter {
    CodeInterpreter(
        configuration: CodeInterpreter.Configuration(
            dataDirectory: data, timeLimit: timeLimit, killGrace: .seconds(1), memoryLimit: memory, maxOutputCharacters: output))
}

@Suite("Code interpreter", .serialized)
struct CodeInterpreterTests {
    @Test("state persists across cells; the last expression is the result, like a notebook")
    func statePersists() async throws {
        let python = interpreter()
        defer { Task { await python.shutdown() } }
        let first = try await python.run("import math\nx = 41\nprint('set x')")
        #expect(first.stdout == "set x\n")
        #expect(first.result == nil)
        let second = try await python.run("x + 1")
        #expect(second.result == "42")
        #expect(try await python.run("math.sqrt(x + 8)").result == "7.0")
        #expect(try await python.run("'中文 ✓'").result == "'中文 ✓'")
        #expect(try await python.run("None").formatted == "(no output)")
    }

    @Test("errors come back as tracebacks of the cell; the state survives")
    func errors() async throws {
        let python = interpreter()
        defer { Task { await python.shutdown() } }
        _ = try await python.run("y = 2")
        let failure = try await python.run("def f():\n    raise ValueError('bad value')\nf()")
        #expect(failure.error?.hasPrefix("Traceback (most recent call last):\n  File \"<cell-2>\", line 3, in <module>") == true)
        #expect(failure.error?.hasSuffix("ValueError: bad value") == true)
        #expect(failure.error?.contains("driver") == false)
        #expect(try await python.run("y").result == "2")
        let syntax = try await python.run("if True print(1)")
        #expect(syntax.error?.contains("SyntaxError") == true)
        #expect(failure.formatted.hasSuffix("ValueError: bad value"))
    }

    @Test("a `while True: pass` cell is stopped at its time limit and the next cell works (state kept)")
    func infiniteLoop() async throws {
        let python = interpreter(timeLimit: .seconds(2))
        defer { Task { await python.shutdown() } }
        _ = try await python.run("kept = 'yes'")
        let start = ContinuousClock.now
        let stopped = try await python.run("while True: pass")
        let elapsed = ContinuousClock.now - start
        #expect(elapsed >= .seconds(1.9) && elapsed < .seconds(4), "took \(elapsed)")
        #expect(stopped.error?.hasSuffix("TimeoutError: the cell exceeded its time limit of 2 s") == true)
        #expect(!stopped.restarted)
        #expect(try await python.run("kept").result == "'yes'")
    }

    @Test("a cell that ignores its time limit is killed; a fresh interpreter takes the next cell")
    func hang() async throws {
        let python = interpreter(timeLimit: .seconds(1))
        defer { Task { await python.shutdown() } }
        _ = try await python.run("lost = 1")
        let start = ContinuousClock.now
        let killed = try await python.run("import signal\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\nwhile True: pass")
        #expect(ContinuousClock.now - start < .seconds(5))
        #expect(killed.restarted)
        #expect(killed.error?.contains("did not stop within its time limit of 1 s") == true)
        #expect(try await python.run("1 + 1").result == "2")
        #expect(try await python.run("lost").error?.contains("NameError") == true)
    }

    @Test("a crashing interpreter ends the cell with an error and is replaced")
    func crash() async throws {
        let python = interpreter()
        defer { Task { await python.shutdown() } }
        let crashed = try await python.run("import os\nos._exit(3)")
        #expect(crashed.restarted)
        #expect(
            crashed.error
                == "Error: the interpreter exited with status 3. A fresh interpreter will run the next cell; the earlier state (variables, imports) is lost."
        )
        let killed = try await python.run("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)")
        #expect(killed.error?.contains("killed by signal 9") == true)
        #expect(try await python.run("'alive'").result == "'alive'")
    }

    @Test("the environment carries none of the host's variables")
    func scrubbedEnvironment() async throws {
        setenv("OPENAI_API_KEY", "sk-host-secret-do-not-leak", 1)
        setenv("FUNCTIONARY_TEST_SECRET", "hunter2", 1)
        let python = interpreter()
        defer { Task { await python.shutdown() } }
        let result = try await python.run("import os\nsorted(os.environ)")
        let names = try #require(result.result)
        #expect(!names.contains("OPENAI_API_KEY"))
        #expect(!names.contains("FUNCTIONARY_TEST_SECRET"))
        #expect(names == "['HOME', 'LANG', 'MPLBACKEND', 'PATH', 'PYTHONIOENCODING']")
        let leaked = try await python.run("import subprocess\nsubprocess.run(['env'], capture_output=True, text=True).stdout")
        #expect(leaked.result?.contains("sk-host-secret") == false)
    }

    @Test("memory is bounded: a big allocation fails with MemoryError and the interpreter goes on")
    func memoryBounded() async throws {
        let python = interpreter(memory: 512 << 20)
        defer { Task { await python.shutdown() } }
        let big = try await python.run("block = bytearray(1 << 30)")
        #expect(big.error?.hasSuffix("MemoryError") == true)
        #expect(try await python.run("small = bytearray(1 << 20); len(small)").result == "1048576")
    }

    @Test("CPU time is bounded: a busy cell under a long wall-clock limit ends at its CPU limit; the state survives")
    func cpuTimeBounded() async throws {
        let python = CodeInterpreter(
            configuration: CodeInterpreter.Configuration(timeLimit: .seconds(30), killGrace: .seconds(1), cpuTimeLimit: .seconds(1)))
        defer { Task { await python.shutdown() } }
        _ = try await python.run("kept = 1")
        let start = ContinuousClock.now
        let busy = try await python.run("while True: pass")
        #expect(ContinuousClock.now - start < .seconds(10))
        #expect(busy.error?.contains("TimeoutError: the cell exceeded its CPU time limit") == true, "\(busy.formatted)")
        #expect(try await python.run("kept + 1").result == "2")
    }

    @Test("file size is bounded: writing past the limit fails with OSError and the interpreter goes on")
    func fileSizeBounded() async throws {
        let python = CodeInterpreter(
            configuration: CodeInterpreter.Configuration(timeLimit: .seconds(10), killGrace: .seconds(1), fileSizeLimit: 1 << 20))
        defer { Task { await python.shutdown() } }
        let big = try await python.run("with open('big.bin', 'wb') as f:\n    f.write(b'x' * (2 << 20))")
        #expect(big.error?.contains("OSError") == true || big.error?.contains("File too large") == true, "\(big.formatted)")
        #expect(!big.restarted)
        let small = try await python.run("with open('small.bin', 'wb') as f:\n    f.write(b'x' * 1000)\nimport os; os.path.getsize('small.bin')")
        #expect(small.result == "1000", "\(small.formatted)")
    }

    @Test("output is truncated to the bound")
    func outputBounded() async throws {
        let python = interpreter(output: 1000)
        defer { Task { await python.shutdown() } }
        let loud = try await python.run("print('x' * 1_000_000)\n'y' * 50_000")
        #expect(loud.stdout.count < 1100)
        #expect(loud.stdout.contains("bytes omitted"))
        #expect((loud.result?.count ?? 0) < 1100)
        #expect(loud.result?.contains("characters omitted") == true)
    }

    @Test("files: /mnt/data is the data folder, and the cell runs there")
    func dataDirectory() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("functionary-data-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let python = interpreter(data: folder)
        defer { Task { await python.shutdown() } }
        let written = try await python.run("open('/mnt/data/note.txt', 'w').write('hello')\nimport os\nos.getcwd()")
        #expect(written.result == "'/mnt/data'")
        #expect(try String(contentsOfFile: folder + "/note.txt", encoding: .utf8) == "hello")
        #expect(try await python.run("open('note.txt').read()").result == "'hello'")
    }

    @Test("subprocess output is captured too")
    func subprocessOutput() async throws {
        let python = interpreter()
        defer { Task { await python.shutdown() } }
        let result = try await python.run("import os\nos.system('echo from the shell')")
        #expect(result.stdout == "from the shell\n")
        #expect(result.result == "0")
    }

    @Test("no network where the platform allows it")
    func network() async throws {
        let python = interpreter()
        defer { Task { await python.shutdown() } }
        let probe = try await python.run(
            "import socket\ntry:\n    socket.create_connection(('127.0.0.1', 9), timeout=2)\n    r = 'connected'\nexcept OSError as e:\n    r = e.errno\nr"
        )
        if await python.isSandboxed {
            // bubblewrap's network namespace has its own loopback, where nothing listens.
            #expect(probe.result == "\(ECONNREFUSED)")
        } else if await python.isNetworkIsolated {
            #expect(probe.result == "\(ENETUNREACH)")
        } else {
            #expect(probe.result != nil)
        }
    }

    @Test("cells submitted together run one after the other")
    func serialCells() async throws {
        let python = interpreter()
        defer { Task { await python.shutdown() } }
        async let first = python.run("import time\ntime.sleep(0.3)\nshared = 1\nshared")
        try await Task.sleep(for: .milliseconds(50))
        async let second = python.run("shared + 1")
        #expect(try await first.result == "1")
        #expect(try await second.result == "2")
    }

    @Test("cancelling a cell interrupts it; the state survives")
    func cancelCell() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("functionary-data-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let python = interpreter(data: folder)
        defer { Task { await python.shutdown() } }
        _ = try await python.run("z = 5")
        let cell = Task { try await python.run("import time\nopen('started', 'w').close()\ntime.sleep(30)") }
        // Cancel once the cell is running (under load it may take a while to start).
        let deadline = ContinuousClock.now + .seconds(20)
        while !FileManager.default.fileExists(atPath: folder + "/started"), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        let start = ContinuousClock.now
        cell.cancel()
        let result = try await cell.value
        #expect(ContinuousClock.now - start < .seconds(4))
        #expect(result.error?.contains("KeyboardInterrupt") == true)
        #expect(try await python.run("z").result == "5")
    }

    @Test("a cell cancelled before it starts does not run")
    func cancelledBeforeStart() async throws {
        let python = interpreter()
        defer { Task { await python.shutdown() } }
        _ = try await python.run("counter = 0")
        let cell = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await python.run("counter += 1")
        }
        let result = try await cell.value
        #expect(result.error == "Error: the cell was cancelled before it ran.")
        #expect(try await python.run("counter").result == "0")
    }

    @Test("python calls in a conversation: raw code or {\"code\": …}, results sent back")
    func inConversation() async throws {
        let backend = ScriptedBackend { step, _ in
            switch step {
            case 0: return ScriptedBackend.calls([("c1", "python", "values = [3, 4]\nsum(values)")])
            case 1: return ScriptedBackend.calls([("c2", "python", #"{"code": "max(values)"}"#)])
            default: return ScriptedBackend.text("The sum is 7 and the max is 4.")
            }
        }
        let python = interpreter()
        defer { Task { await python.shutdown() } }
        let conversation = Conversation(backend: backend)
        await conversation.useCodeInterpreter(python)
        #expect(try await conversation.send("compute") == .answered)
        #expect(backend.requests[0].tools == [Tool.codeInterpreter])
        let results = await conversation.messages.filter { $0.role == "tool" }
        #expect(results.map(\.text) == ["7", "4"])
        #expect(results.map(\.name) == ["python", "python"])
        await conversation.reset()
        let afterReset = try await python.run("values")
        #expect(afterReset.error?.contains("NameError") == true)
    }
}
