/// Prompt format `v3.llama3` (protocol §3.4): Llama 3 headers, a TypeScript schema of the tools,
/// assistant turns as `>>>recipient\ncontent` blocks.
public struct TemplateV3Llama3: RecipientLineTemplate {
    public init() {}
    public var version: TemplateVersion { .v3Llama3 }

    public func render(messages: [ChatMessage], tools: [Tool], addGenerationPrompt: Bool) throws(ProtocolError) -> String {
        let tools = SchemaRefResolver.resolve(tools: tools)
        var out = LlamaHeaders.header("system")
        out += TemplateStrings.v3SystemPreamble
        out += TypeScriptSchema.render(resolvedTools: tools)
        out += LlamaHeaders.endOfTurn
        if TemplateRendering.hasCodeInterpreter(tools) {
            LlamaHeaders.appendTurn("system", TemplateStrings.codeInterpreterSystem, into: &out)
        }
        try LlamaHeaders.appendTurns(
            messages, version, into: &out, textPrefix: ">>>all\n",
            tool: { message, index throws(ProtocolError) in ("tool", try TemplateRendering.requiredContent(message, at: index, version)) },
            call: { call, out in LlamaHeaders.appendCall(call, after: ">>>", into: &out) })
        if addGenerationPrompt { out += assistantPrefix }
        return out
    }

    public var assistantPrefix: String { LlamaHeaders.header("assistant") + ">>>" }
    static let endMarkers = ["<|eot_id|>", "<|end_of_text|>"]
}
