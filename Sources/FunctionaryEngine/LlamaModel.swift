import CLlama
import Foundation

/// A loaded GGUF model and its vocabulary.
///
/// `@unchecked Sendable`: after `init` the model is only read. llama.cpp documents tokenization
/// and detokenization as thread-safe, and metadata and vocabulary queries read immutable tables;
/// the pointer is freed in `deinit`, when no one else holds the object.
final class LlamaModel: @unchecked Sendable {
    let pointer: OpaquePointer
    let vocab: OpaquePointer
    let path: String
    let vocabularySize: Int
    /// The context length the model was trained with.
    let trainedContext: Int
    /// The sliding-window size of SWA models (0 otherwise).
    let slidingWindow: Int
    /// Every token's bytes (special tokens rendered as their text), by token id.
    private let pieces: [[UInt8]]
    /// The tokens that special-token parsing turns a spelling into and plain tokenization leaves as text (control and
    /// unknown tokens), by their text's bytes; see `tokenizePrompt`.
    let controlTokens: ControlTokenTable

    /// Loads a model file, after checking it is a complete GGUF file.
    /// - Throws: `EngineError` naming the problem.
    init(path: String, gpuLayers: Int) throws(EngineError) {
        _ = try GGUFInspector(path: path).inspect()
        LlamaBackend.initialize()
        _ = LlamaLog.shared.takeRecentProblems()
        var params = llama_model_default_params()
        params.n_gpu_layers = Int32(clamping: gpuLayers)
        guard let model = llama_model_load_from_file(path, params) else {
            let details = LlamaLog.shared.takeRecentProblems().suffix(3).joined(separator: "; ")
            throw EngineError(
                .modelLoadFailed, "llama.cpp could not load the model \(path)" + (details.isEmpty ? "" : ": \(details)"))
        }
        guard let vocab = llama_model_get_vocab(model) else {
            llama_model_free(model)
            throw EngineError(.modelLoadFailed, "the model \(path) has no vocabulary")
        }
        pointer = model
        self.vocab = vocab
        self.path = path
        let vocabularySize = Int(llama_vocab_n_tokens(vocab))
        self.vocabularySize = vocabularySize
        pieces = (0..<vocabularySize).map { Self.renderPiece(vocab, llama_token($0)) }
        controlTokens = ControlTokenTable(vocab: vocab, count: vocabularySize)
        trainedContext = Int(llama_model_n_ctx_train(model))
        slidingWindow = Int(max(0, llama_model_n_swa(model)))
    }

    deinit {
        llama_model_free(pointer)
    }

    /// Tokenizes `text`, turning special-token markers (`<|from|>` …) into their tokens where the
    /// vocabulary has them, and adding BOS when the model asks for it and `addSpecial` is true.
    func tokenize(_ text: String, addSpecial: Bool = true, parseSpecial: Bool = true) -> [llama_token] {
        let utf8 = Array(text.utf8)
        var capacity = utf8.count + 8
        while true {
            var tokens = [llama_token](repeating: 0, count: capacity)
            let count = utf8.withUnsafeBufferPointer { bytes in
                bytes.withMemoryRebound(to: CChar.self) { chars in
                    llama_tokenize(
                        vocab, chars.baseAddress, Int32(chars.count), &tokens, Int32(capacity), addSpecial, parseSpecial)
                }
            }
            if count >= 0 {
                tokens.removeSubrange(Int(count)...)
                return tokens
            }
            if count == Int32.min { return [] }
            capacity = Int(-count)
        }
    }

    /// The bytes of a token, special tokens rendered as their text.
    func piece(_ token: llama_token) -> [UInt8] {
        token >= 0 && Int(token) < pieces.count ? pieces[Int(token)] : []
    }

    private static func renderPiece(_ vocab: OpaquePointer, _ token: llama_token) -> [UInt8] {
        var buffer = [CChar](repeating: 0, count: 32)
        var count = llama_token_to_piece(vocab, token, &buffer, Int32(buffer.count), 0, true)
        if count < 0 {
            buffer = [CChar](repeating: 0, count: Int(-count))
            count = llama_token_to_piece(vocab, token, &buffer, Int32(buffer.count), 0, true)
        }
        guard count > 0 else { return [] }
        return buffer[0..<Int(count)].map { UInt8(bitPattern: $0) }
    }

    /// The token `text` is, when the vocabulary has it as exactly one token (special tokens included).
    func singleToken(_ text: String) -> llama_token? {
        let tokens = tokenize(text, addSpecial: false, parseSpecial: true)
        return tokens.count == 1 ? tokens[0] : nil
    }

    /// Whether `token` ends generation (EOS, EOT, `<end_of_turn>` …).
    func isEndOfGeneration(_ token: llama_token) -> Bool {
        llama_vocab_is_eog(vocab, token)
    }

    /// A metadata value as a string (`tokenizer.chat_template`, `general.name` …).
    func metadata(_ key: String) -> String? {
        var capacity = 256
        while true {
            var buffer = [CChar](repeating: 0, count: capacity)
            let length = llama_model_meta_val_str(pointer, key, &buffer, capacity)
            if length < 0 { return nil }
            if Int(length) < capacity {
                return String(decoding: buffer[0..<Int(length)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            }
            capacity = Int(length) + 1
        }
    }
}
