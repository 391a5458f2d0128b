/// Prompt format `v2.llama3` (protocol §3.3): Llama 3 headers, a TypeScript schema of the tools,
/// each call introduced by `<|reserved_special_token_249|>`.
public struct TemplateV2Llama3: RecipientLineTemplate {
    public init() {}
    public var version: TemplateVersion { .v2Llama3 }

    static let callMarker = "<|reserved_special_token_249|>"

    public func render(messages: [ChatMessage], tools: [Tool], addGenerationPrompt: Bool) throws(ProtocolError) -> String {
        let tools = SchemaRefResolver.resolve(tools: tools)
        var out = LlamaHeaders.header("system")
        out += TypeScriptSchema.render(resolvedTools: tools)
        out += LlamaHeaders.endOfTurn
        out += LlamaHeaders.header("system")
        out += TemplateRendering.hasCodeInterpreter(tools) ? TemplateStrings.codeInterpreterSystem : TemplateStrings.v2DefaultSystem
        out += LlamaHeaders.endOfTurn
        try LlamaHeaders.appendTurns(
            messages, version, into: &out,
            tool: { message, index throws(ProtocolError) in
                let name = try TemplateRendering.requiredName(message, at: index, version)
                return ("tool", "name=" + name + "\n" + (try TemplateRendering.requiredContent(message, at: index, version)))
            },
            call: { call, out in LlamaHeaders.appendCall(call, after: Self.callMarker, into: &out) })
        if addGenerationPrompt { out += assistantPrefix }
        return out
    }

    public var assistantPrefix: String { LlamaHeaders.header("assistant") }
    static let endMarkers = ["<|eot_id|>", "<|end_of_text|>"]
}
