import Functionary
import GBNFTestSupport
import Testing

/// The schemas `@Generable` builds, against hand-written ones; values validate against them; and what the
/// grammar of each schema generates decodes back as the type.
@Suite struct GeneratedSchemaTests {
    @Test func enoughTypesAreCovered() {
        #expect(schemaCases.count >= 20)
    }

    @Test(arguments: schemaCases)
    func schemaMatchesTheHandWrittenOne(_ item: SchemaCase) throws {
        let expected = try JSONValue(parsing: item.expected)
        #expect(Canonical.form(item.schema) == Canonical.form(expected), "\(item.name): \(item.schema.compactJSON())")
    }

    @Test(arguments: schemaCases)
    func encodedValuesValidateAndRoundTrip(_ item: SchemaCase) throws {
        let validator = JSONSchemaValidator(schema: item.schema)
        for sample in item.samples {
            #expect(validator.validate(sample).isEmpty, "\(item.name): \(sample.compactJSON()) \(validator.validate(sample))")
            #expect(try item.roundTrip(sample) == sample)
        }
    }

    @Test(arguments: schemaCases)
    func grammarInstancesDecode(_ item: SchemaCase) throws {
        let grammar = try ConstraintGrammar.render(ToolGrammar.jsonResponse(schema: item.schema)).grammar
        let matcher = try GBNFMatcher(grammar)
        // The grammar bounds integers but not other numbers (ToolGrammar's converter, as llama.cpp's): those
        // bounds are checked after decoding (`LanguageModelSession` reports a violation as `.decodingFailed`).
        let validator = JSONSchemaValidator(schema: Canonical.withoutNumberBounds(item.schema))
        for seed in 0..<12 {
            var sampler = GrammarSampler(matcher, seed: UInt64(seed))
            let text = sampler.sample()
            #expect(matcher.matches(text), "\(item.name): the sampler left the grammar: \(text)")
            let json = try JSONValue(parsing: text)
            #expect(validator.validate(json).isEmpty, "\(item.name): \(text) \(validator.validate(json))")
            // Decodes, and encodes back to the same value (absent optionals stay absent).
            let again = try item.roundTrip(json)
            #expect(validator.validate(again).isEmpty, "\(item.name): \(again.compactJSON())")
        }
    }

    @Test func decodingErrorsNameTheProperty() throws {
        #expect(throws: GeneratedContentError.self) { try Person(["name": "Ada"]) }
        do {
            _ = try Person(["name": "Ada", "age": "old"])
        } catch let error as GeneratedContentError {
            #expect(error.message.contains("'age'"))
        } catch {
            Issue.record("unexpected \(error)")
        }
        #expect(throws: GeneratedContentError.self) { try Color("purple") }
        #expect(throws: GeneratedContentError.self) { try Shape(["square": [:]]) }
        #expect(try Shape(["label": ["_0": "x", "size": 2]]) == .label("x", size: 2))
    }

    @Test func partiallyGeneratedValues() throws {
        let partial = try TripPlan.PartiallyGenerated(PartialJSON.parse(#"{"destination": "Par"#) ?? .null)
        #expect(partial.destination == "Par")
        #expect(partial.days == nil)
        let more = try TripPlan.PartiallyGenerated(PartialJSON.parse(#"{"destination": "Paris", "days": 3, "activities": ["Lou"#) ?? .null)
        #expect(more.days == 3)
        #expect(more.activities == ["Lou"])
    }
}

extension Canonical {
    /// The schema without `minimum`/`maximum` on `number` types.
    static func withoutNumberBounds(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(var object):
            if object["type"] == "number" {
                object["minimum"] = nil
                object["maximum"] = nil
            }
            return .object(JSONObject(object.map { ($0.key, withoutNumberBounds($0.value)) }))
        case .array(let items): return .array(items.map(withoutNumberBounds))
        default: return value
        }
    }
}

/// Objects with sorted keys, so that schemas compare whatever order the keywords were written in.
enum Canonical {
    static func form(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object):
            return .object(JSONObject(object.keys.sorted().map { ($0, form(object[$0]!)) }))
        case .array(let items): return .array(items.map(form))
        default: return value
        }
    }
}
