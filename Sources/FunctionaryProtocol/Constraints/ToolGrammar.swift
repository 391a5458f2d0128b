/// Builds the grammar that constrains what a model generates for a request, per prompt template.
///
/// The grammar covers the whole assistant output as generated after the prompt and the tool_choice
/// prefix (protocol §3.1): wherever the model chooses a recipient it can only write a declared tool
/// name, text where tool_choice allows text (`all` in v2/v3.llama3), or `python` when a
/// code_interpreter tool is offered; arguments are rules named in `OutputConstraint.schemas`, which
/// the engine generates from each tool's JSON Schema. Text and python code are free, except that
/// they cannot contain the template's markers, so text ends where the grammar continues with one.
///
/// Special markers such as `<|from|>` are written as token references; the engine turns each into
/// the vocabulary's single token when there is one, and into a string literal otherwise.
public enum ToolGrammar {
    /// The schema of the arguments of a function declared without parameters: any JSON object.
    public static let anyObjectSchema: JSONValue = ["type": "object"]

    /// The arguments of the `python` tool in the JSON-call templates (qwen2.5, gemma3).
    public static let pythonArgumentsSchema: JSONValue = [
        "type": "object", "properties": ["code": ["type": "string"]], "required": ["code"],
    ]

    /// The constraint for a request's assistant output.
    ///
    /// - Parameters:
    ///   - version: the prompt template the prompt was rendered with.
    ///   - resolved: the request's tools after tool_choice handling.
    ///   - parallelToolCalls: `false` allows at most one call.
    /// - Returns: nil when the request declares no tools (nothing to constrain); for
    ///   `tool_choice: "none"` a text-only grammar; for `"required"` at least one call; for a named
    ///   function exactly one call of it.
    public static func constraint(
        for version: TemplateVersion, resolved: ResolvedTools, parallelToolCalls: Bool = true
    ) -> OutputConstraint? {
        guard !resolved.declaredTools.isEmpty else { return nil }
        let tools = ToolSet(resolved: resolved, version: version)
        let mode: Mode
        switch resolved.choice {
        case .none:
            mode = .text
        case .auto:
            mode = .auto
        case .required:
            mode = .required
        case .function(let name):
            guard let index = tools.functions.firstIndex(where: { $0.name == name }) else { return nil }
            mode = .named(index)
        }
        let format = TemplateFormat(version: version)
        guard let grammar = format.grammar(tools: tools, mode: mode, parallel: parallelToolCalls) else { return nil }
        let referenced = (try? GBNF.rules(in: grammar).referenced) ?? Set(tools.schemas.keys)
        let used = tools.schemas.filter { name, _ in referenced.contains(name) }
        return OutputConstraint(grammar: grammar, schemas: used, whitespace: .canonical)
    }

    /// A constraint for `response_format`: a JSON value matching `schema` (any JSON object when nil).
    public static func jsonResponse(schema: JSONValue?) -> OutputConstraint {
        OutputConstraint(grammar: "root ::= response\n", schemas: ["response": schema ?? anyObjectSchema])
    }

    enum Mode: Equatable {
        /// Text only (`tool_choice: "none"`).
        case text
        /// Text or calls.
        case auto
        /// At least one call.
        case required
        /// One call of `functions[i]`, whose prefix is already in the prompt.
        case named(Int)
    }

    /// The callable tools of a request, each function with the rule name of its arguments.
    struct ToolSet {
        struct Function {
            var name: String
            var argumentsRule: String
        }

        var functions: [Function] = []
        var python: Bool
        /// Rule name → JSON Schema, for every function (and `python` where its arguments are JSON).
        var schemas: [String: JSONValue] = [:]

        init(resolved: ResolvedTools, version: TemplateVersion) {
            var seen = Set<String>()
            var index = 0
            for tool in resolved.tools where tool.type == .function {
                guard let function = tool.function, !seen.contains(function.name) else { continue }
                seen.insert(function.name)
                let rule = "tool-\(index)-args"
                index += 1
                functions.append(Function(name: function.name, argumentsRule: rule))
                switch function.parameters {
                case nil, .null?: schemas[rule] = ToolGrammar.anyObjectSchema
                case let parameters?: schemas[rule] = parameters
                }
            }
            python = resolved.hasCodeInterpreter
            if python {
                schemas["python-args"] = ToolGrammar.pythonArgumentsSchema
            }
        }
    }
}
