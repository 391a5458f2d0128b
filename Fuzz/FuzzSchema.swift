/// A JSON Schema as a tool's parameters, rendered as the TypeScript-like `namespace functions` block
/// (which inlines `$ref`s first).
enum FuzzTypeScript {
    static func run(_ bytes: [UInt8]) {
        guard let schema = try? JSONValue(parsing: bytes) else { return }
        let tools = [
            Tool(function: FunctionDefinition(name: "fuzz", description: "a fuzzed schema", parameters: schema)),
            Tool(function: FunctionDefinition(name: "other", parameters: ["type": "object"])),
        ]
        _ = TypeScriptSchema.render(tools: tools)
    }
}

/// A JSON Schema converted to GBNF: as `response_format`, and as a tool's parameters in every
/// template's tool grammar (FunctionaryProtocol/Constraints: JSONSchemaGrammar, ToolGrammar).
enum FuzzGBNF {
    static func run(_ bytes: [UInt8]) {
        guard !bytes.isEmpty, let schema = try? JSONValue(parsing: Array(bytes.dropFirst())) else { return }
        _ = try? ConstraintGrammar.render(ToolGrammar.jsonResponse(schema: schema))
        let versions = TemplateVersion.allCases
        let version = versions[Int(bytes[0]) % versions.count]
        let tool = Tool(function: FunctionDefinition(name: "fuzz", parameters: schema))
        let choices: [ToolChoice] = [.auto, .required, .function("fuzz")]
        let choice = choices[Int(bytes[0] / UInt8(versions.count)) % choices.count]
        let resolved = ResolvedTools(tools: [tool], declaredTools: [tool], choice: choice, legacyFunctions: false)
        if let constraint = ToolGrammar.constraint(for: version, resolved: resolved) {
            _ = try? ConstraintGrammar.render(constraint)
        }
    }
}
