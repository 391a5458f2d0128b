/// A chat request from decoding through validation, prompt rendering for every template version,
/// and the tool grammar with its JSON Schema rules (what `/v1/chat/completions` does before generating).
enum FuzzRequest {
    static func run(_ bytes: [UInt8]) {
        guard var value = try? JSONValue(parsing: bytes) else { return }
        // Seeds from the fixtures carry no `model`: add one so that decoding gets past it.
        if case .object(var object) = value, object["model"] == nil {
            object["model"] = "fuzz"
            value = .object(object)
        }
        guard let request = try? JSONValueDecoder().decode(ChatCompletionRequest.self, from: value) else { return }
        guard let resolved = try? request.resolveTools() else { return }
        for version in TemplateVersion.allCases {
            let template = version.template
            _ = try? PromptBuilder.prompt(template: template, messages: request.messages, resolved: resolved)
            for parallel in [true, false] {
                guard let constraint = ToolGrammar.constraint(for: version, resolved: resolved, parallelToolCalls: parallel) else { continue }
                _ = try? ConstraintGrammar.render(constraint)
            }
        }
        if let format = request.responseFormat?.objectValue, let schema = format["json_schema"]?.objectValue?["schema"] {
            _ = try? ConstraintGrammar.render(ToolGrammar.jsonResponse(schema: schema))
        }
    }
}
