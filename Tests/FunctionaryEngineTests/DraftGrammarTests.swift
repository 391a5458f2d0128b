import FunctionaryProtocol
import Testing

@testable import FunctionaryEngine

/// Speculation evaluates only the drafted tokens the grammar allows: a copy of the choice's grammar walks the draft
/// and the first refused token ends it, while the choice's own grammar state stays where it was.
@Suite struct DraftGrammarTests {
    let commit = MarkupCommitTests()

    func text(_ tokens: some Sequence<Int32>, _ model: LlamaModel) -> String {
        String(decoding: tokens.flatMap { model.piece($0) }, as: UTF8.self)
    }

    @Test func aDraftTheGrammarAllowsIsKeptWhole() throws {
        let (sampler, model) = try commit.makeSampler(.gemma3)
        #expect(try commit.feed("Sure. <tool_call", sampler, model))
        let draft = model.tokenize(">\n{\"name\": \"get_time\", \"arguments\": {\"tz\": \"Europe/Paris\"}}", addSpecial: false, parseSpecial: false)
        #expect(sampler.admissiblePrefixCount(of: draft) == draft.count)
    }

    @Test func theFirstRefusedTokenEndsTheDraft() throws {
        let (sampler, model) = try commit.makeSampler(.gemma3)
        #expect(try commit.feed("Sure. <tool_call", sampler, model))
        let before = sampler.forcedText(maxCharacters: 64).bytes
        // Only get_time is offered: the name is refused where it departs from it.
        let draft = model.tokenize(">\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}", addSpecial: false, parseSpecial: false)
        let kept = sampler.admissiblePrefixCount(of: draft)
        #expect(kept > 0 && kept < draft.count)
        let keptText = text(draft.prefix(kept), model)
        #expect(">\n{\"name\": \"get_time\"".hasPrefix(keptText), "\(keptText)")
        #expect(!text(draft.prefix(kept + 1), model).hasPrefix(">\n{\"name\": \"get_t"))
        // The walk used a copy: the choice's grammar still forces the same text, and still accepts the first token.
        #expect(sampler.forcedText(maxCharacters: 64).bytes == before)
        #expect(try sampler.acceptForced(draft[0]))
    }

    @Test func anEmptyDraftAndNoGrammar() throws {
        let (sampler, model) = try commit.makeSampler(.gemma3)
        #expect(sampler.admissiblePrefixCount(of: []) == 0)
        let free = try TokenSampler(parameters: SamplingParameters(), seed: 1, grammar: nil, model: model, contextSize: 2048)
        let words = model.tokenize("any text at all", addSpecial: false, parseSpecial: false)
        #expect(free.admissiblePrefixCount(of: words) == words.count)
    }
}
