import CLlama
import Foundation
import Synchronization

/// Process-wide llama.cpp setup: `llama_backend_init` once, and a log callback that keeps
/// llama.cpp quiet (messages are kept for error reports, printed only when asked).
///
/// Set `FUNCTIONARY_LLAMA_LOG` to `error`, `warn`, `info` or `debug` to see llama.cpp's own log on
/// stderr.
enum LlamaBackend {
    /// Runs `llama_backend_init` and installs the log callback, the first time only.
    static func initialize() {
        _ = once
    }

    private static let once: Void = {
        llama_log_set(
            { level, text, _ in
                guard let text else { return }
                LlamaLog.shared.receive(level: level, text: String(cString: text))
            }, nil)
        llama_backend_init()
    }()
}

/// The llama.cpp log, captured.
final class LlamaLog: Sendable {
    static let shared = LlamaLog()

    private struct State {
        var line = ""
        var lineLevel: UInt32 = GGML_LOG_LEVEL_INFO.rawValue
        var recentProblems: [String] = []
    }

    private let state = Mutex(State())
    /// The least severe level printed to stderr (none when nil).
    private let printLevel: UInt32?

    private init() {
        switch ProcessInfo.processInfo.environment["FUNCTIONARY_LLAMA_LOG"]?.lowercased() {
        case "debug"?: printLevel = GGML_LOG_LEVEL_DEBUG.rawValue
        case "info"?: printLevel = GGML_LOG_LEVEL_INFO.rawValue
        case "warn"?, "warning"?: printLevel = GGML_LOG_LEVEL_WARN.rawValue
        case "error"?: printLevel = GGML_LOG_LEVEL_ERROR.rawValue
        default: printLevel = nil
        }
    }

    func receive(level: ggml_log_level, text: String) {
        let complete: [(UInt32, String)] = state.withLock { state in
            if level != GGML_LOG_LEVEL_CONT { state.lineLevel = level.rawValue }
            state.line += text
            var lines: [(UInt32, String)] = []
            while let newline = state.line.firstIndex(of: "\n") {
                lines.append((state.lineLevel, String(state.line[..<newline])))
                state.line = String(state.line[state.line.index(after: newline)...])
            }
            for (lineLevel, line) in lines where lineLevel >= GGML_LOG_LEVEL_WARN.rawValue && !line.isEmpty {
                state.recentProblems.append(line)
                if state.recentProblems.count > 16 { state.recentProblems.removeFirst() }
            }
            return lines
        }
        guard let printLevel else { return }
        for (lineLevel, line) in complete where lineLevel >= printLevel {
            FileHandle.standardError.write(Data("llama.cpp: \(line)\n".utf8))
        }
    }

    /// Warnings and errors logged since the last call, oldest first.
    func takeRecentProblems() -> [String] {
        state.withLock { state in
            defer { state.recentProblems.removeAll() }
            return state.recentProblems
        }
    }
}
