/// A chat request from decoding through validation, prompt rendering and the tool grammar with its JSON Schema
/// rules (what `/v1/chat/completions` does before generating). One template version and one
/// `parallel_tool_calls` setting per input, picked from its length, so that an input costs one rendering and one
/// grammar (the corpus covers them all; every input once through all six made the target too slow to reach 10^6).
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
        let versions = TemplateVersion.allCases
        let version = versions[bytes.count % versions.count]
        let parallel = (bytes.count / versions.count) % 2 == 0
        _ = try? PromptBuilder.prompt(template: version.template, messages: request.messages, resolved: resolved)
        if let constraint = ToolGrammar.constraint(for: version, resolved: resolved, parallelToolCalls: parallel) {
            _ = try? ConstraintGrammar.render(constraint)
        }
        if let format = request.responseFormat?.objectValue, let schema = format["json_schema"]?.objectValue?["schema"] {
            _ = try? ConstraintGrammar.render(ToolGrammar.jsonResponse(schema: schema))
        }
    }
}
