/// Fixed texts of the reference templates (protocol §3.1, §3.4–3.7), written exactly as the
/// reference writes them (typos included: the model was trained on them).
enum TemplateStrings {
    /// The code-interpreter system message of v2, v2.llama3 and v3.llama3 (`CI_MSG`).
    static let codeInterpreterSystem =
        "When you send a message containing Python code to python, it will be executed in a stateful Jupyter notebook environment. "
        + "python will respond with the output of the execution or time out after 60.0 seconds. "
        + "The drive at '/mnt/data' can be used to save and persist user files."

    /// The default system message of v2 and v2.llama3 when no code interpreter is offered (no final period).
    static let v2DefaultSystem =
        "A chat between a curious user and an artificial intelligence assistant. "
        + "The assistant gives helpful, detailed, and polite answers to the user's questions. "
        + "The assistant calls functions with appropriate input when necessary"

    /// The start of the v3.llama3 system message, before the TypeScript schema.
    static let v3SystemPreamble =
        "You are capable of executing available function(s) if required.\nOnly execute function(s) when absolutely necessary.\n"
        + "Ask for the required input to:recipient==all\nUse JSON for function arguments.\nRespond in this format:\n"
        + ">>>${recipient}\n${content}\nAvailable functions:\n"

    /// v3-llama3.1's `TOOL_INSTRUCTIONS`, after the function list (with the reference's "If a you").
    static let llama31ToolInstructions =
        "\nThink very carefully before calling functions.\nIf a you choose to call a function ONLY reply in the following format:\n"
        + "<{start_tag}={function_name}>{parameters}{end_tag}\nwhere\n\nstart_tag => `<function`\n"
        + "parameters => a JSON dict with the function argument name as key and function argument value as value.\n"
        + "end_tag => `</function>`\n\nHere is an example,\n"
        + "<function=example_function_name>{\"example_name\": \"example_value\"}</function>\n\nReminder:\n"
        + "- If looking for real time information use relevant functions before falling back to brave_search\n"
        + "- Function calls MUST follow the specified format, start with <function= and end with </function>\n"
        + "- Required parameters MUST be specified\n- Only call one function at a time\n"
        + "- Put the entire function call reply on one line\n\n"

    /// qwen2.5's default system message.
    static let qwenDefaultSystem = "You are a helpful assistant."

    /// gemma3's system line before the tools.
    static let gemmaToolsSystem = "You are capable of executing available function(s) if required."

    /// The tools section of qwen2.5 and gemma3 up to `<tools>`.
    static let toolsIntro =
        "\n\n# Tools\n\nYou may call one or more functions to assist with the user query."
        + "\n\nYou are provided with function signatures within <tools></tools> XML tags:\n<tools>"

    /// The tools section of qwen2.5 and gemma3 after the tool list, up to the end-of-turn token.
    static let toolsOutro =
        "\n</tools>\n\nFor each function call, return a json object with function name and arguments within "
        + "<tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call>"

    /// The description of the `python` function that replaces the code interpreter in qwen2.5 and gemma3 (§1.5).
    static let pythonToolDescription =
        "This tool is used to execute python code. Code will be executed in a stateful Jupyter notebook environment. "
        + "Python will respond with the output of the execution or time out after 60.0 seconds. "
        + "The drive at '/mnt/data' can be used to save and persist user files."

    /// The `python` function tool of qwen2.5 and gemma3: one string parameter `code`, not required.
    static let pythonTool = Tool(
        function: FunctionDefinition(
            name: "python", description: pythonToolDescription,
            parameters: [
                "type": "object",
                "properties": ["code": ["type": "string", "description": "The python code to run"]],
            ]))
}
