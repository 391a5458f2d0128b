import Testing

@testable import FunctionaryProtocol

private let user = ChatMessage(role: "user", content: "hi")
private let weather = Tool(
    function: FunctionDefinition(
        name: "get_weather", description: "Get the weather",
        parameters: ["type": "object", "properties": ["city": ["type": "string"]], "required": ["city"]]))
private let emptySchema = "// Supported function definitions that should be called when necessary.\nnamespace functions {\n\n} // namespace functions"

private func render(_ version: TemplateVersion, _ messages: [ChatMessage], tools: [Tool] = []) throws -> String {
    try version.template.render(messages: messages, tools: tools, addGenerationPrompt: false)
}

/// Renderings without tools, system messages and code-interpreter blocks (§3.2–3.7).
@Suite struct TemplateSystemTests {
    @Test func withoutTools() throws {
        #expect(
            try render(.v2, [user])
                == "<|from|>system\n<|recipient|>all\n<|content|>" + emptySchema + "\n<|from|>system\n<|recipient|>all\n<|content|>"
                + TemplateStrings.v2DefaultSystem + "\n<|from|>user\n<|recipient|>all\n<|content|>hi")
        #expect(
            try render(.v2Llama3, [user])
                == "<|start_header_id|>system<|end_header_id|>\n\n" + emptySchema + "<|eot_id|><|start_header_id|>system<|end_header_id|>\n\n"
                + TemplateStrings.v2DefaultSystem + "<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>")
        #expect(
            try render(.v3Llama3, [user])
                == "<|start_header_id|>system<|end_header_id|>\n\n" + TemplateStrings.v3SystemPreamble + emptySchema
                + "<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>")
        #expect(
            try render(.v3Llama31, [user])
                == "<|start_header_id|>system<|end_header_id|>\n\n\nCutting Knowledge Date: December 2023\n\n<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>")
        #expect(try render(.qwen25, [user]) == "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n")
        #expect(try render(.gemma3, [user]) == "<start_of_turn>user\nhi<end_of_turn>\n")
    }

    @Test func firstSystemMessage() throws {
        let system = ChatMessage(role: "system", content: "S")
        let u = ChatMessage(role: "user", content: "u")
        #expect(try render(.qwen25, [system, u]) == "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nu<|im_end|>\n")
        #expect(try render(.qwen25, [system, u], tools: [weather]).hasPrefix("<|im_start|>system\nS\n\n# Tools\n\n"))
        // gemma3 without tools shows the first system message twice (§3.7, as the reference does)
        #expect(
            try TemplateGemma3().render(messages: [system, u], tools: [], addGenerationPrompt: true)
                == "<start_of_turn>system\nS<end_of_turn>\n<start_of_turn>system\nS<end_of_turn>\n<start_of_turn>user\nu<end_of_turn>\n"
                + "<start_of_turn>model\n")
        // with tools it is not merged into the tools header but shown as its own turn
        let withTools = try render(.gemma3, [system, u], tools: [weather])
        #expect(withTools.hasPrefix("<start_of_turn>system\nYou are capable of executing available function(s) if required.\n\n# Tools"))
        #expect(withTools.hasSuffix("</tool_call><end_of_turn>\n<start_of_turn>system\nS<end_of_turn>\n<start_of_turn>user\nu<end_of_turn>\n"))
        // later system messages are turns everywhere
        let later = ChatMessage(role: "system", content: "L")
        #expect(try render(.qwen25, [u, later]).hasSuffix("<|im_start|>system\nL<|im_end|>\n"))
        #expect(try render(.v2, [u, later]).hasSuffix("\n<|from|>system\n<|recipient|>all\n<|content|>L"))
    }

    @Test func codeInterpreterSystemMessages() throws {
        let ci = TemplateStrings.codeInterpreterSystem
        #expect(ci.hasPrefix("When you send a message containing Python code to python") && ci.hasSuffix("persist user files."))
        let v2 = try render(.v2, [user], tools: [weather, .codeInterpreter])
        #expect(v2.contains("} // namespace functions\n<|from|>system\n<|recipient|>all\n<|content|>" + ci + "\n<|from|>user"))
        #expect(!v2.contains(TemplateStrings.v2DefaultSystem))
        #expect(
            try render(.v2Llama3, [user], tools: [.codeInterpreter]).contains(
                "<|eot_id|><|start_header_id|>system<|end_header_id|>\n\n" + ci + "<|eot_id|>"))
        #expect(
            try render(.v3Llama3, [user], tools: [.codeInterpreter]).contains(
                emptySchema + "<|eot_id|><|start_header_id|>system<|end_header_id|>\n\n" + ci))
        #expect(
            try render(.v3Llama31, [user], tools: [.codeInterpreter])
                == "<|start_header_id|>system<|end_header_id|>\n\nEnvironment: ipython\n\nCutting Knowledge Date: December 2023\n\n<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>")
        let withFunction = try render(.v3Llama31, [user], tools: [.codeInterpreter, weather])
        #expect(
            withFunction.hasPrefix(
                "<|start_header_id|>system<|end_header_id|>\n\nEnvironment: ipython\n\nCutting Knowledge Date: December 2023\n\n\nYou have access"))
        #expect(withFunction.contains("Use the function 'get_weather' to 'Get the weather'\n{\"name\": \"get_weather\""))
        #expect(withFunction.contains(TemplateStrings.llama31ToolInstructions + "<|eot_id|>"))
        // qwen2.5 and gemma3 offer a `python` function instead (§1.5)
        for version in [TemplateVersion.qwen25, .gemma3] {
            let text = try render(version, [user], tools: [.codeInterpreter])
            #expect(
                text.contains(
                    "<tools>\n{\"type\": \"function\", \"function\": {\"name\": \"python\", \"description\": \"This tool is used to execute python code. "
                        + "Code will be executed in a stateful Jupyter notebook environment. Python will respond with the output of the execution or "
                        + "time out after 60.0 seconds. The drive at '/mnt/data' can be used to save and persist user files.\", \"parameters\": "
                        + "{\"type\": \"object\", \"properties\": {\"code\": {\"type\": \"string\", \"description\": \"The python code to run\"}}}}}\n</tools>"
                ))
        }
    }

    @Test func legacyFunctionsRenderAsFunctionTools() throws {
        let request = try JSONValueDecoder().decode(
            ChatCompletionRequest.self,
            from: """
                {"model": "m", "messages": [{"role": "user", "content": "hi"}],
                 "functions": [{"name": "get_weather", "description": "Get the weather",
                                "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}]}
                """)
        let resolved = try request.resolveTools()
        #expect(resolved.legacyFunctions)
        for version in TemplateVersion.allCases {
            let prompt = try PromptBuilder.prompt(template: version.template, messages: request.messages, resolved: resolved)
            #expect(prompt.contains("get_weather"), "\(version.rawValue)")
        }
        #expect(try render(.v2, [user], tools: resolved.tools).contains("// Get the weather\ntype get_weather = (_: {\ncity?: string,\n}) => any;"))
        #expect(
            try render(.qwen25, [user], tools: resolved.tools).contains(
                "\n{\"type\": \"function\", \"function\": {\"name\": \"get_weather\", \"description\": \"Get the weather\", \"parameters\": "))
    }
}
