import Foundation
import FunctionaryProtocol
import Synchronization

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
        _ = HostProtection.nonDumpable
        var hostWarnings: [String] = []
        let bubblewrap = try await sandboxCommand(warnings: &hostWarnings)
        let group = configuration.maxProcesses.flatMap { ProcessGroupLimit.create(limit: $0) }
        let netPrefix: [String]?
        if bubblewrap != nil {
            netPrefix = []
        } else {
            netPrefix = configuration.isolateNetwork ? await InterpreterSandbox.onThread { InterpreterSandbox.networkIsolationPrefix } : nil
        }
        let isolation = InterpreterIsolation(bubblewrap: bubblewrap != nil, network: netPrefix != nil)
        let limits: JSONValue = [
            "memory": configuration.memoryLimit.map { JSONValue.number(JSONNumber($0)) } ?? .null,
            "file_size": configuration.fileSizeLimit.map { JSONValue.number(JSONNumber($0)) } ?? .null,
            "processes": configuration.maxProcesses.map { JSONValue.number(JSONNumber($0)) } ?? .null,
            "process_scope": .string(bubblewrap != nil ? "namespace" : "user"),
            "captures": bubblewrap != nil ? "/tmp/functionary-captures" : .null,
            "sandboxed": .bool(bubblewrap != nil),
        ]
        if let bubblewrap, configuration.tmpfsSize != nil, !bubblewrap.features.tmpfsSize {
            hostWarnings.append("the sandbox's tmpfs folders are not size-limited: \(bubblewrap.path) has no --size (bubblewrap 0.8+)")
        }
        let sandbox =
            bubblewrap.map {
                Bubblewrap.arguments(
                    bwrap: $0.path, features: $0.features, readOnly: [workspace.privateDirectory], writable: [workspace.data],
                    directory: workspace.data, python: python, tmpfsSize: configuration.tmpfsSize)
            } ?? netPrefix ?? []
        let arguments =
            (group?.enterCommand ?? []) + sandbox
            + [python, "-I", workspace.driverPath, workspace.data, workspace.privateDirectory, limits.compactJSON()]
        let started: InterpreterProcess
        do {
            started = try InterpreterProcess.launch(
                arguments: arguments, environment: InterpreterSandbox.environment(home: workspace.data, extra: configuration.environment),
                directory: workspace.data, isolation: isolation, processGroup: group)
        } catch {
            group?.remove()
            throw error
        }

        let watch = CellWatch(started)
        watch.schedule(after: configuration.startupTimeout, signal: SIGKILL)
        let outcome = await FrameReader.next(from: started.replyFD, limit: frameLimit, wait: watch.wait)
        let killed = watch.finish()
        guard case .frame(let bytes) = outcome, let hello = try? JSONValue(parsing: String(decoding: bytes, as: UTF8.self)),
            hello["ready"] == .bool(true)
        else {
            started.kill()
            let exit = await started.waitForExit()
            started.closeDescriptors()
            group?.remove()
            let reason =
                killed
                ? "it did not start within \(configuration.startupTimeout.formattedSeconds)"
                : Self.describe(exit, sandboxed: isolation.bubblewrap)
            throw AgentError(.interpreter, "The code interpreter (\(python)) could not start: \(reason).")
        }
        started.locatePython(python, script: workspace.driverPath)
        started.confirmProcessGroup()
        if configuration.maxProcesses != nil, started.processGroup == nil, hello["process_limit"] != .bool(true) {
            hostWarnings.append("no process limit: RLIMIT_NPROC does not bind root and no pids cgroup is writable")
        }
        warnings = hostWarnings + (hello["warnings"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        process = started
        return started
    }

    /// The `bwrap` to run under, or nil (limits only, asked for explicitly) with the warning in `warnings` (printed once
    /// per interpreter).
    /// - Throws: `AgentError(.interpreter)` when bubblewrap does not work and limits only were not asked for: the
    ///   interpreter fails closed.
    private func sandboxCommand(warnings: inout [String]) async throws -> (path: String, features: Bubblewrap.Features)? {
        let reason: String
        if configuration.sandbox == .limitsOnly {
            reason = "the configuration asks for limits only"
        } else if Bubblewrap.disabledByEnvironment {
            reason = "\(Bubblewrap.disableVariable)=\(ProcessInfo.processInfo.environment[Bubblewrap.disableVariable] ?? "")"
        } else {
            let command = configuration.bubblewrap
            switch await InterpreterSandbox.onThread({ Bubblewrap.probe(command) }) {
            case .available(let bwrap, let features): return (bwrap, features)
            case .unavailable(let why):
                throw AgentError(
                    .interpreter,
                    "The code interpreter needs a sandbox and none works here: \(why). Install bubblewrap (and allow user "
                        + "namespaces), or ask for resource limits only with --sandbox limits-only (CodeInterpreter.Configuration"
                        + "(sandbox: .limitsOnly), or \(Bubblewrap.disableVariable)=limits-only): cells can then read the files of "
                        + "the user running functionary.")
            }
        }
        let line =
            "warning: the code interpreter runs without a sandbox (\(reason)): resource limits only; "
            + "cells can read the files of the user running functionary"
        warnings.append(line)
        if !warnedUnsandboxed {
            warnedUnsandboxed = true
            FileHandle.standardError.write(Data(("functionary: " + line + "\n").utf8))
        }
        return nil
    }

    /// The largest reply frame accepted: four fields of at most `maxOutputCharacters` characters (plus
    /// the omission notes), each character at most 6 bytes of JSON (`\u001b`), and the keys.
    var frameLimit: Int { 24 * (max(100, configuration.maxOutputCharacters) + 256) + 65_536 }

    /// Sends one cell and waits for its reply; a process that dies or must be killed gives an error result.
    func execute(_ code: String, in current: InterpreterProcess) async throws -> CellResult {
        cellCount += 1
        let nonce = UUID().uuidString
        var request: JSONObject = [
            "nonce": .string(nonce),
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
        let limit = frameLimit
        watch.schedule(after: configuration.timeLimit + grace, signal: SIGKILL)
        let outcome = await withTaskCancellationHandler {
            await FrameReader.next(from: replyFD, limit: limit, wait: watch.wait)
        } onCancel: {
            watch.interrupt(grace: grace)
        }
        let killed = watch.finish()

        var forged = false
        if case .frame(let bytes) = outcome, let reply = try? JSONValue(parsing: String(decoding: bytes, as: UTF8.self)) {
            forged = reply["nonce"] != .string(nonce)
        }
        if !forged, case .frame(let bytes) = outcome, let reply = try? JSONValue(parsing: String(decoding: bytes, as: UTF8.self)) {
            return CellResult(
                stdout: reply["stdout"]?.stringValue ?? "", stderr: reply["stderr"]?.stringValue ?? "",
                result: reply["result"]?.stringValue, error: reply["error"]?.stringValue)
        }
        if !killed { process.kill() }
        let exit = await process.waitForExit()
        discardProcess()
        var reason =
            killed
            ? "the cell did not stop within its time limit of \(configuration.timeLimit.formattedSeconds), so the interpreter was killed"
            : Self.describe(exit, sandboxed: process.isolation.bubblewrap)
        if !killed, case .failed(let problem) = outcome { reason = "the interpreter sent a broken reply (\(problem)), so it was killed" }
        if !killed, forged { reason = "the interpreter sent a reply that is not this cell's (a forged frame), so it was killed" }
        return CellResult(
            error: "Error: \(reason). A fresh interpreter will run the next cell; the earlier state (variables, imports) is lost.",
            restarted: true)
    }

    /// - Parameter sandboxed: under bubblewrap, which exits with 128 + N when the interpreter died of signal N.
    static func describe(_ exit: (reason: Process.TerminationReason, status: Int32)?, sandboxed: Bool = false) -> String {
        guard var exit else { return "the interpreter stopped answering" }
        if sandboxed, exit.reason == .exit, exit.status > 128, exit.status < 128 + 65 { exit = (.uncaughtSignal, exit.status - 128) }
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
final class CellWatch: Sendable {
    private struct State {
        var active = true
        var killed = false
    }
    private let state = Mutex(State())
    let process: InterpreterProcess
    /// Abandoned when the process is killed: its reply can no longer come.
    let wait: ReplyWait

    init(_ process: InterpreterProcess) {
        self.process = process
        self.wait = ReplyWait(exit: process.exit)
    }

    func schedule(after delay: Duration, signal: Int32) {
        DispatchQueue.global().asyncAfter(deadline: .now() + delay.secondsValue) { self.fire(signal) }
    }

    /// Cancellation: interrupt the cell (KeyboardInterrupt), and kill it if it does not stop soon.
    func interrupt(grace: Duration) {
        fire(SIGINT)
        schedule(after: grace, signal: SIGKILL)
    }

    func fire(_ signal: Int32) {
        state.withLock { state in
            guard state.active else { return }
            if signal == SIGKILL {
                state.killed = true
                process.kill(SIGKILL)
                wait.abandon()
            } else {
                _ = sendSignal(process.interruptPID, signal)
            }
        }
    }

    /// The cell is over; returns whether it was killed.
    func finish() -> Bool {
        state.withLock { state in
            state.active = false
            return state.killed
        }
    }
}
