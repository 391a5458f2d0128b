import Testing

@testable import FunctionaryProtocol

/// `nullable: true` rewritten as JSON Schema's `anyOf` with `null`, at any depth.
@Suite struct NullableSchemaTests {
    private func expanded(_ schema: String) throws -> String {
        NullableSchema.expanded(try JSONValue(parsing: schema)).compactJSON()
    }

    @Test func nullableBecomesAnyOfWithNull() throws {
        #expect(try expanded(#"{"type": "string", "nullable": true, "maxLength": 3}"#)
            == #"{"anyOf":[{"type":"string","maxLength":3},{"type":"null"}]}"#)
        #expect(try expanded(#"{"type": "string", "nullable": false}"#) == #"{"type":"string"}"#)
        #expect(try expanded(#"{"type": "null", "nullable": true}"#) == #"{"type":"null"}"#)
        #expect(try expanded(#"{"type": "integer"}"#) == #"{"type":"integer"}"#)
    }

    @Test func everyPlaceThatHoldsASchema() throws {
        let schema = ##"""
            {"type": "object", "properties": {
              "a": {"type": "array", "items": {"enum": ["x"], "nullable": true}},
              "b": {"oneOf": [{"type": "integer", "nullable": true}, {"type": "boolean"}]},
              "c": {"type": "object", "additionalProperties": {"type": "number", "nullable": true}},
              "d": {"$ref": "#/$defs/D"}},
             "$defs": {"D": {"type": "string", "nullable": true}}}
            """##
        let expected = ##"""
            {"type":"object","properties":{"a":{"type":"array","items":{"anyOf":[{"enum":["x"]},{"type":"null"}]}},\##
            "b":{"oneOf":[{"anyOf":[{"type":"integer"},{"type":"null"}]},{"type":"boolean"}]},\##
            "c":{"type":"object","additionalProperties":{"anyOf":[{"type":"number"},{"type":"null"}]}},\##
            "d":{"$ref":"#/$defs/D"}},"$defs":{"D":{"anyOf":[{"type":"string"},{"type":"null"}]}}}
            """##
        #expect(try expanded(schema) == expected)
    }

    /// Definitions stay at the top of a nullable root, where `#/$defs/…` references point.
    @Test func definitionsStayAtTheRoot() throws {
        #expect(try expanded(#"{"type": "object", "nullable": true, "$defs": {"X": {"type": "integer"}}}"#)
            == #"{"$defs":{"X":{"type":"integer"}},"anyOf":[{"type":"object"},{"type":"null"}]}"#)
    }

    /// Values that are not schemas (an example, a default, a property literally named "nullable") are kept.
    @Test func keepsWhatIsNotASchema() throws {
        #expect(try expanded(#"{"type": "object", "default": {"nullable": true}, "properties": {"nullable": {"type": "boolean"}}}"#)
            == #"{"type":"object","default":{"nullable":true},"properties":{"nullable":{"type":"boolean"}}}"#)
    }
}
