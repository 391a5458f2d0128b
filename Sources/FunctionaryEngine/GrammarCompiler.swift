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

/// Turns `OutputConstraint`s into llama.cpp grammars (`ConstraintGrammar`: the project's schema converter, the
/// same text a remote engine gets), token references settled against the vocabulary, and parses them once per
/// constraint: the cache keeps the last 64 by content, so a tool set's grammar is compiled once.
final class GrammarCompiler: Sendable {
    private let model: LlamaModel
    private let maxGrammarBytes: Int
    private let cache = Mutex<[(OutputConstraint, CompiledGrammar)]>([])
    private static let cacheLimit = 64

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

    /// The complete GBNF for a constraint (`ConstraintGrammar`, the same text the remote engines get), with its
    /// token references resolved against the model's vocabulary.
    func grammarText(for constraint: OutputConstraint) throws(GenerationError) -> String {
        do {
            let rendered = try ConstraintGrammar.render(constraint)
            return try ConstraintGrammar.resolvingTokens(in: rendered.grammar, tokenIDs: true) { marker in
                model.singleToken(marker).map { Int($0) }
            }
        } catch let error as GenerationError {
            throw error
        } catch {
            throw .invalidConstraint("\(error)")
        }
    }
}
