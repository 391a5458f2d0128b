import CLlama
import FunctionaryProtocol
import Synchronization

/// A grammar parsed by llama.cpp for one constraint; each generation gets its own copy.
///
/// `@unchecked Sendable`: `prototype` is never applied or advanced, only cloned, and cloning reads it.
final class CompiledGrammar: @unchecked Sendable {
    /// The complete GBNF text given to llama.cpp.
    let text: String
    private let prototype: UnsafeMutablePointer<llama_sampler>

    init(text: String, prototype: UnsafeMutablePointer<llama_sampler>) {
        self.text = text
        self.prototype = prototype
    }

    deinit { llama_sampler_free(prototype) }

    /// A fresh grammar sampler at the start of the output, owned by the caller.
    func makeSampler() -> UnsafeMutablePointer<llama_sampler>? {
        llama_sampler_clone(prototype)
    }
}

/// Turns `OutputConstraint`s into llama.cpp grammars: each schema rule is generated from its JSON
/// Schema by llama.cpp's `json_schema_to_grammar` (through the C shim) and renamed into the grammar;
/// token references become the vocabulary's tokens, or text where the vocabulary has no such token.
/// Results are cached per constraint.
final class GrammarCompiler: Sendable {
    private let model: LlamaModel
    private let maxGrammarBytes: Int
    private let cache = Mutex<[(OutputConstraint, CompiledGrammar)]>([])
    private static let cacheLimit = 64
    /// What a schema may cost before llama.cpp's converter (which recurses per nesting level and per `$ref`
    /// hop, and would overflow the stack on a chain of thousands) is given it.
    static let schemaLimits = SchemaLimits(maxBytes: 16 << 20, maxDepth: 128, maxRefHops: 32)

    init(model: LlamaModel, maxGrammarBytes: Int = 2 << 20) {
        self.model = model
        self.maxGrammarBytes = maxGrammarBytes
    }

    /// The compiled grammar for `constraint`, from the cache when it was compiled before.
    /// - Throws: `GenerationError.invalidConstraint` naming what llama.cpp could not accept.
    func compile(_ constraint: OutputConstraint) throws(GenerationError) -> CompiledGrammar {
        if let hit = cache.withLock({ entries in entries.first { $0.0 == constraint }?.1 }) {
            return hit
        }
        let text = try grammarText(for: constraint)
        if text.utf8.count > maxGrammarBytes {
            throw .invalidConstraint(
                "the grammar for this request is \(text.utf8.count) bytes, over the limit of \(maxGrammarBytes) (--max-grammar-bytes)")
        }
        _ = LlamaLog.shared.takeRecentProblems()
        guard let prototype = llama_sampler_init_grammar(model.vocab, text, "root") else {
            let details = LlamaLog.shared.takeRecentProblems().suffix(2).joined(separator: "; ")
            throw .invalidConstraint("llama.cpp rejected the grammar" + (details.isEmpty ? "" : ": \(details)"))
        }
        let compiled = CompiledGrammar(text: text, prototype: prototype)
        cache.withLock { entries in
            if !entries.contains(where: { $0.0 == constraint }) {
                entries.append((constraint, compiled))
                if entries.count > Self.cacheLimit { entries.removeFirst() }
            }
        }
        return compiled
    }

    /// The complete GBNF for a constraint: its grammar, then one renamed grammar per schema rule,
    /// with token references resolved against the model's vocabulary.
    func grammarText(for constraint: OutputConstraint) throws(GenerationError) -> String {
        var text = constraint.grammar
        if !text.hasSuffix("\n") { text += "\n" }
        for (name, schema) in constraint.schemas.sorted(by: { $0.key < $1.key }) {
            guard GBNF.isRuleName(name) else {
                throw .invalidConstraint("'\(name)' is not a valid grammar rule name")
            }
            let generated = try Self.schemaGrammar(schema, rule: name)
            do {
                text += try GBNF.renamingRules(in: generated, root: name, prefix: "\(name)-")
            } catch {
                throw .invalidConstraint("the grammar generated for '\(name)' cannot be read: \(error)")
            }
            if !text.hasSuffix("\n") { text += "\n" }
        }
        do {
            return try GBNF.replacingTokenReferences(in: text) { inner in
                let marker = "<\(inner)>"
                if let token = model.singleToken(marker) { return "<[\(token)]>" }
                return GBNF.literal(marker)
            }
        } catch {
            throw .invalidConstraint("the grammar cannot be read: \(error)")
        }
    }

    /// GBNF (with a `root` rule) for values matching a JSON Schema, from llama.cpp's converter (which
    /// knows no `nullable`: `NullableSchema` rewrites it first, as an `anyOf` with `null`).
    static func schemaGrammar(_ schema: JSONValue, rule: String) throws(GenerationError) -> String {
        do {
            try schemaLimits.check(schema, name: rule)
        } catch {
            throw .invalidConstraint("the JSON Schema of '\(rule)' cannot be turned into a grammar: \(error)")
        }
        var error: UnsafeMutablePointer<CChar>?
        guard let result = fshim_json_schema_to_gbnf(NullableSchema.expanded(schema).compactJSON(), &error) else {
            let message = error.map { String(cString: $0) } ?? "unknown error"
            fshim_free(error)
            throw .invalidConstraint("the JSON Schema of '\(rule)' cannot be turned into a grammar: \(message)")
        }
        defer { fshim_free(result) }
        return String(cString: result)
    }
}
