import FunctionaryProtocol
import Testing

@testable import FunctionaryEngine

/// `--template auto`: the template from a model's metadata, for every version, without a model file.
@Suite struct TemplateDetectorTests {
    private func detect(_ template: String?, tokens: Set<String> = []) -> Result<TemplateVersion, EngineError> {
        TemplateDetector(evidence: .init(chatTemplate: template, isSingleToken: { tokens.contains($0) })).detect()
    }

    private static let llama3Tokens: Set<String> = ["<|eot_id|>", "<|reserved_special_token_249|>", "<|start_header_id|>"]

    /// The `{# version=… #}` comment every Functionary chat template starts with decides first.
    @Test(arguments: TemplateVersion.allCases)
    func versionComment(version: TemplateVersion) throws {
        let template = "{# version=\(version.rawValue) #}{% for message in messages %}…{% endfor %}"
        #expect(try detect(template, tokens: ["<|from|>"]).get() == version)
    }

    @Test func unknownVersionCommentAsksForTemplate() {
        guard case .failure(let error) = detect("{# version=v9.future #}{{ messages }}") else {
            Issue.record("an unknown version was accepted")
            return
        }
        #expect(error.code == .unknownTemplate)
        #expect(error.message.contains("'v9.future'"))
        #expect(error.message.contains("--template"))
    }

    /// Without the comment: the special tokens of the vocabulary and marks of the chat template.
    @Test func specialTokensAndMarks() throws {
        #expect(try detect(nil, tokens: ["<|from|>", "<|recipient|>"]).get() == .v2)
        #expect(try detect("{{ '<function=' }}", tokens: Self.llama3Tokens).get() == .v3Llama31)
        #expect(try detect("{{ bos_token }}", tokens: Self.llama3Tokens.union(["<|eom_id|>"])).get() == .v3Llama31)
        #expect(try detect("{{ '<|reserved_special_token_249|>' }}", tokens: Self.llama3Tokens).get() == .v2Llama3)
        #expect(try detect("{{ '>>>' + message['recipient'] }}", tokens: Self.llama3Tokens).get() == .v3Llama3)
        #expect(try detect("{{ '<|im_start|>' + message['role'] }}").get() == .qwen25)
        #expect(try detect(nil, tokens: ["<|im_start|>"]).get() == .qwen25)
        #expect(try detect("{{ '<start_of_turn>' + role }}").get() == .gemma3)
        #expect(try detect(nil, tokens: ["<start_of_turn>", "<end_of_turn>"]).get() == .gemma3)
    }

    @Test func undecidableAsksForTemplate() {
        for template in [nil, "{{ messages }}"] as [String?] {
            guard case .failure(let error) = detect(template, tokens: ["<s>", "</s>"]) else {
                Issue.record("detected a template from nothing")
                continue
            }
            #expect(error.message.hasPrefix("cannot tell the prompt template of this model"))
            #expect(error.message.contains("--template"))
        }
    }

    /// The tiny model's real vocabulary, with its chat template left out: `<|from|>` alone picks v2.
    @Test func tinyModelVocabularyAlonePicksV2() throws {
        let tiny = try TestModels.tinyEngine()
        let single: (String) -> Bool = { text in tiny.tokenize(text).filter { tiny.tokenText($0) == text }.count == 1 }
        #expect(single("<|from|>"))
        let detector = TemplateDetector(evidence: .init(chatTemplate: nil, isSingleToken: single))
        #expect(try detector.detect().get() == .v2)
    }
}
