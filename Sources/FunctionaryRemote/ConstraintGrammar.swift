import FunctionaryProtocol

/// Turns an `OutputConstraint` (GBNF plus rule → JSON Schema) into one self-contained GBNF text that
/// llama.cpp's server, vLLM (xgrammar/guidance) and SGLang (`ebnf`) accept.
enum ConstraintGrammar {
    /// The complete grammar, and what could not be expressed (for a log line).
    struct Rendered: Sendable, Hashable {
        var grammar: String
        var warnings: [String]
    }

    /// - Throws: `GenerationError.invalidConstraint` when a schema is invalid or a schema rule is also
    ///   defined by the grammar.
    static func render(_ constraint: OutputConstraint) throws -> Rendered {
        let defined = GBNFRuleSet.definedNames(in: constraint.grammar)
        guard defined.contains("root") else {
            throw GenerationError.invalidConstraint("the grammar has no root rule")
        }
        var converter = JSONSchemaGrammar(reserved: defined.union(constraint.schemas.keys))
        // Sorted, so that the same constraint always gives the same text (upstream grammar caches).
        for name in constraint.schemas.keys.sorted() {
            guard let schema = constraint.schemas[name] else { continue }
            if defined.contains(name) {
                throw GenerationError.invalidConstraint("rule \(name) is defined by the grammar and by a JSON schema")
            }
            guard GBNFRuleSet.sanitize(name) == name else {
                throw GenerationError.invalidConstraint("'\(name)' is not a grammar rule name (letters, digits and '-')")
            }
            try converter.addSchema(schema, as: name)
        }
        var grammar = constraint.grammar
        if !grammar.hasSuffix("\n") { grammar += "\n" }
        return Rendered(grammar: grammar + converter.rules.text, warnings: converter.warnings)
    }
}
