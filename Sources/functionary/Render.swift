import ArgumentParser
import FunctionaryProtocol

/// `functionary render`: prints the prompt of a conversation exactly.
struct Render: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Render a conversation in a Functionary prompt format.",
        discussion: """
            Reads a JSON object with "messages" and "tools" (or legacy "functions"), optionally "tool_choice" \
            (or "function_call"), from FILE or standard input, and prints the prompt exactly, with no newline added.

            Without --generation-prompt the conversation is rendered with all its tools, as for training. With \
            --generation-prompt the output is exactly what the server sends to the model: the tool choice first \
            filters the tools ("none" renders none, a function name renders only that function), then the \
            assistant turn opener and the tool-choice prefix are appended.

            Bad input (unknown template, unreadable file, invalid JSON, fields of the wrong type) prints one \
            error line on stderr and exits with code 2.
            """
    )

    @Option(help: "Prompt format: \(TemplateArgument.versionNames).")
    var template: TemplateArgument

    @Flag(help: "Append the generation prompt and the tool-choice prefix, as for inference.")
    var generationPrompt = false

    @Option(help: "auto, none, required or a function name (with --generation-prompt; overrides the input's tool_choice).")
    var toolChoice: String?

    @Argument(help: "A JSON file, or - for standard input (the default).")
    var file: String?

    func validate() throws {
        if toolChoice != nil && !generationPrompt {
            throw ValidationError("--tool-choice applies to --generation-prompt only (without it all tools are rendered)")
        }
    }

    func run() async throws {
        let prompt = try CommandIO.run { () throws -> String in
            let version = try template.version()
            let input = try CommandIO.decode(RenderInput.self, from: try CommandIO.readJSON(file))
            var request = ChatCompletionRequest(model: "", messages: input.messages, tools: input.tools, toolChoice: input.toolChoice)
            request.functions = input.functions
            request.functionCall = input.functionCall
            if let toolChoice { Self.apply(flag: toolChoice, to: &request) }
            let resolved = try request.resolveTools()
            if generationPrompt {
                return try PromptBuilder.prompt(
                    template: version.template, messages: input.messages, resolved: resolved, guardingClientText: false)
            }
            let messages = try MessagePreprocessor.prepare(input.messages)
            return try version.template.render(messages: messages, tools: resolved.declaredTools, addGenerationPrompt: false)
        }
        CommandIO.write(prompt)
    }

    /// Puts a `--tool-choice` value into the request as the API would carry it: `tool_choice`, or
    /// `function_call` for a request with legacy functions only.
    static func apply(flag: String, to request: inout ChatCompletionRequest) {
        let legacy = request.tools == nil && request.functions != nil
        let choice = ToolChoice(flag: flag)
        switch (choice, legacy) {
        case (.function(let name), false): request.toolChoice = ["type": "function", "function": ["name": .string(name)]]
        case (.function(let name), true): request.functionCall = ["name": .string(name)]
        case (_, false): request.toolChoice = .string(flag)
        case (_, true): request.functionCall = .string(flag)
        }
    }
}

/// The input of `render`: a chat request without the model and sampling fields.
struct RenderInput: Decodable {
    var messages: [ChatMessage]
    var tools: [Tool]?
    var functions: [FunctionDefinition]?
    var toolChoice: JSONValue?
    var functionCall: JSONValue?

    enum CodingKeys: String, CodingKey {
        case messages, tools, functions
        case toolChoice = "tool_choice"
        case functionCall = "function_call"
    }
}
