import ArgumentParser
import FunctionaryEval
import FunctionaryProtocol

extension DatasetCommand {
    /// `functionary dataset check FILE.jsonl`.
    struct CheckCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Validate a training file.",
            discussion: """
                Checks every line: a JSON object with "messages" and "tools" (or legacy "functions"); roles \
                system, user, assistant, tool; assistant tool calls that name declared tools (or "python" with a \
                code_interpreter tool), with arguments that are JSON objects valid for the tool's parameters \
                schema (python: raw code); tool results that follow a message with calls, no more of them than \
                calls, with a "name" that matches a call; "metadata.masked" only on assistant turns, as a boolean; \
                at least one assistant turn to learn.

                Prints "LINE: path: problem" for each problem on stdout and a summary on stderr. Exit code: 0 \
                when the file is valid, 1 when problems were found, 2 when the file cannot be read.
                """
        )

        @Argument(help: "The JSONL file, or - for standard input.")
        var file: String

        func run() async throws {
            let text = try CommandIO.run { () throws -> String in try CommandIO.readText(file) }
            let conversations = DatasetReader.lines(of: text).count
            let problems = DatasetChecker().check(jsonl: text)
            var output = OutputBuffer()
            for problem in problems { output.append(line: problem.description) }
            output.flush()
            let lines = Set(problems.map(\.line)).count
            guard problems.isEmpty else {
                let noun = problems.count == 1 ? "problem" : "problems"
                CommandIO.writeError("\(problems.count) \(noun) in \(lines) of \(conversations) lines")
                throw ExitCode(1)
            }
            CommandIO.writeError("ok: \(conversations) conversation\(conversations == 1 ? "" : "s"), no problems")
        }
    }
}
