import AsyncHTTPClient
import FunctionaryProtocol
import NIOCore

extension HTTPBackend {
    /// The request body for a turn: OpenAI's fields, streaming with usage in the last chunk.
    func requestBody(_ request: TurnRequest) -> JSONValue {
        var body: JSONObject = [
            "model": .string(model),
            "messages": .array(request.messages.map(\.json)),
            "stream": true,
            "stream_options": ["include_usage": true],
        ]
        if !request.tools.isEmpty {
            body["tools"] = .array(request.tools.map(Self.toolJSON))
            if let choice = request.toolChoice { body["tool_choice"] = choice.requestJSON }
            body["parallel_tool_calls"] = .bool(request.parallelToolCalls)
        }
        if let schema = request.responseFormat {
            body["response_format"] = [
                "type": "json_schema", "json_schema": ["name": "response", "schema": schema, "strict": true],
            ]
        }
        let sampling = request.sampling
        if let temperature = sampling.temperature { body["temperature"] = .number(JSONNumber(temperature)) }
        if let topP = sampling.topP { body["top_p"] = .number(JSONNumber(topP)) }
        if let maxTokens = sampling.maxTokens { body["max_tokens"] = .number(JSONNumber(maxTokens)) }
        if let seed = sampling.seed { body["seed"] = .number(JSONNumber(seed)) }
        for (key, value) in extraBody { body[key] = value }
        return .object(body)
    }

    /// A tool as OpenAI's API spells it (absent fields left out; the code interpreter as `{"type": "code_interpreter"}`).
    static func toolJSON(_ tool: Tool) -> JSONValue {
        guard tool.type == .function, let function = tool.function else { return ["type": .string(tool.type.rawValue)] }
        var object: JSONObject = ["name": .string(function.name)]
        if let description = function.description { object["description"] = .string(description) }
        if let parameters = function.parameters { object["parameters"] = parameters }
        return ["type": "function", "function": .object(object)]
    }

    /// `base` + `/` + `path`; a base without a path gets `/v1`; a base that already ends in the path is kept.
    static func endpoint(_ base: String, _ path: String) throws -> String {
        var root = base.trimmingWhitespace()
        guard root.hasPrefix("http://") || root.hasPrefix("https://") else {
            throw AgentError(.invalidConfiguration, "The server URL '\(base)' must start with http:// or https://.")
        }
        while root.hasSuffix("/") { root.removeLast() }
        if root.hasSuffix("/" + path) { return root }
        if root.hasSuffix("/chat/completions") { root.removeLast("/chat/completions".count) }
        let afterScheme = root.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false)
        if afterScheme.count <= 3 { root += "/v1" }  // "http:", "", "host:port": no path
        return root + "/" + path
    }

    /// An error for a non-200 answer, with the server's own message when it sent one.
    static func statusError(_ response: HTTPClientResponse, url: String, timeout: Duration) async -> AgentError {
        let status = Int(response.status.code)
        var detail = ""
        if let body = try? await response.body.collect(upTo: 1 << 20) {
            let text = String(buffer: body)
            if let json = try? JSONValue(parsing: text) {
                detail =
                    json["error"]?["message"]?.stringValue ?? json["error"]?.stringValue ?? json["message"]?.stringValue
                    ?? json["detail"]?.stringValue ?? json["detail"].map { $0.compactJSON() } ?? json.compactJSON()
            } else {
                detail = text.trimmingWhitespace()
            }
        }
        let head = "The server at \(url) answered \(status) \(response.status.reasonPhrase)"
        return AgentError(.httpStatus, detail.isEmpty ? head + "." : "\(head): \(String(detail.prefix(2000)))", status: status)
    }
}
