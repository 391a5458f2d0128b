/// The shape of one template's assistant output, as GBNF (protocol §3.2–3.7 and Appendix A).
struct TemplateFormat {
    let version: TemplateVersion

    typealias ToolSet = ToolGrammar.ToolSet
    typealias Mode = ToolGrammar.Mode

    /// The grammar for `mode`, or nil when the tool set offers nothing the mode could call.
    func grammar(tools: ToolSet, mode: Mode, parallel: Bool) -> String? {
        switch version {
        case .v2: return recipientGrammar(tools: tools, mode: mode, parallel: parallel, v2: true)
        case .v3Llama3: return recipientGrammar(tools: tools, mode: mode, parallel: parallel, v2: false)
        case .v2Llama3: return separatorGrammar(tools: tools, mode: mode, parallel: parallel)
        case .v3Llama31: return functionTagGrammar(tools: tools, mode: mode, parallel: parallel)
        case .qwen25, .gemma3: return toolCallGrammar(tools: tools, mode: mode, parallel: parallel)
        }
    }

    /// The template's end-of-turn markers (its stop tokens, declared with the template).
    var endMarkers: [String] { version.template.stopTokens }

    /// `end ::= | <marker> | …`: the turn may end with its marker (or with end-of-generation). The empty
    /// alternative comes first: llama.cpp's parser reads past a newline after a trailing `|`.
    private var endRule: String {
        "end ::= " + ([""] + endMarkers).joined(separator: " | ") + "\n"
    }

    /// The whole grammar: `root`, the other `rules` (one a line), `end`, and the text that contains none of `markers`.
    private func assemble(root: String, rules: [String], textExcluding markers: [String]) -> String {
        "root ::= \(root)\n" + rules.map { $0 + "\n" }.joined() + endRule + FreeTextRule(name: "text", markers: markers + endMarkers).rules
    }

    /// The `root` rule for `mode`, or nil when `.required` has nothing to call: `.text` is text alone, `.named` the
    /// named function's arguments as `named` wraps them; `.required` and `.auto` are each format's own.
    private func rootRule(
        _ mode: Mode, tools: ToolSet, named: (String) -> String, required: @autoclosure () -> String?,
        auto: @autoclosure () -> String
    ) -> String? {
        switch mode {
        case .text: return "text end"
        case .named(let i): return named(tools.functions[i].argumentsRule)
        case .required: return required()
        case .auto: return auto()
        }
    }

    private func repeated(_ item: String, parallel: Bool) -> String {
        parallel ? "( \(item) )*" : "( \(item) )?"
    }

    /// v2 (`name\n<|content|>args`, blocks joined by `\n<|from|>assistant\n<|recipient|>`) and
    /// v3.llama3 (`name\nargs`, blocks joined by `>>>`); text is the `all` recipient.
    private func recipientGrammar(tools: ToolSet, mode: Mode, parallel: Bool, v2: Bool) -> String? {
        let open = v2 ? "\"\\n\" <|content|>" : "\"\\n\""
        let separator = v2 ? "\"\\n\" <|from|> \"assistant\\n\" <|recipient|>" : "\">>>\""
        let markers = v2 ? ["<|from|>", "<|recipient|>", "<|content|>"] : [">>>"]
        var calls: [String] = tools.functions.map { "\(GBNF.literal($0.name)) \(open) \($0.argumentsRule)" }
        if tools.python { calls.append("\"python\" \(open) text") }

        let auto: String
        if calls.isEmpty {
            auto = "\"all\" \(open) text end"
        } else if parallel {
            auto = "( \"all\" \(open) text | call ) ( sep call )* end"
        } else {
            auto = "\"all\" \(open) text ( sep call )? end | call end"
        }
        return callListGrammar(
            calls: calls, tools: tools, mode: mode, parallel: parallel, separator: "sep", autoRoot: auto,
            separatorRules: ["sep ::= \(separator)"], textExcluding: markers)
    }

    /// v2.llama3: `text<|reserved_special_token_249|>name\nargs…`.
    private func separatorGrammar(tools: ToolSet, mode: Mode, parallel: Bool) -> String? {
        let separator = "<|reserved_special_token_249|>"
        var calls: [String] = tools.functions.map { "\(GBNF.literal($0.name)) \"\\n\" \($0.argumentsRule)" }
        if tools.python { calls.append("\"python\\n\" text") }

        let auto = calls.isEmpty ? "text end" : "text \(repeated("\(separator) call", parallel: parallel)) end"
        return callListGrammar(
            calls: calls, tools: tools, mode: mode, parallel: parallel, separator: separator, autoRoot: auto, separatorRules: [],
            textExcluding: [separator])
    }

