import Testing

@testable import FunctionaryProtocol

@Suite struct JSONSchemaValidatorTests {
    /// Parses JSON text (test input is well-formed).
    func json(_ text: String) throws -> JSONValue { try JSONValue(parsing: text) }

    /// The violations as `path: message` lines.
    func problems(_ schema: String, _ value: String) throws -> [String] {
        JSONSchemaValidator(schema: try json(schema)).validate(try json(value)).map(\.description)
    }

    @Test func weatherArguments() throws {
        let schema = #"""
            {"type": "object", "properties": {"location": {"type": "string", "description": "where"},
             "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}}, "required": ["location"]}
            """#
        #expect(try problems(schema, #"{"location": "Hanoi"}"#) == [])
        #expect(try problems(schema, #"{"location": "Hanoi", "unit": "celsius", "extra": 1}"#) == [])
        #expect(try problems(schema, #"{}"#) == ["$.location: required property 'location' is missing"])
        #expect(try problems(schema, #"{"location": 5}"#) == ["$.location: expected string, got integer 5"])
        #expect(
            try problems(schema, #"{"location": "x", "unit": "kelvin"}"#)
                == [#"$.unit: string "kelvin" is not one of array ["celsius","fahrenheit"]"#])
        #expect(try problems(schema, #"["Hanoi"]"#) == [#"$: expected object, got array ["Hanoi"]"#])
    }

    @Test func types() throws {
        #expect(try problems(#"{"type": "integer"}"#, "3") == [])
        #expect(try problems(#"{"type": "integer"}"#, "3.0") == [])
        #expect(try problems(#"{"type": "integer"}"#, "3.5") == ["$: expected integer, got number 3.5"])
        #expect(try problems(#"{"type": "number"}"#, "3") == [])
        #expect(try problems(#"{"type": "number"}"#, "true") == ["$: expected number, got boolean true"])
        #expect(try problems(#"{"type": "boolean"}"#, "0") == ["$: expected boolean, got integer 0"])
        #expect(try problems(#"{"type": "null"}"#, "null") == [])
        #expect(try problems(#"{"type": ["number", "null"]}"#, "null") == [])
        #expect(try problems(#"{"type": ["number", "null"]}"#, #""1""#) == [#"$: expected number or null, got string "1""#])
        #expect(try problems(#"{"type": "string", "nullable": true}"#, "null") == [])
        #expect(try problems(#"{"type": "string", "nullable": false}"#, "null") == ["$: expected string, got null"])
        #expect(try problems(#"{"type": "strnig"}"#, "1").first?.hasPrefix("$: invalid schema: unknown type 'strnig'") == true)
        #expect(try problems("true", "1") == [])
        #expect(try problems("false", "1") == ["$: no value is allowed here (the schema is false)"])
        #expect(try problems("{}", #"{"a": [1, null]}"#) == [])
    }

    @Test func enumAndConstCompareByValue() throws {
        #expect(try problems(#"{"enum": [1, "a", {"x": 1, "y": [true]}]}"#, "1.0") == [])
        #expect(try problems(#"{"enum": [1, "a", {"x": 1, "y": [true]}]}"#, #"{"y": [true], "x": 1}"#) == [])
        #expect(try problems(#"{"enum": [1, 2]}"#, "3") == ["$: integer 3 is not one of array [1,2]"])
        #expect(try problems(#"{"const": "a"}"#, #""a""#) == [])
        #expect(try problems(#"{"const": "a"}"#, #""b""#) == [#"$: expected string "a", got string "b""#])
    }

    @Test func strings() throws {
        let schema = #"{"type": "string", "minLength": 2, "maxLength": 3, "pattern": "^[a-zé]+$"}"#
        #expect(try problems(schema, #""abc""#) == [])
        #expect(try problems(schema, #""éé""#) == [])  // 2 Unicode scalars
        #expect(try problems(schema, #""a""#) == ["$: string is 1 character long, shorter than minLength 2"])
        #expect(try problems(schema, #""abcd""#) == ["$: string is 4 characters long, longer than maxLength 3"])
        #expect(try problems(schema, #""A1""#) == [#"$: string "A1" does not match pattern "^[a-zé]+$""#])
        // Unanchored patterns search.
        #expect(try problems(#"{"pattern": "\\d"}"#, #""ab3""#) == [])
        #expect(try problems(#"{"pattern": "("}"#, #""x""#).first?.contains("invalid schema: 'pattern'") == true)
        // Keywords for other types do not apply.
        #expect(try problems(#"{"minLength": 5, "minimum": 3}"#, "[]") == [])
    }

    @Test func numbers() throws {
        #expect(try problems(#"{"minimum": 1, "maximum": 10}"#, "1") == [])
        #expect(try problems(#"{"minimum": 1, "maximum": 10}"#, "10") == [])
        #expect(try problems(#"{"minimum": 1, "maximum": 10}"#, "0.5") == ["$: 0.5 is not at least 1"])
        #expect(try problems(#"{"minimum": 1, "maximum": 10}"#, "11") == ["$: 11 is not at most 10"])
        #expect(try problems(#"{"exclusiveMinimum": 1, "exclusiveMaximum": 10}"#, "1") == ["$: 1 is not greater than 1"])
        #expect(try problems(#"{"exclusiveMinimum": 1, "exclusiveMaximum": 10}"#, "10") == ["$: 10 is not less than 10"])
        #expect(try problems(#"{"exclusiveMinimum": 1, "exclusiveMaximum": 10}"#, "5") == [])
        // Draft 4 boolean form.
        #expect(try problems(#"{"minimum": 1, "exclusiveMinimum": true}"#, "1") == ["$: 1 is not greater than 1"])
        #expect(try problems(#"{"maximum": 1, "exclusiveMaximum": true}"#, "0.9") == [])
        #expect(try problems(#"{"multipleOf": 0.5}"#, "2.5") == [])
        #expect(try problems(#"{"multipleOf": 0.5}"#, "2.25") == ["$: 2.25 is not a multiple of 0.5"])
        #expect(try problems(#"{"minimum": "1"}"#, "0") == ["$: invalid schema: 'minimum' must be a number"])
    }

    @Test func arrays() throws {
        let schema =
            #"{"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}, "minItems": 1, "maxItems": 3}"#
        #expect(try problems(schema, #"[{"name": "a"}]"#) == [])
        #expect(try problems(schema, "[]") == ["$: array has 0 items, fewer than minItems 1"])
        #expect(
            try problems(schema, #"[{"name": "a"}, {"name": "b"}, {"name": 3}, {}]"#) == [
                "$: array has 4 items, more than maxItems 3",
                "$[2].name: expected string, got integer 3",
                "$[3].name: required property 'name' is missing",
            ])
        let nested = #"{"type": "object", "properties": {"items": \#(schema)}}"#
        #expect(
            try problems(nested, #"{"items": [{"name": "a"}, {"name": "b"}, {"name": null}]}"#)
                == ["$.items[2].name: expected string, got null"])
        #expect(try problems(#"{"uniqueItems": true}"#, "[1, 2, 1.0]") == ["$: items 0 and 2 are equal, but uniqueItems is true"])
        #expect(
            try problems(#"{"items": [{"type": "string"}, {"type": "integer"}], "additionalItems": false}"#, #"["a", 1, 2]"#)
                == ["$[2]: no value is allowed here (the schema is false)"])
        #expect(
            try problems(#"{"prefixItems": [{"type": "string"}], "items": {"type": "integer"}}"#, #"["a", 1, "b"]"#)
                == [#"$[2]: expected integer, got string "b""#])
        #expect(try problems(#"{"contains": {"type": "string"}}"#, "[1, 2]") == ["$: no item matches the 'contains' schema"])
    }

    @Test func objects() throws {
        let closed = #"{"properties": {"a": {"type": "integer"}}, "additionalProperties": false}"#
        #expect(try problems(closed, #"{"a": 1}"#) == [])
        #expect(try problems(closed, #"{"a": 1, "b": 2}"#) == ["$.b: property 'b' is not allowed (allowed: 'a')"])
        let typed = #"{"properties": {"a": {"type": "integer"}}, "additionalProperties": {"type": "string"}}"#
        #expect(try problems(typed, #"{"a": 1, "b c": 2}"#) == [#"$["b c"]: expected string, got integer 2"#])
        let patterned = #"{"patternProperties": {"^x-": {"type": "string"}}, "additionalProperties": false}"#
        #expect(try problems(patterned, #"{"x-a": "s", "y": 1}"#) == ["$.y: property 'y' is not allowed"])
        #expect(try problems(#"{"minProperties": 1}"#, "{}") == ["$: object has 0 properties, fewer than minProperties 1"])
        // OpenAPI-style `required: true` on a property is tolerated.
        #expect(try problems(#"{"properties": {"a": {"type": "string", "required": true}}}"#, #"{"a": "x"}"#) == [])
    }

    @Test func combinators() throws {
        let oneOf = #"{"oneOf": [{"type": "string"}, {"type": "integer"}, {"type": "number", "minimum": 100}]}"#
        #expect(try problems(oneOf, #""a""#) == [])
        #expect(try problems(oneOf, "5") == [])
        #expect(try problems(oneOf, "150") == ["$: matches 2 of the oneOf schemas (1, 2), expected exactly one"])
        #expect(try problems(oneOf, "true") == ["$: matches none of the oneOf schemas (closest: $: expected string, got boolean true)"])
        let anyOf = #"{"anyOf": [{"type": "string", "maxLength": 1}, {"type": "integer"}]}"#
        #expect(try problems(anyOf, #""a""#) == [])
        #expect(try problems(anyOf, "7") == [])
        #expect(
            try problems(anyOf, #""ab""#)
                == ["$: matches none of the anyOf schemas (closest: $: string is 2 characters long, longer than maxLength 1)"])
        let allOf = #"{"allOf": [{"required": ["a"]}, {"required": ["b"]}]}"#
        #expect(try problems(allOf, #"{"a": 1}"#) == ["$.b: required property 'b' is missing"])
        #expect(try problems(#"{"not": {"type": "null"}}"#, "null") == ["$: must not match the 'not' schema"])
        let conditional = #"{"if": {"properties": {"kind": {"const": "car"}}}, "then": {"required": ["wheels"]}, "else": {"required": ["legs"]}}"#
        #expect(try problems(conditional, #"{"kind": "car"}"#) == ["$.wheels: required property 'wheels' is missing"])
        #expect(try problems(conditional, #"{"kind": "cat"}"#) == ["$.legs: required property 'legs' is missing"])
        #expect(try problems(#"{"anyOf": []}"#, "1") == ["$: invalid schema: 'anyOf' must be a non-empty array of schemas"])
    }

    @Test func references() throws {
        let schema = #"""
            {"type": "object", "properties": {"car": {"$ref": "#/$defs/Car"}, "old": {"$ref": "#/definitions/Old"},
             "tree": {"$ref": "#/$defs/Node"}},
             "$defs": {"Car": {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]},
                       "Node": {"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#/$defs/Node"}}}}},
             "definitions": {"Old": {"enum": ["a/b"]}}}
            """#
        #expect(try problems(schema, #"{"car": {"name": "Song"}, "old": "a/b", "tree": {"children": [{"children": []}]}}"#) == [])
        #expect(try problems(schema, #"{"car": {}}"#) == ["$.car.name: required property 'name' is missing"])
        #expect(
            try problems(schema, #"{"tree": {"children": [{"children": [{"children": 1}]}]}}"#)
                == ["$.tree.children[0].children[0].children: expected array, got integer 1"])
        #expect(
            try problems(
                ##"{"$defs": {"a~b": {"type": "string"}, "c/d": {"type": "integer"}}, "properties": {"x": {"$ref": "#/$defs/a~0b"}, "y": {"$ref": "#/$defs/c~1d"}}}"##,
                #"{"x": 1, "y": "s"}"#) == ["$.x: expected string, got integer 1", #"$.y: expected integer, got string "s""#])
        #expect(
            try problems(##"{"$ref": "#/$defs/Missing"}"##, "1")
                == ["$: invalid schema: cannot resolve '$ref' '#/$defs/Missing': no member '$defs'"])
        #expect(try problems(##"{"$ref": "other.json#/a"}"##, "1").first?.contains("only references inside the schema") == true)
        // A reference cycle that never reaches a schema is an error, not a hang.
        #expect(try problems(##"{"$ref": "#"}"##, "1") == ["$: invalid schema: '$ref' '#' loops without reaching a schema"])
        #expect(try problems(##"{"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"}"##, "1").count == 1)
    }

    @Test func violationsAreListedTogether() throws {
        let schema =
            #"{"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "integer", "minimum": 0}}, "required": ["a", "b", "c"]}"#
        let found = try problems(schema, #"{"a": 1, "b": -1}"#)
        #expect(
            found == [
                "$.c: required property 'c' is missing",
                "$.a: expected string, got integer 1",
                "$.b: -1 is not at least 0",
            ])
        let validator = JSONSchemaValidator(schema: try json(schema))
        #expect(validator.isValid(try json(#"{"a": "x", "b": 0, "c": null}"#)))
    }
}
