import FunctionaryProtocol

// SHIM(ToolGrammar): stands in for `ToolGrammar.constraint(for:resolved:parallelToolCalls:)`, which the
// constraints work adds to FunctionaryProtocol/Constraints/. Until that is merged, turns run without a
// grammar (a Functionary model still calls tools; the small default model needs the grammar to).
// After the merge, replace the body with the real call and delete this note.
enum ToolGrammarShim {
    static func constraint(
        for version: TemplateVersion, resolved: ResolvedTools, parallelToolCalls: Bool
    ) throws -> OutputConstraint? {
        nil
    }
}
