import ArgumentParser
import Foundation
import FunctionaryAgent

/// The flags of the commands that can run on an OpenAI-compatible server instead of the embedded engine
/// (`chat`, `eval`).
struct ServerClientOptions: ParsableArguments {
    @Option(help: "Base URL of an OpenAI-compatible server (e.g. http://127.0.0.1:8000/v1) instead of the embedded engine.")
    var url: String?

    @Option(help: "API key for --url (default: $FUNCTIONARY_API_KEY, then $OPENAI_API_KEY).")
    var apiKey: String?

    @Option(help: "Model name to request from --url (default: the server's first model).")
    var modelName: String?

    /// The backend for `--url` and the model it requests (the server's first one unless `--model-name`); nil without
    /// `--url`.
    /// - Throws: `ValidationError` when the server lists no models.
    func backend() async throws -> (backend: HTTPBackend, model: String, url: String)? {
        guard let url else { return nil }
        let environment = ProcessInfo.processInfo.environment
        let key = apiKey ?? environment["FUNCTIONARY_API_KEY"] ?? environment["OPENAI_API_KEY"]
        var model = modelName
        if model == nil { model = try await HTTPBackend(url: url, model: "", apiKey: key).availableModels().first }
        guard let model else { throw ValidationError("The server at \(url) lists no models; pass --model-name.") }
        return (HTTPBackend(url: url, model: model, apiKey: key), model, url)
    }
}
