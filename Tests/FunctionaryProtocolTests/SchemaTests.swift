import Testing

@testable import FunctionaryProtocol

/// The TypeScript rendering of one function `f` whose parameters are `parameters`.
private func renderFunction(_ parameters: JSONValue?, description: String? = "d") -> String {
    TypeScriptSchema.render(tools: [Tool(function: FunctionDefinition(name: "f", description: description, parameters: parameters))])
}

/// The declaration lines of `properties` (object parameters, nothing required unless said).
private func body(_ properties: JSONValue, required: JSONValue = []) -> String {
    let full = renderFunction(["type": "object", "properties": properties, "required": required])
    let start = TypeScriptSchema.header + "// d\ntype f = (_: {\n"
    let end = "\n}) => any;\n\n" + TypeScriptSchema.footer
    guard full.hasPrefix(start), full.hasSuffix(end) else { return "unexpected: " + full }
    return String(full.dropFirst(start.count).dropLast(end.count))
}

@Suite struct SchemaTests {
    @Test func reproducesReferenceSchemaCase() throws {
        let fixture = try RenderingFixtures.json("schema_case.json")
        let functions = try JSONValueDecoder().decode([FunctionDefinition].self, from: try #require(fixture["functions"]))
        let expected = try #require(fixture["expected_schema"]?.stringValue)
        let rendered = TypeScriptSchema.render(tools: functions.map { Tool(function: $0) })
        #expect(pythonStripped(rendered) == pythonStripped(expected))
        #expect(rendered == expected)  // byte for byte, not only after trimming

        let inPrompt = try #require(fixture["rendered_in_v2_prompt"]?.stringValue)
        let prompt = try TemplateV2().render(messages: [], tools: functions.map { Tool(function: $0) }, addGenerationPrompt: false)
        #expect(prompt.contains(inPrompt))
    }

    @Test func emptyNamespace() {
        let empty = "// Supported function definitions that should be called when necessary.\nnamespace functions {\n\n} // namespace functions"
        #expect(TypeScriptSchema.render(tools: []) == empty)
        #expect(TypeScriptSchema.render(tools: [.codeInterpreter]) == empty)
        // A function without a name is skipped, as the reference's `if function_name` does.
        #expect(TypeScriptSchema.render(tools: [Tool(function: FunctionDefinition(name: ""))]) == empty)
    }

    @Test func functionsWithoutParameters() {
        let expected = TypeScriptSchema.header + "// \ntype f = () => any;\n\n" + TypeScriptSchema.footer
        #expect(renderFunction(nil, description: nil) == expected)
        #expect(renderFunction(.null, description: "") == expected)
        #expect(renderFunction(["type": "object"], description: nil) == expected)
    }

    // MARK: One test per row of protocol §2.4 (Jinja vs Python), asserting the output chosen here.

    /// Row 1: no `type`, no `oneOf`. Jinja leaves the type empty (`a?: ,`, not TypeScript); we write `any`.
    @Test func divergenceUntypedPropertyIsAny() {
        #expect(body(["a": ["description": "x"]]) == "// x.\na?: any,")
        // the same for untyped items of a nested array (Jinja: `b?: [][]`)
        #expect(body(["b": ["type": "array", "items": ["type": "array", "items": ["description": "i"]]]]) == "b?: any[][],")
    }

    /// Row 2: `oneOf` without any `format`. Jinja writes a bare `Format=`; we write no Format part,
    /// and no comment line when nothing else would be in it.
    @Test func divergenceOneOfWithoutFormatsHasNoFormat() {
        #expect(body(["a": ["oneOf": [["type": "string"], ["type": "number"]]]]) == "a?: string | number,")
        #expect(body(["a": ["oneOf": [["type": "string"]], "description": "x"]]) == "// x.\na?: string,")
    }

    /// Row 3: `oneOf` types are joined first, so `integer` inside stays `integer` (Jinja, kept).
    @Test func divergenceOneOfIntegerIsNotConverted() {
        #expect(body(["a": ["oneOf": [["type": "integer"], ["type": "string"], ["type": "STRING"]]]]) == "a?: integer | string,")
        #expect(body(["a": ["oneOf": [["type": "integer"]]]]) == "a?: number,")
    }

    /// Row 4: a description with a newline keeps it, so the comment spans lines (Jinja, kept).
    @Test func divergenceDescriptionNewlineKept() {
        #expect(body(["a": ["type": "string", "description": "one\ntwo"]]) == "// one\ntwo.\na?: string,")
    }

    /// Row 5: `maximum: 0` (a falsy bound) alone gives no comment line (Jinja, kept); with other
    /// information the bound is written.
    @Test func divergenceZeroBoundAloneHasNoComment() {
        #expect(body(["a": ["type": "integer", "maximum": 0]]) == "a?: number,")
        #expect(
            body(["a": ["type": "integer", "minLength": 0, "maximum": 0, "description": "d"]]) == "// d. Maximum=0 Minimum length=0\na?: number,")
    }

    /// Row 6: enum values equal to the last one. Jinja drops their separator (`"x""y" | "x"`,
    /// `1None`... since `1 == True`); we always separate with `" | "`.
    @Test func divergenceEnumSeparatorAlwaysWritten() {
        #expect(body(["a": ["type": "string", "enum": ["x", "y", "x"]]]) == "a?: \"x\" | \"y\" | \"x\",")
        #expect(body(["a": ["enum": [1, true, nil, 1.5]]]) == "a?: 1 | True | None | 1.5,")
        #expect(body(["a": ["type": "array", "items": ["type": "integer", "enum": [1, 2, 1]]]]) == "a?: (1 | 2 | 1)[],")
    }

