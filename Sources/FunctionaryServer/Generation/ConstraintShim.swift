import FunctionaryProtocol

/// The grammar constraints the server asks the engine for (`ToolGrammar`, FunctionaryProtocol/Constraints).
enum ServerConstraints {
    /// The constraint that makes tool calls valid for this template and tool choice (nil: none needed).
    static func tools(version: TemplateVersion, resolved: ResolvedTools, parallelToolCalls: Bool) -> OutputConstraint? {
        ToolGrammar.constraint(for: version, resolved: resolved, parallelToolCalls: parallelToolCalls)
    }

    /// The constraint for `response_format` JSON output; `schema` nil means any JSON object.
    static func jsonResponse(schema: JSONValue?) -> OutputConstraint? {
        ToolGrammar.jsonResponse(schema: schema)
    }
}
