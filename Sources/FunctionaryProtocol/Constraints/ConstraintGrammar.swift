/// Turns an `OutputConstraint` (GBNF plus rule → JSON Schema) into one self-contained GBNF text: the one grammar
/// every engine gets. The embedded engine hands it to llama.cpp's sampler, llama.cpp servers get it as
/// `grammar`, vLLM (xgrammar/guidance) and SGLang (`ebnf`) as their grammar; only the token references differ
/// (`resolvingTokens`), by what each engine can express.
public enum ConstraintGrammar {
    /// The complete grammar, and what could not be expressed (for a log line).
    public struct Rendered: Sendable, Hashable {
        public var grammar: String
        public var warnings: [String]
    }

    /// The constraint's grammar followed by the rules of its schemas. Token references (`<|from|>`)
    /// are left in place: `resolvingTokens` settles them per engine.
    /// - Throws: `GenerationError.invalidConstraint` when the grammar cannot be read, has no `root`,
    ///   a schema is invalid, or a schema rule is also defined by the grammar.
    public static func render(_ constraint: OutputConstraint) throws -> Rendered {
        let defined: Set<String>
        do {
            defined = Set(try GBNF.rules(in: constraint.grammar).defined)
        } catch {
            throw GenerationError.invalidConstraint("the grammar cannot be read: \(error)")
        }
        guard defined.contains("root") else {
            throw GenerationError.invalidConstraint("the grammar has no root rule")
        }
        var converter = JSONSchemaGrammar(reserved: defined.union(constraint.schemas.keys), whitespace: constraint.whitespace)
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

    /// The markers of the grammar's token references by text (`<|from|>`, not `<[12]>`), so that an engine
    /// can look them up before `resolvingTokens`.
    /// - Throws: `GenerationError.invalidConstraint` when the grammar cannot be read.
    public static func tokenMarkers(in grammar: String) throws -> Set<String> {
        guard grammar.contains("<") else { return [] }
        var markers = Set<String>()
        for case .token(let inner) in try pieces(grammar) where !inner.hasPrefix("[") {
            markers.insert("<" + inner + ">")
        }
        return markers
    }

    /// Settles the grammar's token references (`<|from|>`, which the templates use for special markers): a
    /// marker that is one token of the engine's vocabulary (`tokenID`) becomes `<[id]>` where the engine reads
    /// token ids (`tokenIDs`: the embedded engine and llama.cpp servers), and a string literal otherwise; vLLM
    /// and SGLang, whose grammars have no token syntax, always get the literal.
    /// - Throws: `GenerationError.invalidConstraint` for a token-id reference an engine without token ids would
    ///   get, or a negated marker (`!<|stop|>`) that is not one token (a literal cannot be excluded that way).
    public static func resolvingTokens(in grammar: String, tokenIDs: Bool, tokenID: (String) -> Int?) throws -> String {
        guard grammar.contains("<") else { return grammar }
        let pieces = try pieces(grammar)
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
                guard tokenIDs else {
                    throw GenerationError.invalidConstraint("token-id references like <\(inner)> only work with llama.cpp engines")
                }
                out.append(piece)
                continue
            }
            let marker = "<" + inner + ">"
            if tokenIDs, let id = tokenID(marker) {
                out.append(.token("[\(id)]"))
            } else if negated {
                throw GenerationError.invalidConstraint("the engine cannot exclude \(marker): it is not one token there")
            } else {
                out.append(.other(GBNF.literal(marker)))
            }
        }
        return GBNF.text(of: out)
    }

    private static func pieces(_ grammar: String) throws -> [GBNF.Piece] {
        do {
            return try GBNF.pieces(in: grammar)
        } catch {
            throw GenerationError.invalidConstraint("the grammar cannot be read: \(error)")
        }
    }
}
