import FunctionaryProtocol

/// The tool grammar for a turn (`ToolGrammar`, FunctionaryProtocol/Constraints).
enum ToolGrammarShim {
    static func constraint(
        for version: TemplateVersion, resolved: ResolvedTools, parallelToolCalls: Bool
    ) throws -> OutputConstraint? {
        ToolGrammar.constraint(for: version, resolved: resolved, parallelToolCalls: parallelToolCalls)
    }
}
