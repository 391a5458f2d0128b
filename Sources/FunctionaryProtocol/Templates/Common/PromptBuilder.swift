/// Builds the exact text sent to the model for a request (protocol §1.1): tool_choice filtering,
/// message preprocessing, rendering with the generation prompt, then the tool_choice prefix.
public enum PromptBuilder {
    /// - Parameters:
    ///   - template: the prompt format.
    ///   - messages: the request's messages (validated and reordered here).
    ///   - resolved: tools after tool_choice handling (`ChatCompletionRequest.resolveTools()`).
    ///   - guardingClientText: mark special-token spellings in client text as literals (`PromptText`), for an
    ///     engine; false gives the plain text (to show or count characters).
    /// - Returns: the full prompt, ending with the generation prompt and the tool_choice prefix.
    public static func prompt(
        template: any PromptTemplate, messages: [ChatMessage], resolved: ResolvedTools, guardingClientText: Bool = true
    ) throws(ProtocolError) -> String {
        var prepared = try MessagePreprocessor.prepare(messages)
        var tools = resolved.tools
        var choice = resolved.choice
        if guardingClientText {
            prepared = prepared.map { $0.guardingClientText() }
            tools = tools.map { $0.guardingClientText() }
            if case .function(let name) = choice { choice = .function(PromptText.guarded(name)) }
        }
        let rendered = try template.render(messages: prepared, tools: tools, addGenerationPrompt: true)
        return rendered + template.generationPrefix(for: choice)
    }
}
