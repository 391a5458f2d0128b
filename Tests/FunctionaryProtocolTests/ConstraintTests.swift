import Foundation
import GBNFTestSupport
import Testing

@testable import FunctionaryProtocol

/// Tool grammars: well-formed, naming every tool, and describing exactly the outputs of protocol
/// Appendix A (checked with an independent GBNF interpreter; schema rules stand for any JSON object).
@Suite struct ConstraintTests {
    static let weather = Tool(
        function: FunctionDefinition(
            name: "get_weather", description: "Get the weather",
            parameters: ["type": "object", "properties": ["location": ["type": "string"]], "required": ["location"]]))
    static let time = Tool(function: FunctionDefinition(name: "get_time"))
    static let tools = [weather, time, Tool.codeInterpreter]

    static let jsonRules = #"""
        json-object ::= "{" ws ( json-member ( ws "," ws json-member )* )? ws "}"
        json-member ::= json-string ws ":" ws json-value
        json-value ::= json-object | json-array | json-string | json-number | "true" | "false" | "null"
        json-array ::= "[" ws ( json-value ( ws "," ws json-value )* )? ws "]"
        json-string ::= "\"" ( [^"\\] | "\\" [^\x00] )* "\""
        json-number ::= "-"? [0-9]+ ( "." [0-9]+ )? ( [eE] [-+]? [0-9]+ )?
        ws ::= [ \t\n]*

        """#

    static func resolved(_ choice: ToolChoice, tools: [Tool] = tools) -> ResolvedTools {
        switch choice {
        case .none: return ResolvedTools(tools: [], declaredTools: tools, choice: choice, legacyFunctions: false)
        case .function(let name):
            return ResolvedTools(
                tools: tools.filter { $0.function?.name == name }, declaredTools: tools, choice: choice, legacyFunctions: false)
        default: return ResolvedTools(tools: tools, declaredTools: tools, choice: choice, legacyFunctions: false)
        }
    }

    /// The constraint as a matcher: schema rules replaced by "any JSON object".
    static func matcher(_ version: TemplateVersion, _ choice: ToolChoice, parallel: Bool = true) throws -> GBNFMatcher {
        let constraint = try #require(ToolGrammar.constraint(for: version, resolved: resolved(choice), parallelToolCalls: parallel))
        var grammar = constraint.grammar + jsonRules
        for name in constraint.schemas.keys { grammar += "\(name) ::= json-object\n" }
        return try GBNFMatcher(grammar)
    }

    /// Tool arguments get `json.dumps`'s whitespace (what the models were trained on, and text jump-forward can
    /// write); `response_format` keeps llama.cpp's optional whitespace.
    @Test func toolArgumentsHaveCanonicalWhitespace() throws {
        let parameters: JSONValue = [
            "type": "object",
            "properties": [
                "city": ["type": "string"], "unit": ["enum": ["c", "f"]], "days": ["type": "integer"],
                "tags": ["type": "array", "items": ["type": "string"]],
                "where": ["type": "object", "properties": ["lat": ["type": "number"]], "required": ["lat"]],
                "extra": ["type": "object"], "fixed": ["const": ["a": [1, 2]]],
            ],
            "required": ["city", "unit"],
        ]
        let tool = Tool(function: FunctionDefinition(name: "f", parameters: parameters))
        let constraint = try #require(
            ToolGrammar.constraint(for: .gemma3, resolved: Self.resolved(.function("f"), tools: [tool])))
        #expect(constraint.whitespace == .canonical)
        let rule = try #require(constraint.schemas.keys.first)
        let rendered = try ConstraintGrammar.render(
            OutputConstraint(grammar: "root ::= \(rule)\n", schemas: constraint.schemas, whitespace: .canonical))
        let matcher = try GBNFMatcher(rendered.grammar)
        let dumps = [
            #"{"city": "Paris", "unit": "c"}"#,
            #"{"city": "Paris", "unit": "f", "days": 3, "tags": ["a", "b"], "where": {"lat": 1.5}}"#,
            #"{"city": "", "unit": "c", "tags": [], "extra": {"k": [1, {"x": null}], "e": {}}}"#,
            #"{"city": "x", "unit": "c", "fixed": {"a": [1, 2]}}"#,
        ]
        for text in dumps {
            #expect(matcher.accepts(text), "\(text)")
            #expect(try JSONValue(parsing: text).pythonJSON() == text, "the case itself is json.dumps output: \(text)")
        }
        let otherWhitespace = [
            #"{"city":"Paris","unit":"c"}"#, #"{ "city": "Paris", "unit": "c" }"#, #"{"city" : "Paris", "unit": "c"}"#,
            #"{"city": "Paris",  "unit": "c"}"#, "{\"city\": \"Paris\",\n\"unit\": \"c\"}",
            #"{"city": "x", "unit": "c", "tags": ["a","b"]}"#, #"{"city": "x", "unit": "c", "extra": {"k":1}}"#,
            #"{"city": "x", "unit": "c", "fixed": {"a":[1,2]}}"#,
        ]
        for text in otherWhitespace {
            #expect(!matcher.accepts(text), "\(text)")
        }
        // response_format: the same schema with llama.cpp's whitespace.
        let response = ToolGrammar.jsonResponse(schema: parameters)
        #expect(response.whitespace == .any)
        let flexible = try GBNFMatcher(ConstraintGrammar.render(response).grammar)
        for text in dumps.prefix(3) + [otherWhitespace[0], otherWhitespace[1], otherWhitespace[2], otherWhitespace[4]] {
            #expect(flexible.accepts(text), "\(text)")
        }
    }

    static let choices: [ToolChoice] = [.auto, .none, .required, .function("get_weather"), .function("get_time")]

    @Test(arguments: TemplateVersion.allCases)
    func grammarsAreWellFormed(version: TemplateVersion) throws {
        for choice in Self.choices {
            for parallel in [true, false] {
                let constraint = try #require(
                    ToolGrammar.constraint(for: version, resolved: Self.resolved(choice), parallelToolCalls: parallel))
                let (defined, referenced) = try GBNF.rules(in: constraint.grammar)
                #expect(defined.first == "root")
                #expect(Set(defined).count == defined.count, "\(version) \(choice): a rule is defined twice")
                let known = Set(defined).union(constraint.schemas.keys)
                #expect(referenced.isSubset(of: known), "\(version) \(choice): undefined \(referenced.subtracting(known))")
                #expect(Set(constraint.schemas.keys).isSubset(of: referenced))
                _ = try Self.matcher(version, choice, parallel: parallel)
                // llama.cpp's parser reads past the newline after a trailing `|` (an empty last alternative).
                for line in constraint.grammar.split(separator: "\n") {
                    #expect(!line.trimmingCharacters(in: .whitespaces).hasSuffix("|"), "\(version) \(choice): \(line)")
                }
                switch choice {
                case .auto, .required:
                    for name in ["get_weather", "get_time"] {
                        #expect(constraint.grammar.contains(name), "\(version) \(choice) does not mention \(name)")
                    }
                    let python = version == .v3Llama31 && choice == .required
                    #expect(constraint.grammar.contains("python") != python, "\(version) \(choice): python")
                case .none:
                    #expect(constraint.schemas.isEmpty)
                    #expect(!constraint.grammar.contains("get_weather"))
                case .function(let name):
                    #expect(constraint.schemas.count == 1)
                    let schema = try #require(constraint.schemas.values.first)
                    #expect(schema == (name == "get_weather" ? Self.weather.function?.parameters : ToolGrammar.anyObjectSchema))
                }
            }
        }
    }

    @Test func noToolsNoConstraint() {
        for version in TemplateVersion.allCases {
            let none = ResolvedTools(tools: [], declaredTools: [], choice: .none, legacyFunctions: false)
            #expect(ToolGrammar.constraint(for: version, resolved: none) == nil)
        }
    }

    /// Appendix A: (case, tool_choice, raw output) for each template.
    static let appendix: [TemplateVersion: [(Int, ToolChoice, String)]] = [
        .v2: [
            (1, .auto, "all\n<|content|>Normal text generation"),
            (2, .auto, "get_weather\n<|content|>{\"location\": \"Istanbul\"}"),
            (
                4, .auto,
                "get_weather\n<|content|>{\"location\": \"Istanbul\"}\n<|from|>assistant\n<|recipient|>get_weather\n<|content|>{\"location\": \"Singapore\"}"
            ),
            (
                6, .auto,
                "all\n<|content|>Normal text generation\n<|from|>assistant\n<|recipient|>get_weather\n<|content|>{\"location\": \"Istanbul\"}"
            ),
            (7, .none, "Normal text generation"),
            (8, .function("get_weather"), "{\"location\": \"Istanbul\"}"),
            (
                10, .required,
                "get_weather\n<|content|>{\"location\": \"Istanbul\"}\n<|from|>assistant\n<|recipient|>get_weather\n<|content|>{\"location\": \"Singapore\"}"
            ),
            (11, .auto, "python\n<|content|>from datetime import date\n# Find today's date\ntoday = date.today()\ntoday"),
            (
                12, .auto,
                "all\n<|content|>Normal text generation\n<|from|>assistant\n<|recipient|>python\n<|content|>from datetime import date\n# Find today's date\ntoday = date.today()\ntoday"
            ),
        ],
        .v2Llama3: [
            (1, .auto, "Normal text generation"),
            (2, .auto, "<|reserved_special_token_249|>get_weather\n{\"location\": \"Istanbul\"}"),
            (
                4, .auto,
                "<|reserved_special_token_249|>get_weather\n{\"location\": \"Istanbul\"}<|reserved_special_token_249|>get_weather\n{\"location\": \"Singapore\"}"
            ),
            (6, .auto, "Normal text generation<|reserved_special_token_249|>get_weather\n{\"location\": \"Istanbul\"}"),
            (7, .none, "Normal text generation"),
            (8, .function("get_weather"), "{\"location\": \"Istanbul\"}"),
            (10, .required, "get_weather\n{\"location\": \"Istanbul\"}<|reserved_special_token_249|>get_weather\n{\"location\": \"Singapore\"}"),
            (11, .auto, "<|reserved_special_token_249|>python\nfrom datetime import date\n# Find today's date\ntoday = date.today()\ntoday"),
            (
                12, .auto,
                "Normal text generation<|reserved_special_token_249|>python\nfrom datetime import date\n# Find today's date\ntoday = date.today()\ntoday"
            ),
        ],
        .v3Llama3: [
            (1, .auto, "all\nNormal text generation"),
            (2, .auto, "get_weather\n{\"location\": \"Istanbul\"}"),
            (4, .auto, "get_weather\n{\"location\": \"Istanbul\"}>>>get_weather\n{\"location\": \"Singapore\"}"),
            (6, .auto, "all\nNormal text generation>>>get_weather\n{\"location\": \"Istanbul\"}"),
            (7, .none, "Normal text generation"),
            (8, .function("get_weather"), "{\"location\": \"Istanbul\"}"),
            (10, .required, "get_weather\n{\"location\": \"Istanbul\"}>>>get_weather\n{\"location\": \"Singapore\"}"),
            (11, .auto, "python\nfrom datetime import date\n# Find today's date\ntoday = date.today()\ntoday"),
            (12, .auto, "all\nNormal text generation>>>python\nfrom datetime import date\n# Find today's date\ntoday = date.today()\ntoday"),
        ],
        .v3Llama31: [
            (1, .auto, "Normal text generation"),
            (2, .auto, "<function=get_weather>{\"location\": \"Istanbul\"}</function>"),
            (4, .auto, "<function=get_weather>{\"location\": \"Istanbul\"}</function><function=get_weather>{\"location\": \"Singapore\"}</function>"),
            (6, .auto, "Normal text generation<function=get_weather>{\"location\": \"Istanbul\"}</function>"),
            (7, .none, "Normal text generation"),
            (8, .function("get_weather"), "{\"location\": \"Istanbul\"}</function>"),
            (10, .required, "get_weather>{\"location\": \"Istanbul\"}</function><function=get_weather>{\"location\": \"Singapore\"}</function>"),
            (11, .auto, "<|python_tag|>from datetime import date\n# Find today's date\ntoday = date.today()\ntoday"),
            (12, .auto, "Normal text generation<|python_tag|>from datetime import date\n# Find today's date\ntoday = date.today()\ntoday"),
        ],
        .qwen25: toolCallCases,
        .gemma3: toolCallCases,
    ]

    static let toolCallCases: [(Int, ToolChoice, String)] = [
        (1, .auto, "Normal text generation"),
        (2, .auto, "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"location\": \"Istanbul\"}}\n</tool_call>"),
        (
            4, .auto,
            "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"location\": \"Istanbul\"}}\n</tool_call>\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"location\": \"Singapore\"}}\n</tool_call>"
        ),
        (6, .auto, "Normal text generation\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"location\": \"Istanbul\"}}\n</tool_call>"),
        (7, .none, "Normal text generation"),
        (8, .function("get_weather"), "\": {\"location\": \"Istanbul\"}}\n</tool_call>"),
        (
            10, .required,
            "{\"name\": \"get_weather\", \"arguments\": {\"location\": \"Istanbul\"}}\n</tool_call>\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"location\": \"Singapore\"}}\n</tool_call>"
        ),
        (
            11, .auto,
            "<tool_call>\n{\"name\": \"python\", \"arguments\": {\"code\": \"from datetime import date\\n# Find today's date\\ntoday = date.today()\\ntoday\"}}\n</tool_call>"
        ),
        (
            12, .auto,
            "Normal text generation\n<tool_call>\n{\"name\": \"python\", \"arguments\": {\"code\": \"from datetime import date\\n# Find today's date\\ntoday = date.today()\\ntoday\"}}\n</tool_call>"
        ),
    ]

    @Test(arguments: TemplateVersion.allCases)
    func appendixOutputsMatch(version: TemplateVersion) throws {
        let end = TemplateFormat(version: version).endMarkers[0]
        for (number, choice, raw) in try #require(Self.appendix[version]) {
            let matcher = try Self.matcher(version, choice)
            #expect(matcher.matches(raw), "\(version) case \(number) does not match")
            #expect(matcher.matches(raw + end), "\(version) case \(number) with \(end) does not match")
        }
    }

    /// Outputs the grammar must refuse: an undeclared tool, text where a call is required, another
    /// function than the named one, a second call without parallel calls, markers inside text.
    @Test func refusesWhatToolChoiceForbids() throws {
        let v2 = try Self.matcher(.v2, .auto)
        #expect(!v2.matches("get_stock\n<|content|>{}"))
        #expect(v2.matches("get_time\n<|content|>{}"))
        #expect(!v2.matches("all\n<|content|>Hi <|from|>assistant"))
        #expect(!(try Self.matcher(.v2, .required)).matches("all\n<|content|>Hi"))
        #expect(
            !(try Self.matcher(.v2, .required, parallel: false)).matches(
                "get_time\n<|content|>{}\n<|from|>assistant\n<|recipient|>get_time\n<|content|>{}"))

        let gemma = try Self.matcher(.gemma3, .auto)
        #expect(!gemma.matches("<tool_call>\n{\"name\": \"get_stock\", \"arguments\": {}}\n</tool_call>"))
        #expect(!gemma.matches("Hi\n<tool_call>\n{\"name\": \"get_time\", \"arguments\": {}}"))
        #expect(!(try Self.matcher(.gemma3, .none)).matches("Hi <tool_call>\n{\"name\": \"get_time\", \"arguments\": {}}\n</tool_call>"))
        #expect(!(try Self.matcher(.gemma3, .required)).matches("Hello"))
        #expect(!(try Self.matcher(.gemma3, .function("get_weather"))).matches("\": {\"location\": \"x\"}}\n</tool_call>\nmore"))

        let v31 = try Self.matcher(.v3Llama31, .required, parallel: false)
        #expect(v31.matches("get_time>{}</function>"))
        #expect(!v31.matches("get_time>{}</function><function=get_time>{}</function>"))
        #expect(!v31.matches("python>{}</function>"))

        let v3 = try Self.matcher(.v3Llama3, .function("get_time"))
        #expect(v3.matches("{}"))
        #expect(!v3.matches("{}>>>get_time\n{}"))
    }

    /// In `auto` mode text that starts spelling a template's call marker can only go on as a well-formed call: the
    /// markup a model might write instead (`<tool_call name=…>`, `<function name=…>`, a separator followed by prose)
    /// is refused, and the well-formed call after the same text is accepted, for every template.
    @Test func theStartOfACallMarkerCommitsToACall() throws {
        let call = "{\"name\": \"get_time\", \"arguments\": {}}\n</tool_call>"
        for version in [TemplateVersion.gemma3, .qwen25] {
            let auto = try Self.matcher(version, .auto)
            #expect(!auto.matches("Sure. <tool_call name=\"get_time\", arguments={}}"), "\(version)")
            #expect(!auto.matches("<tool_call name=\"get_time\">{}</tool_call>"), "\(version)")
            #expect(!auto.matches("Sure. <tool_call"), "\(version): a dangling marker start")
            #expect(auto.matches("Sure. <tool_call>\n" + call), "\(version): a call right after text")
            #expect(auto.matches("Sure.\n<tool_call>\n" + call), "\(version)")
            #expect(auto.matches("Sure. The weather is fine."), "\(version)")
            #expect(!(try Self.matcher(version, .none)).matches("Sure. <tool_call name=\"x\">"), "\(version)")
        }
        let v31 = try Self.matcher(.v3Llama31, .auto)
        #expect(!v31.matches("Sure <function name=get_time>{}</function>"))
        #expect(!v31.matches("Sure <function"))
        #expect(v31.matches("Sure <function=get_time>{}</function>"))
        let v3 = try Self.matcher(.v3Llama3, .auto)
        #expect(!v3.matches("all\nSure >>>calling get_time now"))
        #expect(v3.matches("all\nSure>>>get_time\n{}"))
        let v2Llama3 = try Self.matcher(.v2Llama3, .auto)
        #expect(!v2Llama3.matches("Sure<|reserved_special_token_249|>calling get_time now"))
        #expect(v2Llama3.matches("Sure<|reserved_special_token_249|>get_time\n{}"))
        let v2 = try Self.matcher(.v2, .auto)
        #expect(!v2.matches("all\n<|content|>Sure\n<|from|>assistant\n<|recipient|>calling get_time"))
        #expect(v2.matches("all\n<|content|>Sure\n<|from|>assistant\n<|recipient|>get_time\n<|content|>{}"))
    }

    @Test func freeTextExcludesMarkers() throws {
        let rules = FreeTextRule(name: "text", markers: ["<tool_call>", ">>>", "<|from|>"]).rules
        let matcher = try GBNFMatcher("root ::= text\n" + rules)
        for ok in ["", "plain", "a < b >> c", "<tool_cal", "<<tool_cal", "<|from", "中文 😀 <t> ok"] {
            #expect(matcher.matches(ok), "\(ok.debugDescription) should match")
        }
        // Text cannot end where a marker written after it would straddle the end: in `>` or `>>` (`x>>` + `>>>` is
        // `x>>>>>`, the marker two characters early), nor in `<tool_call` or `<|from|` (+ `>>>` completes them).
        for bad in [
            "<tool_call>", "x<tool_call>y", "<<tool_call>", "a>>>b", ">>>>", "<|from|>", "<<|from|>", ">>", "x>>", "<t>", "<tool_call",
            "<|from|",
        ] {
            #expect(!matcher.matches(bad), "\(bad.debugDescription) should not match")
        }
    }

    @Test func gbnfHelpers() throws {
        #expect(GBNF.literal("a\"b\\c\nd") == #""a\"b\\c\nd""#)
        let generated = "root ::= \"{\" space kv \"}\"\nspace ::= | \" \" | \"\\n\"{1,2} [ \\t]{0,20}\nkv ::= \"<a>\" space\n"
        let renamed = try GBNF.renamingRules(in: generated, root: "tool-0-args", prefix: "tool-0-args-")
        #expect(
            renamed
                == "tool-0-args ::= \"{\" tool-0-args-space tool-0-args-kv \"}\"\ntool-0-args-space ::= | \" \" | \"\\n\"{1,2} [ \\t]{0,20}\ntool-0-args-kv ::= \"<a>\" tool-0-args-space\n"
        )
        let tokens = try GBNF.replacingTokenReferences(in: "root ::= <|from|> \"<x>\" [<>] <[12]> !<|stop|> # <c>\n") { t in
            t == "|from|" ? "<[7]>" : GBNF.literal("<\(t)>")
        }
        #expect(tokens == "root ::= <[7]> \"<x>\" [<>] <[12]> !\"<|stop|>\" # <c>\n")
        let (defined, referenced) = try GBNF.rules(in: renamed)
        #expect(defined == ["tool-0-args", "tool-0-args-space", "tool-0-args-kv"])
        #expect(referenced == ["tool-0-args-space", "tool-0-args-kv"])
    }

    @Test func jsonResponse() throws {
        let constraint = ToolGrammar.jsonResponse(schema: nil)
        #expect(constraint.schemas == ["response": ["type": "object"]])
        #expect(try GBNF.rules(in: constraint.grammar).referenced == ["response"])
    }
}
