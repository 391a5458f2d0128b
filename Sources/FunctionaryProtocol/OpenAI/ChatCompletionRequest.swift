/// `POST /v1/chat/completions` request body (OpenAI's fields plus the reference server's extras).
public struct ChatCompletionRequest: Decodable, Sendable {
    public var model: String
    public var messages: [ChatMessage]
    public var tools: [Tool]?
    /// Raw `tool_choice` (string or object); interpreted by `resolveTools()`.
    public var toolChoice: JSONValue?
    public var functions: [FunctionDefinition]?
    /// Raw legacy `function_call` (string or `{"name": …}`).
    public var functionCall: JSONValue?
    public var parallelToolCalls: Bool?
    public var temperature: Double?
    public var topP: Double?
    public var topK: Int?
    public var minP: Double?
    public var seed: Int?
    public var n: Int?
    public var maxTokens: Int?
    public var maxCompletionTokens: Int?
    public var stop: StopSequences?
    public var presencePenalty: Double?
    public var frequencyPenalty: Double?
    public var repetitionPenalty: Double?
    public var responseFormat: JSONValue?
    /// `logprobs`: return each generated token's log probability.
    public var logprobs: Bool?
    /// `top_logprobs`: how many alternatives come with each token's log probability (needs `logprobs: true`).
    public var topLogprobs: Int?
    /// Raw `logit_bias` (token id strings → bias); checked by the server.
    public var logitBias: JSONValue?
    public var stream: Bool?
    public var streamOptions: StreamOptions?
    public var user: String?
    /// `jump_forward` (this server's extension): jump-forward decoding for this request, overriding the server's
    /// `--jump-forward` (for comparisons and tests).
    public var jumpForward: Bool?
    /// `speculation` (this server's extension): `"lookup"` or `"off"`, prompt-lookup speculation for this request,
    /// overriding the server's `--speculation` (for comparisons and tests); checked by the server.
    public var speculation: JSONValue?

    public struct StreamOptions: Decodable, Sendable {
        public var includeUsage: Bool?
        enum CodingKeys: String, CodingKey { case includeUsage = "include_usage" }
    }

    enum CodingKeys: String, CodingKey {
        case model, messages, tools, functions, temperature, seed, n, stop, stream, user, logprobs
        case topLogprobs = "top_logprobs"
        case logitBias = "logit_bias"
        case toolChoice = "tool_choice"
        case functionCall = "function_call"
        case parallelToolCalls = "parallel_tool_calls"
        case topP = "top_p"
        case topK = "top_k"
        case minP = "min_p"
        case maxTokens = "max_tokens"
        case maxCompletionTokens = "max_completion_tokens"
        case presencePenalty = "presence_penalty"
        case frequencyPenalty = "frequency_penalty"
        case repetitionPenalty = "repetition_penalty"
        case responseFormat = "response_format"
        case streamOptions = "stream_options"
        case jumpForward = "jump_forward"
        case speculation
    }

    public init(model: String, messages: [ChatMessage], tools: [Tool]? = nil, toolChoice: JSONValue? = nil) {
        self.model = model
        self.messages = messages
        self.tools = tools
        self.toolChoice = toolChoice
    }

    /// The completion-token limit the client asked for (`max_completion_tokens` wins over `max_tokens`).
    public var requestedMaxTokens: Int? { maxCompletionTokens ?? maxTokens }
}

/// `stop`: one string or a list of strings.
public struct StopSequences: Decodable, Sendable, Hashable {
    public var values: [String]

    public init(_ values: [String]) { self.values = values }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let s = try? c.decode(String.self) {
            values = [s]
        } else {
            values = try c.decode([String].self)
        }
    }
}

/// What the prompt is built from after tool_choice handling (protocol §1.1 step 3–4, §6.4).
public struct ResolvedTools: Sendable, Hashable {
    /// The tools rendered into the prompt (none for `tool_choice: "none"`, only the named one for a named choice).
    public var tools: [Tool]
    /// All tools of the request, for grammar and validation.
    public var declaredTools: [Tool]
    public var choice: ToolChoice
    /// The request used the legacy `functions` / `function_call` fields.
    public var legacyFunctions: Bool

    public init(tools: [Tool], declaredTools: [Tool], choice: ToolChoice, legacyFunctions: Bool) {
        self.tools = tools
        self.declaredTools = declaredTools
        self.choice = choice
        self.legacyFunctions = legacyFunctions
    }