    /// The formats that join calls with a separator (v2, v3.llama3, v2.llama3): alike but for the root of `auto`.
    /// - Parameters:
    ///   - separator: what stands between two calls in the root (a rule name or the marker itself).
    ///   - separatorRules: the rules `separator` needs.
    private func callListGrammar(
        calls: [String], tools: ToolSet, mode: Mode, parallel: Bool, separator: String, autoRoot: String,
        separatorRules: [String], textExcluding markers: [String]
    ) -> String? {
        guard
            let root = rootRule(
                mode, tools: tools, named: { "\($0) end" },
                required: calls.isEmpty ? nil : parallel ? "call ( \(separator) call )* end" : "call end", auto: autoRoot)
        else { return nil }
        let canCall = !calls.isEmpty && (mode == .auto || mode == .required)
        let rules = canCall ? ["call ::= \(calls.joined(separator: " | "))"] + separatorRules : []
        return assemble(root: root, rules: rules, textExcluding: markers)
    }

    /// v3-llama3.1: `text<function=name>args</function>…` or `<|python_tag|>code`.
    private func functionTagGrammar(tools: ToolSet, mode: Mode, parallel: Bool) -> String? {
        let bodies = tools.functions.map { "\(GBNF.literal($0.name + ">")) \($0.argumentsRule)" }
        var tail: [String] = []
        if !bodies.isEmpty { tail.append("fcall") }
        if tools.python { tail.append("pycall") }
        let auto: String
        if tail.isEmpty {
            auto = "text end"
        } else if parallel {
            auto = "text " + (bodies.isEmpty ? "" : "fcall* ") + (tools.python ? "pycall? " : "") + "end"
        } else {
            auto = "text ( \(tail.joined(separator: " | ")) )? end"
        }
        // `.required`: the prefix `<function=` is in the prompt, a function call, not python.
        guard
            let root = rootRule(
                mode, tools: tools, named: { "\($0) \"</function>\" end" },
                required: bodies.isEmpty ? nil : parallel ? "fbody \"</function>\" fcall* end" : "fbody \"</function>\" end",
                auto: auto)
        else { return nil }
        var rules: [String] = []
        if !bodies.isEmpty, mode == .auto || mode == .required {
            rules += ["fcall ::= \"<function=\" fbody \"</function>\"", "fbody ::= \(bodies.joined(separator: " | "))"]
        }
        if tools.python, mode == .auto { rules.append("pycall ::= <|python_tag|> text") }
        // `<function` without its `=`: text that starts spelling a call commits to one (`<function name=…>` cannot
        // pass as text); the call rule then forces `=` and a declared name.
        return assemble(root: root, rules: rules, textExcluding: ["<function", "<|python_tag|>"])
    }

    /// qwen2.5-text-only and gemma3: `text\n<tool_call>\n{"name": "…", "arguments": {…}}\n</tool_call>…`.
    private func toolCallGrammar(tools: ToolSet, mode: Mode, parallel: Bool) -> String? {
        // `{"name": ` is followed by the JSON-quoted name (the named prefix is already in the prompt).
        func body(_ name: String, _ rule: String) -> String {
            GBNF.literal(String(JSONValue.string(name).compactJSON().dropFirst()) + ", \"arguments\": ") + " " + rule
        }
        var bodies = tools.functions.map { body($0.name, $0.argumentsRule) }
        if tools.python { bodies.append(body("python", "python-args")) }
        let close = GBNF.literal("}\n</tool_call>")
        let calls = parallel ? "call ( \"\\n\" call )*" : "call"
        // `.required`: the prefix `<tool_call>\n` is in the prompt. `.auto`: a call may follow text without the
        // newline: once text spells `<tool_call` it can only go on as a call (text may not contain it), so markup
        // such as `<tool_call name=…>` never reaches the user.
        guard
            let root = rootRule(
                mode, tools: tools, named: { "\(GBNF.literal("\": ")) \($0) \(close) end" },
                required: bodies.isEmpty
                    ? nil : "\(GBNF.literal("{\"name\": \"")) body \(close) " + (parallel ? "( \"\\n\" call )* " : "") + "end",
                auto: bodies.isEmpty ? "text end" : "( \(calls) | text \"\\n\"? \(calls) | text ) end")
        else { return nil }
        let canCall = !bodies.isEmpty && (mode == .auto || mode == .required)
        let rules =
            canCall ? ["call ::= \(GBNF.literal("<tool_call>\n{\"name\": \"")) body \(close)", "body ::= \(bodies.joined(separator: " | "))"] : []
        return assemble(root: root, rules: rules, textExcluding: ["<tool_call", "</tool_call>"])
    }
}
