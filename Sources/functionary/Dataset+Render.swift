import ArgumentParser
import FunctionaryEval
import FunctionaryProtocol

extension DatasetCommand {
    /// `functionary dataset render --template V FILE.jsonl`.
    struct RenderCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "render",
            abstract: "Render each conversation of a training file and show what training learns.",
            discussion: """
                Prints one compact JSON object per input line:
                  {"line": N, "prompt": "...", "spans": [[start, end], ...]}
                "prompt" is the conversation rendered as for training (all tools, no generation prompt). Each \
                span is an assistant turn that training learns: from right after the assistant prefix through \
                the turn's stop token; turns with "metadata": {"masked": true} are left out. Offsets count \
                Unicode scalars (Python str indices), start inclusive, end exclusive: prompt[start:end] in Python \
                is the learned text.

                A line that cannot be rendered is reported on stderr as "LINE: path: problem" and skipped; the \
                exit code is then 2 (also for an unknown template or an unreadable file).
                """
        )

        @Option(help: "Prompt format: \(TemplateArgument.versionNames).")
        var template: TemplateArgument

        @Flag(help: "Start each span at the assistant prefix instead of after it.")
        var keepAssistantPrefix = false

        @Argument(help: "The JSONL file, or - for standard input.")
        var file: String

        func run() async throws {
            let (version, text) = try CommandIO.run { () throws -> (TemplateVersion, String) in
                (try template.version(), try CommandIO.readText(file))
            }
            let renderer = DatasetRenderer(version: version, keepAssistantPrefix: keepAssistantPrefix)
            var output = OutputBuffer()
            var failures = 0
            for line in DatasetReader.lines(of: text) {
                do {
                    let result = try renderer.render(line: line)
                    let spans = result.spans.map { span -> JSONValue in
                        [.number(JSONNumber(span.start)), .number(JSONNumber(span.end))]
                    }
                    let object: JSONValue = [
                        "line": .number(JSONNumber(line.number)), "prompt": .string(result.prompt), "spans": .array(spans),
                    ]
                    output.append(line: object.compactJSON())
                } catch {
                    output.flush()
                    CommandIO.writeError(error.description)
                    failures += 1
                }
            }
            output.flush()
            if failures > 0 {
                CommandIO.writeError("\(failures) of \(DatasetReader.lines(of: text).count) lines could not be rendered")
                throw ExitCode(CommandIO.inputErrorCode)
            }
        }
    }
}