    /// Whether a `code_interpreter` tool is offered (so `python` calls are allowed).
    public var hasCodeInterpreter: Bool { tools.contains { $0.type == .codeInterpreter } }
}

extension ChatCompletionRequest {
    /// Checks tools/functions and tool_choice/function_call as the reference server does (§6.3, same
    /// messages), and applies the choice to the tool list.
    /// - Throws: `ProtocolError` with `param` set to the field at fault.
    public func resolveTools() throws(ProtocolError) -> ResolvedTools {
        let tools = self.tools ?? []
        let functions = self.functions ?? []
        if !tools.isEmpty && !functions.isEmpty {
            throw ProtocolError(
                .invalidRequest,
                "'functions' and 'tools' cannot both be provided. 'functions' are deprecated; use the 'tools' parameter instead.")
        }
        if case .string(let s)? = functionCall, s != "none", s != "auto" {
            throw ProtocolError(
                .invalidToolChoice, "Invalid value: '\(s)'. Supported values are: 'none' and 'auto'.", param: "function_call")
        }
        if case .string(let s)? = toolChoice, !["none", "auto", "required"].contains(s) {
            throw ProtocolError(
                .invalidToolChoice, "Invalid value: '\(s)'. Supported values are: 'none', 'auto', and 'required'.",
                param: "tool_choice")
        }
        if self.functions == nil, functionCall != nil, functionCall != .null {
            throw ProtocolError(
                .invalidToolChoice,
                "Invalid value for 'function_call': 'function_call' is only allowed when 'functions' are specified.",
                param: "function_call")
        }
        if self.tools == nil, toolChoice != nil, toolChoice != .null {
            throw ProtocolError(
                .invalidToolChoice, "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.",
                param: "tool_choice")
        }
        if !tools.isEmpty {
            let choice = try Self.interpretToolChoice(toolChoice, field: "tool_choice")
            return try Self.apply(choice, to: tools, legacy: false)
        }
        if !functions.isEmpty {
            let choice = try Self.interpretToolChoice(functionCall, field: "function_call")
            if choice == .required {
                throw ProtocolError(
                    .invalidToolChoice, "Invalid value: 'required'. Supported values are: 'none' and 'auto'.", param: "function_call")
            }
            return try Self.apply(choice, to: functions.map { Tool(function: $0) }, legacy: true)
        }
        return ResolvedTools(tools: [], declaredTools: [], choice: .none, legacyFunctions: false)
    }

    static func interpretToolChoice(_ value: JSONValue?, field: String) throws(ProtocolError) -> ToolChoice {
        switch value {
        case nil, .null?: return .auto
        case .string(let s)?: return ToolChoice(flag: s)
        case .object(let o)?:
            // {"type":"function","function":{"name":X}} or legacy {"name": X}
            if let name = o["function"]?["name"]?.stringValue ?? o["name"]?.stringValue {
                if let type = o["type"]?.stringValue, type != "function" {
                    throw ProtocolError(
                        .invalidToolChoice, "Invalid value for '\(field)': type must be 'function', got '\(type)'.", param: field)
                }
                return .function(name)
            }
            throw ProtocolError(
                .invalidToolChoice,
                "Invalid value for '\(field)': expected 'none', 'auto', 'required' or {\"type\": \"function\", \"function\": {\"name\": …}}.",
                param: field)
        default:
            throw ProtocolError(.invalidToolChoice, "Invalid value for '\(field)': expected a string or an object.", param: field)
        }
    }

    static func apply(_ choice: ToolChoice, to tools: [Tool], legacy: Bool) throws(ProtocolError) -> ResolvedTools {
        switch choice {
        case .none:
            return ResolvedTools(tools: [], declaredTools: tools, choice: .none, legacyFunctions: legacy)
        case .auto, .required:
            return ResolvedTools(tools: tools, declaredTools: tools, choice: choice, legacyFunctions: legacy)
        case .function(let name):
            let kept = tools.filter { $0.type == .function && $0.function?.name == name }
            if kept.isEmpty {
                let field = legacy ? "function_call" : "tool_choice"
                let list = legacy ? "functions" : "tools"
                throw ProtocolError(
                    .invalidToolChoice,
                    "Invalid value for '\(field)': no function named \(name) was specified in the '\(list)' parameter", param: field)
            }
            return ResolvedTools(tools: kept, declaredTools: tools, choice: choice, legacyFunctions: legacy)
        }
    }
}
