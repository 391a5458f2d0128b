import Foundation
import FunctionaryProtocol

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension CodeInterpreter {
    /// The running interpreter, started (and greeted) if there is none.
    func runningProcess() async throws -> InterpreterProcess {
        if let process { return process }
        let workspace = try self.workspace ?? InterpreterWorkspace.create(dataDirectory: configuration.dataDirectory)
        self.workspace = workspace
        let python: String
        if let resolvedPython {
            python = resolvedPython
        } else {
            let command = configuration.python
            python = try await InterpreterSandbox.onThread { Result { try InterpreterSandbox.resolvePython(command) } }.get()
            resolvedPython = python
        }
        let prefix = configuration.isolateNetwork ? await InterpreterSandbox.onThread { InterpreterSandbox.networkIsolationPrefix } : nil
        let limits: JSONValue = [
            "memory": configuration.memoryLimit.map { JSONValue.number(JSONNumber($0)) } ?? .null,
            "file_size": configuration.fileSizeLimit.map { JSONValue.number(JSONNumber($0)) } ?? .null,
        ]
        let arguments =
            (prefix ?? []) + [python, "-s", "-E", workspace.driverPath, workspace.data, workspace.privateDirectory, limits.compactJSON()]
        let started = try InterpreterProcess.launch(
            arguments: arguments, environment: InterpreterSandbox.environment(home: workspace.data, extra: configuration.environment),
            directory: workspace.data, networkIsolated: prefix != nil)

        let watch = CellWatch(started)
        watch.schedule(after: configuration.startupTimeout, signal: SIGKILL)
        let outcome = await FrameReader.next(from: started.replyFD)
        let killed = watch.finish()
        guard case .frame(let bytes) = outcome, let hello = try? JSONValue(parsing: String(decoding: bytes, as: UTF8.self)),
            hello["ready"] == .bool(true)
        else {
            started.kill()
            let exit = await started.waitForExit()
            started.closeDescriptors()
            let reason = killed ? "it did not start within \(configuration.startupTimeout.formattedSeconds)" : Self.describe(exit)
            throw AgentError(.interpreter, "The code interpreter (\(python)) could not start: \(reason).")
        }
        warnings = hello["warnings"]?.arrayValue?.compactMap(\.stringValue) ?? []
        process = started
        return started
    }

    /// Sends one cell and waits for its reply; a process that dies or must be killed gives an error result.
    func execute(_ code: String, in current: InterpreterProcess) async throws -> CellResult {
        cellCount += 1
        var request: JSONObject = [
            "code": .string(code),
            "time_limit": .number(JSONNumber(configuration.timeLimit.secondsValue)),
            "max_output": .number(JSONNumber(max(100, configuration.maxOutputCharacters))),
        ]
        if let cpu = configuration.cpuTimeLimit { request["cpu_limit"] = .number(JSONNumber(cpu.secondsValue)) }
        let body = Array(JSONValue.object(request).compactJSON().utf8)
        let frame = Array("\(body.count)\n".utf8) + body

        if Task.isCancelled { return CellResult(error: "Error: the cell was cancelled before it ran.") }
        var process = current
        do {
            try process.send(frame)
        } catch {
            // The interpreter went away between two cells: start a fresh one and say so.
            discardProcess()
            process = try await runningProcess()
            try process.send(frame)
        }
        let watch = CellWatch(process)
        let grace = configuration.killGrace
        let replyFD = process.replyFD
        watch.schedule(after: configuration.timeLimit + grace, signal: SIGKILL)
        let outcome = await withTaskCancellationHandler {
            await FrameReader.next(from: replyFD)
        } onCancel: {
            watch.interrupt(grace: grace)
        }
        let killed = watch.finish()

        if case .frame(let bytes) = outcome, let reply = try? JSONValue(parsing: String(decoding: bytes, as: UTF8.self)) {
            return CellResult(
                stdout: reply["stdout"]?.stringValue ?? "", stderr: reply["stderr"]?.stringValue ?? "",
                result: reply["result"]?.stringValue, error: reply["error"]?.stringValue)
        }
        let exit = await process.waitForExit()
        discardProcess()
        let reason =
            killed
            ? "the cell did not stop within its time limit of \(configuration.timeLimit.formattedSeconds), so the interpreter was killed"
            : Self.describe(exit)
        return CellResult(
            error: "Error: \(reason). A fresh interpreter will run the next cell; the earlier state (variables, imports) is lost.",
            restarted: true)
    }

    static func describe(_ exit: (reason: Process.TerminationReason, status: Int32)?) -> String {
        guard let exit else { return "the interpreter stopped answering" }
        switch exit.reason {
        case .exit: return "the interpreter exited with status \(exit.status)"
        case .uncaughtSignal:
            let hint = exit.status == SIGKILL ? " (SIGKILL: perhaps the system ran out of memory)" : ""
            return "the interpreter was killed by signal \(exit.status)\(hint)"
        @unknown default: return "the interpreter stopped"
        }
    }
}

/// Kills an interpreter that overruns a deadline, unless the cell finished first.
// @unchecked Sendable: `active` and `killed` are only read and written under `lock`.
final class CellWatch: @unchecked Sendable {
    private let lock = NSLock()
    private var active = true
    private var killed = false
    let process: InterpreterProcess

    init(_ process: InterpreterProcess) { self.process = process }

    func schedule(after delay: Duration, signal: Int32) {
        DispatchQueue.global().asyncAfter(deadline: .now() + delay.secondsValue) { self.fire(signal) }
    }

    /// Cancellation: interrupt the cell (KeyboardInterrupt), and kill it if it does not stop soon.
    func interrupt(grace: Duration) {
        fire(SIGINT)
        schedule(after: grace, signal: SIGKILL)
    }

    func fire(_ signal: Int32) {
        lock.lock()
        defer { lock.unlock() }
        guard active else { return }
        if signal == SIGKILL {
            killed = true
            process.kill(SIGKILL)
        } else {
            _ = sendSignal(process.pid, signal)
        }
    }

    /// The cell is over; returns whether it was killed.
    func finish() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        active = false
        return killed
    }
}
