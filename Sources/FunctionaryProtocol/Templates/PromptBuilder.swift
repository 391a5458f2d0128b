/// Builds the exact text sent to the model for a request (protocol §1.1): tool_choice filtering,
/// message preprocessing, rendering with the generation prompt, then the tool_choice prefix.
public enum PromptBuilder {
    /// - Parameters:
    ///   - template: the prompt format.
    ///   - messages: the request's messages (validated and reordered here).
    ///   - resolved: tools after tool_choice handling (`ChatCompletionRequest.resolveTools()`).
    /// - Returns: the full prompt, ending with the generation prompt and the tool_choice prefix.
    public static func prompt(
        template: any PromptTemplate, messages: [ChatMessage], resolved: ResolvedTools
    ) throws(ProtocolError) -> String {
        let prepared = try MessagePreprocessor.prepare(messages)
        let rendered = try template.render(messages: prepared, tools: resolved.tools, addGenerationPrompt: true)
        return rendered + template.generationPrefix(for: resolved.choice)
    }
}