    /// Row 7: an example containing `'` has it replaced by `"` (Jinja, kept; the model saw that).
    @Test func divergenceExampleQuotesReplaced() {
        #expect(
            body(["a": ["type": "string", "description": "d", "examples": ["it's", ["k": "v"]]]])
                == "// d.\n// Example a:\n// it\"s\n// {\"k\": \"v\"}\na?: string,")
    }

    /// Row 8: `properties: {}` gives `() => any` (Jinja, kept).
    @Test func divergenceEmptyPropertiesTakeNoArguments() {
        #expect(
            renderFunction(["type": "object", "properties": [:]]) == TypeScriptSchema.header + "// d\ntype f = () => any;\n\n"
                + TypeScriptSchema.footer)
    }

    /// Row 9: `description: null` makes the reference fail; we treat it as no description.
    @Test func divergenceNullDescriptionIsAbsent() {
        #expect(body(["a": ["type": "string", "description": nil]]) == "a?: string,")
        #expect(body(["a": ["type": "string", "description": nil, "default": "v"]]) == "// Default=\"v\".\na?: string,")
    }

    /// Row 10: `oneOf` formats where the last item has none. Jinja leaves a trailing `" or "`
    /// (and drops the separator after a format equal to the last one); we join the formats present.
    @Test func divergenceOneOfFormatsJoinedCleanly() {
        let a: JSONValue = ["oneOf": [["type": "string", "format": "date-time"], ["type": "string", "format": "date"], ["type": "null"]]]
        #expect(body(["a": a]) == "// Format=date-time or date\na?: string | null,")
        let b: JSONValue = [
            "oneOf": [["type": "string", "format": "date"], ["type": "string", "format": "uri"], ["type": "string", "format": "date"]]
        ]
        #expect(body(["b": b]) == "// Format=date or uri or date\nb?: string,")
    }

    // MARK: Other behaviour of the Jinja macros

    @Test func commentParts() {
        #expect(
            body(["a": ["type": "string", "description": "Ends.", "default": "x", "format": "email", "maxLength": 9, "minLength": 1]])
                == "// Ends. Default=\"x\". Format=email Maximum length=9 Minimum length=1\na?: string,")
        // defaults shown with Python's str(); quoted only for a plain "string" type
        #expect(
            body(["a": ["type": "boolean", "default": true], "b": ["type": "number", "default": 36.0, "maximum": 1e20]])
                == "// Default=True.\na?: boolean,\n// Default=36.0. Maximum=1e+20\nb?: number,")
        #expect(
            body(["a": ["type": ["string", "null"], "default": "x"], "b": ["type": "object", "default": ["k": [1, nil]]]])
                == "// Default=x.\na?: string | null,\n// Default={'k': [1, None]}.\nb?: {\n},")
    }

    @Test func typesAndNullable() {
        #expect(
            body([
                "a": ["type": "float"], "b": ["type": ["integer", "null"]], "c": ["type": "string", "nullable": true],
                "d": ["type": "string", "nullable": false],
            ])
                == "a?: number,\nb?: integer | null,\nc?: string | null,\nd?: string,")
    }

    @Test func requiredForms() {
        let props: JSONValue = ["a": ["type": "string"], "bc": ["type": "string"]]
        #expect(body(props, required: ["a"]) == "a: string,\nbc?: string,")
        // a string `required` is searched as text, as Jinja's `in` does
        #expect(body(props, required: "abc") == "a: string,\nbc: string,")
        // a `required` that is not a collection makes everything required
        #expect(body(props, required: nil) == "a: string,\nbc: string,")
        // without `required` nothing is
        #expect(renderFunction(["type": "object", "properties": props]).contains("a?: string,\nbc?: string,"))
    }

    @Test func examplesOnlyWithCommentExceptObjectsAndArrays() {
        #expect(body(["a": ["type": "string", "examples": ["x"]]]) == "a?: string,")
        #expect(body(["a": ["type": "object", "examples": [["k": 1]]]]) == "// Example a:\n// {\"k\": 1}\na?: {\n},")
        #expect(body(["a": ["type": "array", "items": ["type": "string"], "examples": [["x"]]]]) == "// Example a:\n// [\"x\"]\na?: string[],")
        #expect(body(["a": ["type": "array", "examples": [["x"]]]]) == "a?: [],")
    }

    @Test func arrays() {
        #expect(
            body(["a": ["type": "array"], "b": ["type": "array", "items": [:]], "c": ["type": "array", "items": ["type": "integer"]]])
                == "a?: [],\nb?: [],\nc?: number[],")
        #expect(
            body(["a": ["type": "array", "items": ["type": "array", "items": ["type": "array", "items": ["type": "string", "enum": ["x"]]]]]])
                == "a?: (\"x\")[][][],")
        #expect(body(["a": ["type": "array", "items": ["type": "array", "items": [:]]]]) == "a?: [][],")
        let nested: JSONValue = [
            "type": "array",
            "items": ["type": "array", "items": ["type": "array", "items": ["type": "object", "properties": ["k": ["type": "string"]]]]],
        ]
        #expect(body(["a": nested]) == "a?: {\n            k?: string,\n        }[][][],")
    }

    @Test func nonObjectPropertiesAreSkipped() {
        #expect(body(["a": ["type": "string"], "required": ["a"], "b": 5]) == "a?: string,")
    }
}
