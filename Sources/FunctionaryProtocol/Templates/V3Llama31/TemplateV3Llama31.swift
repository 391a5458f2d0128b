/// Prompt format `v3-llama3.1` (protocol §3.5): Llama 3.1 headers, tools as JSON, calls as
/// `<function=name>{…}</function>` and code as `<|python_tag|>…`.
public struct TemplateV3Llama31: EndMarkedTemplate {
    public init() {}
    public var version: TemplateVersion { .v3Llama31 }

    public func render(messages: [ChatMessage], tools: [Tool], addGenerationPrompt: Bool) throws(ProtocolError) -> String {
        let tools = SchemaRefResolver.resolve(tools: tools)
        let functions = tools.compactMap { $0.type == .function ? $0.function : nil }
        var out = LlamaHeaders.header("system")
        out += TemplateRendering.hasCodeInterpreter(tools) ? "Environment: ipython\n\n" : "\n"
        out += "Cutting Knowledge Date: December 2023\n\n"
        if !functions.isEmpty {
            out += "\nYou have access to the following functions:\n\n"
            for function in functions {
                out += "Use the function '"
                out += function.name
                out += "' to '"
                out += function.description ?? ""
                out += "'\n"
                function.json.writePythonJSON(into: &out)
                out += "\n\n"
            }
            out += TemplateStrings.llama31ToolInstructions
        }
        out += LlamaHeaders.endOfTurn
        try LlamaHeaders.appendTurns(
            messages, version, into: &out,
            tool: { message, index throws(ProtocolError) in ("ipython", try TemplateRendering.requiredContent(message, at: index, version)) },
            call: { call, out in
                if call.function.name == "python" {
                    out += "<|python_tag|>"
                    out += call.function.arguments
                } else {
                    out += "<function="
                    out += call.function.name
                    out += ">"
                    out += call.function.arguments
                    out += "</function>"
                }
            },
            end: { hasCalls in hasCalls ? "<|eom_id|>" : LlamaHeaders.endOfTurn })
        if addGenerationPrompt { out += assistantPrefix }
        return out
    }

    public var assistantPrefix: String { LlamaHeaders.header("assistant") }
    static let endMarkers = ["<|eot_id|>", "<|end_of_text|>", "<|eom_id|>"]
}
