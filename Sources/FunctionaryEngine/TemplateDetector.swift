import FunctionaryProtocol

/// Tells the Functionary prompt template of a model from its GGUF metadata, in the reference's
/// order (protocol §3.0): the `{# version=… #}` comment of `tokenizer.chat_template`, then the
/// special tokens of the vocabulary and marks of the chat template.
struct TemplateDetector {
    /// What the detector looks at, so that it can be tested without a model.
    struct Evidence {
        var chatTemplate: String?
        /// Whether `text` is a single token of the vocabulary.
        var isSingleToken: (String) -> Bool
    }

    let evidence: Evidence

    init(evidence: Evidence) { self.evidence = evidence }

    init(model: LlamaModel) {
        evidence = Evidence(
            chatTemplate: model.metadata("tokenizer.chat_template"), isSingleToken: { model.singleToken($0) != nil })
    }

    /// The template version, or an error that says why and asks for `--template`.
    func detect() -> Result<TemplateVersion, EngineError> {
        let template = evidence.chatTemplate ?? ""
        if let name = versionComment(in: template) {
            if let version = TemplateVersion(rawValue: name) { return .success(version) }
            return .failure(
                EngineError(
                    .unknownTemplate,
                    "the model's chat template declares version '\(name)', which this runtime does not implement; "
                        + "pass --template with one of: \(Self.known)"))
        }
        let single = evidence.isSingleToken
        if single("<|from|>") { return .success(.v2) }
        if template.contains("<function=") || single("<|eom_id|>") { return .success(.v3Llama31) }
        if template.contains("<|reserved_special_token_249|>") { return .success(.v2Llama3) }
        if single("<|eot_id|>"), template.contains(">>>") || single("<|reserved_special_token_249|>") {
            return .success(.v3Llama3)
        }
        if template.contains("<|im_start|>") || single("<|im_start|>") { return .success(.qwen25) }
        if template.contains("<start_of_turn>") || single("<start_of_turn>") { return .success(.gemma3) }
        let what = evidence.chatTemplate == nil ? "it has no tokenizer.chat_template" : "its chat template has no version comment"
        return .failure(
            EngineError(
                .unknownTemplate,
                "cannot tell the prompt template of this model (\(what), and none of the special tokens "
                    + "<|from|>, <|eom_id|>, <|eot_id|>, <|im_start|>, <start_of_turn> is in its vocabulary); "
                    + "pass --template with one of: \(Self.known)"))
    }

    static var known: String { TemplateVersion.allCases.map(\.rawValue).joined(separator: ", ") }

    /// The NAME of a `{# version=NAME #}` comment.
    private func versionComment(in template: String) -> String? {
        guard let start = template.range(of: "{# version=") else { return nil }
        let rest = template[start.upperBound...]
        guard let end = rest.range(of: " #}") else { return nil }
        let name = rest[..<end.lowerBound]
        return name.isEmpty || name.contains("\n") ? nil : String(name)
    }
}
