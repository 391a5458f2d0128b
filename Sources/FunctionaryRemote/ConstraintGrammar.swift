import FunctionaryProtocol

/// Turns an `OutputConstraint` (GBNF plus rule → JSON Schema) into one self-contained GBNF text that
/// llama.cpp's server, vLLM (xgrammar/guidance) and SGLang (`ebnf`) accept.
enum ConstraintGrammar {
    /// The complete grammar, and what could not be expressed (for a log line).
    struct Rendered: Sendable, Hashable {
        var grammar: String
        var warnings: [String]
    }

    /// The constraint's grammar followed by the rules of its schemas. Token references (`<|from|>`)
    /// are left in place: `resolvingTokens` settles them per engine.
    /// - Throws: `GenerationError.invalidConstraint` when the grammar cannot be read, has no `root`,
    ///   a schema is invalid, or a schema rule is also defined by the grammar.
    static func render(_ constraint: OutputConstraint) throws -> Rendered {
        let defined: Set<String>
        do {
            defined = Set(try GBNF.rules(in: constraint.grammar).defined)
        } catch {
            throw GenerationError.invalidConstraint("the grammar cannot be read: \(error)")
        }
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

    /// Settles the grammar's token references (`<|from|>`, which the templates use for special
    /// markers) the way the embedded engine does: llama.cpp's server gets `<[id]>` when the marker is
    /// one token of its vocabulary (`tokenID`) and a string literal otherwise; vLLM and SGLang, whose
    /// grammars have no token syntax, always get the literal.
    /// - Throws: `GenerationError.invalidConstraint` for a token-id reference or a negated token that
    ///   the engine cannot express.
    static func resolvingTokens(
        in grammar: String, kind: RemoteEngineKind, tokenID: (String) async -> Int?
    ) async throws -> String {
        guard grammar.contains("<") else { return grammar }
        let pieces: [GBNF.Piece]
        do {
            pieces = try GBNF.pieces(in: grammar)
        } catch {
            throw GenerationError.invalidConstraint("the grammar cannot be read: \(error)")
        }
        var out: [GBNF.Piece] = []
        out.reserveCapacity(pieces.count)
        for piece in pieces {
            guard case .token(let inner) = piece else {
                out.append(piece)
                continue
            }
            let negated: Bool
            if case .other(let before)? = out.last, before.hasSuffix("!") { negated = true } else { negated = false }
            if inner.hasPrefix("[") {
                guard kind == .llamaCpp else {
                    throw GenerationError.invalidConstraint("token-id references like <\(inner)> only work with llama.cpp engines")
                }
                out.append(piece)
                continue
            }
            let marker = "<" + inner + ">"
            if kind == .llamaCpp, let id = await tokenID(marker) {
                out.append(.token("[\(id)]"))
            } else if negated {
                throw GenerationError.invalidConstraint("the engine cannot exclude \(marker): it is not one token there")
            } else {
                out.append(.other(GrammarText.literal(marker)))
            }
        }
        return GBNF.text(of: out)
    }
}
