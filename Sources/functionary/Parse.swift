import ArgumentParser
import Foundation
import FunctionaryProtocol

/// `functionary parse`: turns raw model output into an assistant message, or a stream of deltas
/// into `chat.completion.chunk` objects.
struct Parse: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Parse raw model output in a Functionary prompt format.",
        discussion: """
            Reads the text the model generated after the prompt (and the tool-choice prefix) from FILE or \
            standard input. Leading and trailing whitespace is removed first, as the reference server does. \
            Prints the assistant message as one compact JSON object on one line:
              {"role":"assistant","content":…,"tool_calls":[{"id":"call_…","type":"function","function":{"name":…,"arguments":…}}]|null}

            With --stream the input is a JSON array of text deltas instead; it prints one OpenAI \
            chat.completion.chunk object per line: the role first, then content and tool-call deltas (a header \
            with index, id and name per call, then argument pieces), and last a chunk with finish_reason \
            ("tool_calls" when a call was made, else "stop").

            Bad input prints one error line on stderr and exits with code 2.
            """
    )

    @Option(help: "Prompt format: \(TemplateArgument.versionNames).")
    var template: TemplateArgument

    @Option(help: "The tool choice the prompt was built with: auto, none, required or a function name.")
    var toolChoice = "auto"

    @Flag(help: "Read a JSON array of text deltas and print chat.completion.chunk objects, one per line.")
    var stream = false

    @Option(help: "The model name written into stream chunks.")
    var model = "functionary"

    @Argument(help: "The input file, or - for standard input (the default).")
    var file: String?

    func run() async throws {
        let output = try CommandIO.run { () throws -> String in
            let version = try template.version()
            let choice = ToolChoice(flag: toolChoice)
            if stream {
                return try streamChunks(version.template, choice: choice)
            }
            let text = try CommandIO.readText(file).trimmingCharacters(in: .whitespacesAndNewlines)
            return Self.messageJSON(version.template.parse(text, toolChoice: choice)).compactJSON() + "\n"
        }
        CommandIO.write(output)
    }

    /// `{"role":"assistant","content":…,"tool_calls":[…]|null}` in that key order.
    static func messageJSON(_ output: AssistantOutput) -> JSONValue {
        let calls: JSONValue = output.toolCalls.isEmpty ? .null : .array(output.toolCalls.map(\.json))
        return ["role": "assistant", "content": output.content.map(JSONValue.string) ?? .null, "tool_calls": calls]
    }

    func streamChunks(_ template: any PromptTemplate, choice: ToolChoice) throws -> String {
        let input = try CommandIO.readJSON(file)
        guard case .array(let items) = input else {
            throw InputError("expected a JSON array of text deltas, got \(input.typeName)")
        }
        var deltas: [String] = []
        for (i, item) in items.enumerated() {
            guard let delta = item.stringValue else {
                throw InputError("expected a JSON array of text deltas, but item \(i) is \(item.typeName)")
            }
            deltas.append(delta)
        }
        var stream = ChatCompletionChunkStream(
            template: template, toolChoice: choice, id: ChatCompletionChunkBuilder.makeID(), model: model,
            created: Int(Date().timeIntervalSince1970))
        var lines: [JSONValue] = []
        for delta in deltas {
            lines += stream.feed(delta)
        }
        lines += stream.finish(.stop)
        return lines.map { $0.compactJSON() + "\n" }.joined()
    }
}
