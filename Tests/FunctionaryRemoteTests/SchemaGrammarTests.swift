import FunctionaryProtocol
import GBNFTestSupport
import Testing

@testable import FunctionaryRemote

/// The JSON-Schema → GBNF converter accepts exactly the JSON llama.cpp's converter accepts.
@Suite struct SchemaGrammarTests {
    /// A matcher for `root ::= args` with `args` generated from `schema`.
    static func matcher(_ schema: String) throws -> GBNFMatcher {
        let constraint = OutputConstraint(grammar: "root ::= args\n", schemas: ["args": try JSONValue(parsing: schema)])
        let rendered = try ConstraintGrammar.render(constraint)
        return try GBNFMatcher(rendered.grammar)
    }

    static func check(_ schema: String, accepts: [String], rejects: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let matcher = try matcher(schema)
        for text in accepts {
            #expect(matcher.accepts(text), "should accept \(text)", sourceLocation: sourceLocation)
        }
        for text in rejects {
            #expect(!matcher.accepts(text), "should reject \(text)", sourceLocation: sourceLocation)
        }
    }

    @Test func requiredAndOptionalPropertiesInOrder() throws {
        let schema = #"""
            {"type": "object", "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["c", "f"]},
             "days": {"type": "integer", "minimum": 1, "maximum": 14}}, "required": ["city"]}
            """#
        try Self.check(
            schema,
            accepts: [
                #"{"city": "Zürich"}"#, #"{"city":"a","unit":"c"}"#, #"{"city": "a", "days": 14}"#, #"{"city":"a","unit":"f","days":3}"#,
                "{\n  \"city\": \"x\"\n}", #"{ "city": "say \"hi\"\n" }"#, #"{"city": "\u00e9"}"#,
            ],
            rejects: [
                #"{"unit":"c"}"#, #"{"city":"a","unit":"k"}"#, #"{"city":"a","days":15}"#, #"{"city":"a","days":0}"#,
                #"{"city":"a","extra":1}"#, #"{"days":3,"city":"a"}"#, #"{"city":"a","days":3,"unit":"c"}"#,
                #"{"city":  "a"}"#, #"{"city": "a\q"}"#, "{\"city\": \"tab\there\"}", #"{"city": "a"} "#,
            ])
    }

    @Test func integerRangesAreExact() throws {
        let cases: [(String, ClosedRange<Int>?, (Int) -> Bool)] = [
            (#"{"type": "integer", "minimum": 1, "maximum": 14}"#, nil, { (1...14).contains($0) }),
            (#"{"type": "integer", "minimum": -5, "maximum": 20}"#, nil, { (-5...20).contains($0) }),
            (#"{"type": "integer", "minimum": -120, "maximum": -7}"#, nil, { (-120 ... -7).contains($0) }),
            (#"{"type": "integer", "minimum": 10}"#, nil, { $0 >= 10 }),
            (#"{"type": "integer", "minimum": 7}"#, nil, { $0 >= 7 }),
            (#"{"type": "integer", "minimum": -3}"#, nil, { $0 >= -3 }),
            (#"{"type": "integer", "maximum": 99}"#, nil, { $0 <= 99 }),
            (#"{"type": "integer", "maximum": -10}"#, nil, { $0 <= -10 }),
            (#"{"type": "integer", "exclusiveMinimum": 0, "exclusiveMaximum": 100}"#, nil, { (1...99).contains($0) }),
            (#"{"type": "integer", "minimum": 0.5, "maximum": 3.5}"#, nil, { (1...3).contains($0) }),
            (#"{"type": "integer", "minimum": 95, "maximum": 1050}"#, nil, { (95...1050).contains($0) }),
        ]
        for (schema, _, expected) in cases {
            let matcher = try Self.matcher(schema)
            for value in -300...1200 {
                #expect(matcher.accepts(String(value)) == expected(value), "\(schema) at \(value)")
            }
            #expect(!matcher.accepts("007"), "\(schema): leading zeros")
            #expect(!matcher.accepts("1.0"), "\(schema): not an integer")
        }
    }

    @Test func nestedArraysWithCounts() throws {
        let schema = #"""
            {"type": "object", "additionalProperties": false, "required": ["items"], "properties": {"items": {"type": "array",
             "items": {"type": "object", "required": ["id", "tags"], "properties": {"id": {"type": "integer"},
             "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 2}}}}}}
            """#
        try Self.check(
            schema,
            accepts: [#"{"items": []}"#, #"{"items":[{"id":1,"tags":["a"]},{"id":-2,"tags":["a", "b"]}]}"#],
            rejects: [
                #"{"items":[{"id":1,"tags":[]}]}"#, #"{"items":[{"id":1,"tags":["a","b","c"]}]}"#, #"{"items":[{"id":1.5,"tags":["a"]}]}"#,
                #"{"items":[{"tags":["a"],"id":1}]}"#, "{}",
            ])
    }

    @Test func nullableTypeListsAndOneOf() throws {
        let schema = #"""
            {"type": "object", "required": ["a", "b", "c"], "properties": {"a": {"type": ["string", "null"]},
             "b": {"type": "number", "nullable": true}, "c": {"oneOf": [{"type": "boolean"}, {"type": "array", "items": {"type": "integer"}}]}}}
            """#
        try Self.check(
            schema,
            accepts: [#"{"a":null,"b":null,"c":true}"#, #"{"a":"x","b":1.5e3,"c":[1,2]}"#, #"{"a":"","b":-0.25,"c":[]}"#],
            rejects: [#"{"a":1,"b":null,"c":true}"#, #"{"a":null,"b":"x","c":true}"#, #"{"a":null,"b":1,"c":"x"}"#, #"{"a":null,"b":01,"c":true}"#])
    }

    @Test func recursiveReferences() throws {
        let schema = #"""
            {"$defs": {"node": {"type": "object", "properties": {"value": {"type": "integer"},
             "children": {"type": "array", "items": {"$ref": "#/$defs/node"}}}, "required": ["value"]}}, "$ref": "#/$defs/node"}
            """#
        try Self.check(
            schema,
            accepts: [#"{"value":1}"#, #"{"value":1,"children":[{"value":2,"children":[{"value":3}]}]}"#],
            rejects: [#"{"children":[]}"#, #"{"value":1,"children":[{"children":[]}]}"#])
    }

    @Test func additionalProperties() throws {
        let typed = #"{"type": "object", "properties": {"name": {"type": "string"}}, "additionalProperties": {"type": "integer"}}"#
        try Self.check(
            typed, accepts: [#"{"name":"x","age":3}"#, #"{"age":3}"#, "{}", #"{"name":"x","a":1,"nickname":2}"#],
            rejects: [#"{"age":"x"}"#, #"{"name":3}"#, #"{"name":"x","name":1}"#])
        try Self.check(
            #"{"type": "object"}"#, accepts: ["{}", #"{"a":[1,{"b":null}],"c":"d"}"#], rejects: ["[]", #"{"a"}"#])
        try Self.check(#"{}"#, accepts: ["1", #""x""#, "[true,false,null]", #"{"k":{}}"#], rejects: ["tru", "{"])
    }

    @Test func stringsFormatsPatternsAndConstants() throws {
        try Self.check(
            #"{"type": "string", "pattern": "^[A-Z]{2}-[0-9]{3}(\\.[a-z]+)?$"}"#,
            accepts: [#""AB-123""#, #""XY-000.abc""#], rejects: [#""A-123""#, #""AB-12""#, #""AB-1234""#, #""AB-123.""#])
        try Self.check(
            #"{"type": "string", "pattern": "^\\d+$"}"#, accepts: [#""12""#, #""anything""#], rejects: ["12"])
        try Self.check(
            #"{"type": "string", "format": "date"}"#, accepts: [#""2024-02-29""#], rejects: [#""2024-13-01""#, #""24-01-01""#])
        try Self.check(
            #"{"type": "string", "format": "uuid"}"#, accepts: [#""123e4567-e89b-12d3-a456-426614174000""#], rejects: [#""123e4567""#])
        try Self.check(
            #"{"type": "string", "minLength": 2, "maxLength": 3}"#, accepts: [#""ab""#, #""abc""#, #""a\"""#],
            rejects: [#""a""#, #""abcd""#])
        try Self.check(#"{"const": {"mode": "fast"}}"#, accepts: [#"{"mode":"fast"}"#], rejects: [#"{"mode": "fast"}"#])
        try Self.check(#"{"enum": ["a", 1, null]}"#, accepts: [#""a""#, "1", "null"], rejects: [#""b""#, "2"])
    }

    @Test func tuplesAndAllOf() throws {
        try Self.check(
            #"{"type": "array", "prefixItems": [{"type": "integer"}, {"type": "string"}]}"#,
            accepts: [#"[1, "x"]"#, #"[ 1,"x" ]"#], rejects: ["[1]", #"["x", 1]"#, #"[1, "x", 2]"#])
        try Self.check(
            #"{"allOf": [{"type": "object", "properties": {"a": {"type": "integer"}}}, {"type": "object", "properties": {"b": {"type": "string"}}}]}"#,
            accepts: [#"{"a":1,"b":"x"}"#], rejects: [#"{"a":1}"#, #"{"b":"x","a":1}"#])
    }

    @Test func composesWithTheConstraintGrammar() throws {
        let constraint = OutputConstraint(
            grammar: "root ::= \"<function=get_weather>\" get-weather-args \"</function>\"\n",
            schemas: ["get-weather-args": try JSONValue(parsing: #"{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}"#)])
        let rendered = try ConstraintGrammar.render(constraint)
        let matcher = try GBNFMatcher(rendered.grammar)
        #expect(matcher.accepts(#"<function=get_weather>{"city": "Paris"}</function>"#))
        #expect(!matcher.accepts(#"<function=get_weather>{}</function>"#))
        #expect(rendered.grammar.hasPrefix("root ::= \"<function=get_weather>\" get-weather-args \"</function>\"\n"))
        #expect(rendered.grammar.contains("\nget-weather-args ::= "))
        #expect(!rendered.grammar.contains("{1,") && !rendered.grammar.contains("{0,"), "repetitions are written out")
        // Same constraint, same text: upstream grammar caches stay warm.
        #expect(try ConstraintGrammar.render(constraint) == rendered)
    }

    @Test func invalidSchemasAndGrammarsAreNamed() throws {
        func error(_ grammar: String, _ schemas: [String: String]) -> GenerationError? {
            do {
                let values = try schemas.mapValues { try JSONValue(parsing: $0) }
                _ = try ConstraintGrammar.render(OutputConstraint(grammar: grammar, schemas: values))
                return nil
            } catch let error as GenerationError {
                return error
            } catch {
                return .engineFailure("unexpected \(error)")
            }
        }
        #expect(error("root ::= a\n", ["a": #"{"type": "widget"}"#]) == .invalidConstraint("JSON schema error at #: unrecognized type widget"))
        #expect(
            error("root ::= a\n", ["a": #"{"properties": {"x": 5}}"#])
                == .invalidConstraint("JSON schema error at #/properties/x: schema must be an object"))
        #expect(
            error("root ::= a\n", ["a": ##"{"$ref": "#/$defs/missing"}"##])
                == .invalidConstraint("JSON schema error at #: cannot resolve $ref #/$defs/missing, $defs not found"))
        #expect(
            error("root ::= a\n", ["a": #"{"type": "string", "pattern": "^(ab$"}"#])
                == .invalidConstraint("Invalid pattern ^(ab$: unbalanced parentheses"))
        #expect(error("start ::= a\n", ["a": "{}"]) == .invalidConstraint("the grammar has no root rule"))
        #expect(error("root ::= a\na ::= \"x\"\n", ["a": "{}"]) == .invalidConstraint("rule a is defined by the grammar and by a JSON schema"))
        #expect(
            error("root ::= a\n", ["a": #"{"type": "array", "minItems": -1}"#])
                == .invalidConstraint("JSON schema error at #: minItems must be a non-negative integer"))
    }

    @Test func generatedNamesDoNotCollideWithTheGrammar() throws {
        // The grammar defines `space` and `string`; the schema rules must take other names.
        let constraint = OutputConstraint(
            grammar: "root ::= space args string\nspace ::= \"<\"\nstring ::= \">\"\n",
            schemas: ["args": try JSONValue(parsing: #"{"type":"object","properties":{"s":{"type":"string"}},"required":["s"]}"#)])
        let matcher = try GBNFMatcher(try ConstraintGrammar.render(constraint).grammar)
        #expect(matcher.accepts(#"<{"s": "x"}>"#))
        #expect(matcher.accepts(#"<{ "s":"x" }>"#))
    }
}

/// Token references of the template grammars, per engine kind.
@Suite struct TokenReferenceTests {
    static let grammar = "root ::= <|from|> \"assistant\\n\" <|recipient|> name \"\\n\" <|content|> \"x\"\nname ::= \"all\"\n"

    @Test func llamaCppGetsTokenIdsWhereTheMarkerIsOneToken() async throws {
        let resolved = try await ConstraintGrammar.resolvingTokens(in: Self.grammar, kind: .llamaCpp) { marker in
            marker == "<|from|>" ? 32001 : marker == "<|recipient|>" ? 32002 : nil
        }
        #expect(resolved == "root ::= <[32001]> \"assistant\\n\" <[32002]> name \"\\n\" \"<|content|>\" \"x\"\nname ::= \"all\"\n")
    }

    @Test func otherEnginesGetLiterals() async throws {
        for kind in [RemoteEngineKind.vllm, .sglang, .openai] {
            let resolved = try await ConstraintGrammar.resolvingTokens(in: Self.grammar, kind: kind) { _ in
                Issue.record("\(kind) must not look up tokens")
                return 1
            }
            #expect(resolved == "root ::= \"<|from|>\" \"assistant\\n\" \"<|recipient|>\" name \"\\n\" \"<|content|>\" \"x\"\nname ::= \"all\"\n")
            let matcher = try GBNFMatcher(resolved)
            #expect(matcher.accepts("<|from|>assistant\n<|recipient|>all\n<|content|>x"))
        }
        await #expect(throws: GenerationError.self) {
            _ = try await ConstraintGrammar.resolvingTokens(in: "root ::= <[7]>\n", kind: .vllm) { _ in nil }
        }
        await #expect(throws: GenerationError.self) {
            _ = try await ConstraintGrammar.resolvingTokens(in: "root ::= !<|stop|> \"x\"\n", kind: .sglang) { _ in nil }
        }
        // Markers inside literals and classes are text, not references.
        let text = "root ::= \"<b>\" [<>] \"x\"\n"
        #expect(try await ConstraintGrammar.resolvingTokens(in: text, kind: .vllm) { _ in nil } == text)
    }

    @Test func thePoolAsksALlamaServerOncePerMarker() async throws {
        let transport = ScriptedTransport { request in
            if request.url.hasSuffix("/tokenize") {
                let body = String(decoding: request.body ?? [], as: UTF8.self)
                return .json(200, body.contains("<|python_tag|>") ? #"{"tokens":[128010]}"# : #"{"tokens":[27,91,1527,91,29]}"#)
            }
            return ScriptedReply(chunks: [Array(try! Remote.fixture("llamacpp/stream-text.sse").utf8)])
        }
        let pool = try Remote.pool(["http://a:8080"], kind: .llamaCpp, transport: transport)
        var request = RoutingTests.request("p")
        request.constraint = OutputConstraint(grammar: "root ::= <|python_tag|> [a-z]* | <|from|>\n")
        for _ in 0..<2 {
            let result = await Remote.run(pool, request)
            #expect(result.error == nil)
        }
        let bodies = await transport.log.bodies(to: "http://a:8080")
        #expect(bodies.count == 2)
        #expect(bodies.allSatisfy { $0["grammar"] == .string("root ::= <[128010]> [a-z]* | \"<|from|>\"\n") })
        #expect(await transport.log.requests.filter { $0.url.hasSuffix("/tokenize") }.count == 2, "one lookup per marker")
    }
}
