import FunctionaryProtocol

// SHIM (temporary): stands in for `ToolGrammar.constraint(for:resolved:parallelToolCalls:)` and
// `ToolGrammar.jsonResponse(schema:)`, which another helper is writing in
// Sources/FunctionaryProtocol/Constraints/. Until that lands, no grammar is sent to the engine
// (calls are then only as good as the model's own output). Once merged, these two functions should
// call ToolGrammar and this comment goes.

/// The grammar constraints the server asks the engine for.
enum ServerConstraints {
    /// The constraint that makes tool calls valid for this template and tool choice (nil: none needed).
    static func tools(version: TemplateVersion, resolved: ResolvedTools, parallelToolCalls: Bool) -> OutputConstraint? {
        nil
    }

    /// The constraint for `response_format` JSON output; `schema` nil means any JSON object.
    static func jsonResponse(schema: JSONValue?) -> OutputConstraint? {
        nil
    }
}
