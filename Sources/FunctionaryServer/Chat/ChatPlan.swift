import FunctionaryProtocol

/// A checked `/v1/chat/completions` request: everything needed to run it and to shape its answer.
struct ChatPlan: Sendable {
    /// The `model` of the request (echoed in responses).
    var model: String
    var resolved: ResolvedTools
    var template: any PromptTemplate
    var generation: GenerationRequest
    var stream: Bool
    var includeUsage: Bool
    /// False: at most one call per choice (also for legacy `functions`).
    var parallelToolCalls: Bool

    /// Validates a request body in the reference server's order (model, then tools and tool_choice), then
    /// sampling fields, `response_format`, the prompt and its constraint.
    /// The request's limits (`RequestLimits`: tools, schemas, stop strings, `max_tokens` against `contextSize`) are
    /// checked before the prompt is rendered or a grammar built.
    /// - Throws: `OpenAIError`: 400 naming the field or the limit, 404 for an unknown model.
    init<Engine>(body admitted: AdmittedRequest<Engine>, configuration: ServerConfiguration) throws(OpenAIError) {
        let (request, _) = try RequestJSON.decode(ChatCompletionRequest.self, from: admitted.body, limits: configuration.limits)
        try self.init(request, for: admitted, configuration: configuration)
    }

    /// Checks a decoded request (the Responses and Messages APIs map theirs onto a `ChatCompletionRequest`) for the
    /// admitted request's model: its template, names and context size.
    init<Engine>(_ request: ChatCompletionRequest, for admitted: AdmittedRequest<Engine>, configuration: ServerConfiguration)
        throws(OpenAIError)
    {
        try self.init(
            request: request, configuration: configuration, template: admitted.loaded.template,
            modelNames: admitted.modelNames(configuration), contextSize: admitted.loaded.engine.contextSize)
    }

    /// Checks a decoded request, with the same limits.
    init(
        request: ChatCompletionRequest, configuration: ServerConfiguration, template: any PromptTemplate, modelNames: [String],
        contextSize: Int
    ) throws(OpenAIError) {
        guard modelNames.contains(request.model) else {
            throw OpenAIError.modelNotFound(request.model)
        }
        if request.messages.isEmpty {
            throw OpenAIError.badRequest("'messages' must contain at least one message.", param: "messages", code: "invalid_value")
        }
        let maxTokensField = request.maxCompletionTokens != nil ? "max_completion_tokens" : "max_tokens"
        try RequestLimits.checkMaxTokens(request.requestedMaxTokens, field: maxTokensField, contextSize: contextSize)
        let jsonFormat = try Self.responseFormat(request.responseFormat)
        try configuration.limits.check(
            tools: request.tools, functions: request.functions, responseSchema: jsonFormat?.schema, stop: request.stop?.values)
        let resolved: ResolvedTools
        do {
            resolved = try request.resolveTools()
        } catch {
            throw OpenAIError(error)
        }
        let fields = SamplingFields(
            temperature: request.temperature, topP: request.topP, topK: request.topK, minP: request.minP, seed: request.seed,
            maxTokens: request.requestedMaxTokens,
            maxTokensField: maxTokensField,
            stop: request.stop?.values, presencePenalty: request.presencePenalty, frequencyPenalty: request.frequencyPenalty,
            repetitionPenalty: request.repetitionPenalty, n: request.n, logprobs: request.logprobs,
            topLogprobs: request.topLogprobs, logitBias: request.logitBias)
        let (sampling, n) = try fields.parameters(configuration)
        let usesTools = !resolved.tools.isEmpty && resolved.choice != .none
        if jsonFormat != nil, usesTools {
            throw OpenAIError.badRequest(
                "'response_format' json_object/json_schema cannot be combined with tools unless tool_choice is 'none'.",
                param: "response_format", code: "invalid_value")
        }
        let prompt: String
        do {
            prompt = try PromptBuilder.prompt(template: template, messages: request.messages, resolved: resolved)
        } catch {
            throw OpenAIError(error)
        }
        let parallel = resolved.legacyFunctions ? false : (request.parallelToolCalls ?? true)
        // Tools declared: the grammar keeps calls valid (and, for tool_choice "none", keeps the output text).
        let constraint: OutputConstraint?
        if let jsonFormat {
            constraint = ToolGrammar.jsonResponse(schema: jsonFormat.schema)
        } else if !resolved.declaredTools.isEmpty {
            constraint = ToolGrammar.constraint(for: template.version, resolved: resolved, parallelToolCalls: parallel)
        } else {
            constraint = nil
        }
        self.model = request.model
        self.resolved = resolved
        self.template = template
        self.generation = GenerationRequest(
            prompt: prompt, sampling: sampling, n: n, constraint: constraint, templateStops: template.stopTokens)
        self.generation.jumpForward = request.jumpForward
        self.generation.speculation = try Self.speculation(request.speculation)
        self.stream = request.stream ?? false
        self.includeUsage = request.streamOptions?.includeUsage ?? false
        self.parallelToolCalls = parallel
    }

    /// `speculation`: `"lookup"` (true) or `"off"` (false); absent or null: the server's setting.
    static func speculation(_ value: JSONValue?) throws(OpenAIError) -> Bool? {
        switch value {
        case nil, .null?: return nil
        case .string("lookup")?: return true
        case .string("off")?: return false
        default:
            throw OpenAIError.badRequest(
                "'speculation' must be \"lookup\" or \"off\".", param: "speculation", code: "invalid_value")
        }
    }

    /// `response_format`: nil for text, else the JSON Schema to enforce (nil schema: any JSON object).
    static func responseFormat(_ value: JSONValue?) throws(OpenAIError) -> JSONResponseFormat? {
        guard let value, value != .null else { return nil }
        guard case .object(let object) = value else {
            throw OpenAIError.badRequest(
                "'response_format' must be an object such as {\"type\": \"json_object\"}.", param: "response_format",
                code: "invalid_value")
        }
        switch object["type"]?.stringValue {
        case "text"?: return nil
        case "json_object"?: return JSONResponseFormat(schema: Optional.none)
        case "json_schema"?:
            guard let schema = object["json_schema"]?["schema"], case .object = schema else {
                throw OpenAIError.badRequest(
                    "'response_format.json_schema.schema' is required for type 'json_schema' and must be a JSON Schema object.",
                    param: "response_format.json_schema.schema", code: "invalid_value")
            }
            return JSONResponseFormat(schema: schema)
        default:
            let got = object["type"].map { $0.compactJSON() } ?? "nothing"
            throw OpenAIError.badRequest(
                "Invalid value for 'response_format.type': \(got). Supported values are: 'text', 'json_object' and 'json_schema'.",
                param: "response_format.type", code: "invalid_value")
        }
    }
}

/// `response_format` asking for JSON: a schema to enforce, or nil for any JSON object.
struct JSONResponseFormat: Sendable {
    var schema: JSONValue?
}
