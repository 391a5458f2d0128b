import Testing

@testable import FunctionaryProtocol

@Suite struct SchemaRefResolverTests {
    static let parameters: JSONValue = [
        "type": "object",
        "properties": [
            "home": ["$ref": "#/$defs/Address", "description": "dropped, as jsonref does"],
            "sizes": ["type": "array", "items": ["$ref": "#/definitions/Size"]],
        ],
        "required": ["home"],
        "$defs": ["Address": ["type": "object", "properties": ["city": ["type": "string"], "unit": ["$ref": "#/definitions/Size"]]]],
        "definitions": ["Size": ["type": "string", "enum": ["S", "M"]]],
    ]

    @Test func inlinesLocalReferencesAndKeepsDefinitions() throws {
        let resolved = SchemaRefResolver.resolve(Self.parameters)
        let address: JSONValue = ["type": "object", "properties": ["city": ["type": "string"], "unit": ["type": "string", "enum": ["S", "M"]]]]
        #expect(resolved["properties"]?["home"] == address)
        #expect(resolved["properties"]?["sizes"]?["items"] == ["type": "string", "enum": ["S", "M"]])
        // the definitions stay, themselves resolved
        #expect(resolved["$defs"]?["Address"] == address)
        #expect(resolved["definitions"] == Self.parameters["definitions"])
    }

    @Test func renderingResolvesReferencesForEveryTemplate() throws {
        let tool = Tool(function: FunctionDefinition(name: "move", description: "Move", parameters: Self.parameters))
        let schema = TypeScriptSchema.render(tools: [tool])
        #expect(schema.contains("home: {\n    city?: string,\n    unit?: \"S\" | \"M\",\n},\nsizes?: (\"S\" | \"M\")[],"))
        for version in TemplateVersion.allCases {
            let prompt = try version.template.render(messages: [], tools: [tool], addGenerationPrompt: false)
            #expect(!prompt.contains("\"$ref\""), "\(version.rawValue) shows an unresolved $ref")
        }
        // JSON-dumped templates show `$defs` too (§1.1 step 6)
        let llama31 = try TemplateV3Llama31().render(messages: [], tools: [tool], addGenerationPrompt: false)
        #expect(llama31.contains(#""$defs": {"Address": {"type": "object""#))
    }

    @Test func leavesCyclicReferencesUnresolved() {
        let tree: JSONValue = [
            "type": "object",
            "properties": ["root": ["$ref": "#/$defs/Node"]],
            "$defs": ["Node": ["type": "object", "properties": ["children": ["type": "array", "items": ["$ref": "#/$defs/Node"]]]]],
        ]
        let resolved = SchemaRefResolver.resolve(tree)
        // one level is inlined; the reference back to the node being inlined stays as written
        #expect(resolved["properties"]?["root"]?["properties"]?["children"]?["items"] == ["$ref": "#/$defs/Node"])
        // the definition itself contains the reference: it stays as written
        #expect(resolved["$defs"] == tree["$defs"])
        #expect(SchemaRefResolver.resolve(["a": ["$ref": "#"]]) == ["a": ["$ref": "#"]])
        // mutual recursion ends too
        let mutual: JSONValue = ["x": ["$ref": "#/$defs/A"], "$defs": ["A": ["b": ["$ref": "#/$defs/B"]], "B": ["a": ["$ref": "#/$defs/A"]]]]
        #expect(SchemaRefResolver.resolve(mutual)["x"] == ["b": ["a": ["$ref": "#/$defs/A"]]])
        let schema = TypeScriptSchema.render(tools: [Tool(function: FunctionDefinition(name: "t", parameters: tree))])
        #expect(schema.contains("root?: {\n    children?: [],\n},"))
    }

    @Test func leavesUnknownAndRemoteReferences() {
        let value: JSONValue = [
            "a": ["$ref": "#/$defs/Missing"], "b": ["$ref": "other.json#/X"], "c": ["$ref": "#/$defs/0/x"], "d": ["$ref": 5],
            "$defs": ["X": 1],
        ]
        #expect(SchemaRefResolver.resolve(value) == value)
    }

    @Test func followsEscapedPointersAndArrayIndices() {
        let value: JSONValue = [
            "defs": ["a/b": ["x": 1], "m~n": ["y": 2], "with space": ["z": 3], "list": [["w": 4]]],
            "p": ["$ref": "#/defs/a~1b"], "q": ["$ref": "#/defs/m~0n"], "r": ["$ref": "#/defs/with%20space"], "s": ["$ref": "#/defs/list/0"],
        ]
        let resolved = SchemaRefResolver.resolve(value)
        #expect(resolved["p"] == ["x": 1])
        #expect(resolved["q"] == ["y": 2])
        #expect(resolved["r"] == ["z": 3])
        #expect(resolved["s"] == ["w": 4])
    }

    @Test func boundsExponentialExpansion() {
        // D0 refers twice to D1, which refers twice to D2, ...: 2^40 copies if fully expanded.
        var defs = JSONObject()
        for level in 0..<40 {
            let next = JSONValue.string("#/$defs/D\(level + 1)")
            defs["D\(level)"] = ["type": "object", "properties": ["l": ["$ref": next], "r": ["$ref": next]]]
        }
        defs["D40"] = ["type": "string"]
        let schema: JSONValue = ["type": "object", "properties": ["top": ["$ref": "#/$defs/D0"]], "$defs": .object(defs)]
        let resolved = SchemaRefResolver.resolve(schema)
        #expect(resolved.nodeCount < 4 * SchemaRefResolver.maxInlinedNodes)
    }

    @Test func boundsInliningDepth() {
        // D0 → D1 → … → D299, each one level deeper: inlining stops at `maxInlineDepth`.
        var defs = JSONObject()
        for level in 0..<300 {
            defs["D\(level)"] = ["type": "object", "properties": ["next": ["$ref": .string("#/$defs/D\(level + 1)")]]]
        }
        let schema: JSONValue = ["type": "object", "properties": ["top": ["$ref": "#/$defs/D0"]], "$defs": .object(defs)]
        var node = SchemaRefResolver.resolve(schema)["properties"]?["top"]
        var levels = 0
        while let next = node?["properties"]?["next"], next["$ref"] == nil {
            node = next
            levels += 1
        }
        #expect(levels > 10 && levels < SchemaRefResolver.maxInlineDepth)
        #expect(TypeScriptSchema.render(tools: [Tool(function: FunctionDefinition(name: "deep", parameters: schema))]).count > 1000)
    }

    @Test func toolsWithoutReferencesAreUnchanged() {
        let tools = [Tool(function: FunctionDefinition(name: "f", parameters: ["type": "object"])), .codeInterpreter]
        #expect(SchemaRefResolver.resolve(tools: tools) == tools)
    }
}
