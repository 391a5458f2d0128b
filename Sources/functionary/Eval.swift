#if canImport(FunctionaryEngine)
    import ArgumentParser
    import Foundation
    import FunctionaryAgent
    import FunctionaryEngine
    import FunctionaryEval
    import FunctionaryProtocol

    /// `functionary eval`: tool-use accuracy of a model on a JSONL file of cases (embedded engine or a server).
    struct Eval: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "eval",
            abstract: "Measure how well a model calls tools: decisions, exact calls, grounded answers.",
            discussion: """
                Each line of the case file is a conversation, the tools offered and what the next assistant turn \
                should do: the expected calls (for each argument the acceptable values) or no call (a text answer, \
                optionally containing given strings). The model answers with tool_choice auto at temperature 0. \
                A case's decision is right when the model calls where a call is expected and answers in text where \
                none is; it is exact when the calls match (any order; numbers by value, strings trimmed and \
                case-folded; optional arguments may be absent) or the answer contains what it must.

                Prints accuracy overall, for single-call and parallel-call cases, by category (single, parallel, \
                choice, no_call, grounded) and by language, and writes every case's outcome to --report. The \
                default case file is the dev set of the project's adapter (models/tool-use-dev.jsonl): its tools \
                were never seen in training.
                """
        )

        @OptionGroup var server: ServerClientOptions

        @OptionGroup var engineOptions: EngineOptions

        @Option(help: "The JSONL case file (default: models/tool-use-dev.jsonl of this checkout).")
        var cases: String?

        @Option(help: "Write the JSON report here.")
        var report: String = "eval-report.json"

        @Option(help: "Evaluate only the first N cases (0: all).")
        var limit: Int = 0

        @Option(help: "Most tokens per answer.")
        var maxTokens: Int = 256

        @Flag(help: "Print each case's outcome as it is scored.")
        var verbose = false

        func validate() throws {
            if server.url != nil, engineOptions.model != nil {
                throw ValidationError("Use either --url (a server) or --model (the embedded engine), not both.")
            }
            if server.url != nil, !engineOptions.lora.isEmpty { throw ValidationError("--lora applies to the embedded engine, not to --url.") }
            if limit < 0 { throw ValidationError("--limit must be 0 or more.") }
            if maxTokens < 1 { throw ValidationError("--max-tokens must be at least 1.") }
        }

        func run() async throws {
            let path = try casesPath()
            let loaded = try CommandIO.run { () throws -> [ToolUseCase] in try Self.readCases(path) }
            let selected = limit > 0 ? Array(loaded.prefix(limit)) : loaded
            let (backend, describe, stop) = try await makeBackend()
            defer { stop() }
            CommandIO.writeError(
                "evaluating \(selected.count) cases from \(path) on \(describe.model)"
                    + (describe.adapters.isEmpty ? "" : " + \(describe.adapters.joined(separator: ", "))"))
            var scores = ToolUseReport()
            let started = Date()
            for (index, testCase) in selected.enumerated() {
                let request = TurnRequest(
                    messages: testCase.messages, tools: testCase.tools, toolChoice: testCase.tools.isEmpty ? nil : .auto,
                    sampling: SamplingOptions(temperature: 0, maxTokens: maxTokens, seed: 0))
                let observed: ObservedTurn
                do {
                    let turn = try await backend.respond(to: request) { _ in }
                    observed = ObservedTurn(calls: turn.toolCalls.map(\.function), content: turn.message.content?.text ?? "")
                } catch {
                    // A failed request counts as a wrong turn, with the error as its answer.
                    observed = ObservedTurn(calls: [], content: "")
                    CommandIO.writeError("case \(testCase.id): \(error)")
                }
                let score = ToolUseScorer.score(testCase.expected, observed: observed)
                let expectedCalls: Int
                if case .calls(let calls) = testCase.expected { expectedCalls = calls.count } else { expectedCalls = 0 }
                scores.add(
                    ToolUseReport.Entry(
                        id: testCase.id, category: testCase.category, language: testCase.language, expectedCalls: expectedCalls,
                        score: score, observed: observed))
                if verbose {
                    let mark = score.exact ? "ok " : (score.decisionCorrect ? "~  " : "x  ")
                    CommandIO.writeError("[\(index + 1)/\(selected.count)] \(mark) \(testCase.id) \(score.reason)")
                }
            }
            let seconds = Date().timeIntervalSince(started)
            let metadata: JSONObject = [
                "model": .string(describe.model), "adapters": .array(describe.adapters.map { .string($0) }), "case_file": .string(path),
                "seconds": .number(JSONNumber(literal: String(format: "%.1f", seconds))),
            ]
            let text = scores.json(metadata: metadata).compactJSON() + "\n"
            do {
                try text.write(toFile: report, atomically: true, encoding: .utf8)
            } catch {
                CommandIO.writeError("cannot write the report to \(report): \(error.localizedDescription)")
                throw ExitCode(CommandIO.inputErrorCode)
            }
            print(scores.summary())
            print("report: \(report)")
        }

        /// `--cases`, or the dev set next to the default adapter (models/ of this checkout).
        func casesPath() throws -> String {
            if let cases { return cases }
            var folder = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath().deletingLastPathComponent()
            var candidates = ["models/tool-use-dev.jsonl"]
            for _ in 0..<5 {
                candidates.append(folder.appendingPathComponent("models/tool-use-dev.jsonl").path)
                folder.deleteLastPathComponent()
            }
            guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
                throw ValidationError("No case file given and models/tool-use-dev.jsonl not found; pass --cases FILE.")
            }
            return found
        }

        static func readCases(_ path: String) throws -> [ToolUseCase] {
            let text = try CommandIO.readText(path)
            var cases: [ToolUseCase] = []
            for line in DatasetReader.lines(of: text) {
                switch DatasetReader.parse(line) {
                case .success(let value): cases.append(try ToolUseCase(json: value, line: line.number))
                case .failure(let problem): throw ValidationError("\(path): \(problem.description)")
                }
            }
            if cases.isEmpty { throw ValidationError("\(path) has no cases") }
            return cases
        }

        /// The backend, what it runs (for the report), and what to call at the end.
        func makeBackend() async throws -> (any ChatBackend, (model: String, adapters: [String]), @Sendable () -> Void) {
            if let remote = try await server.backend() {
                return (remote.backend, ("\(remote.model) at \(remote.url)", []), {})
            }
            let (engine, version) = try engineOptions.loadEngine()
            return (
                EngineBackend(generator: engine, template: version.template), (engine.modelName, engine.adapters.map(\.description)),
                { engine.shutdown() }
            )
        }
    }
#endif
