import Foundation
import FunctionaryProtocol
import Hummingbird

/// `GET /health`, `GET /v1/models` and `GET /metrics`.
struct InfoController<Engine: TextGenerator>: Sendable {
    let configuration: ServerConfiguration
    let model: ModelHolder<Engine>
    let metrics: ServerMetrics
    let admission: Admission
    let startedAt = Int(Date.now.timeIntervalSince1970)

    func addRoutes(to router: Router<ServerRequestContext>) {
        router.get("/health") { _, _ in self.health() }
        router.get("/v1/models") { _, _ in try self.models() }
        router.get("/v1/models/:id") { _, context in try self.modelCard(context.parameters.require("id")) }
        router.get("/metrics") { _, _ in await self.metricsText() }
    }

    /// 200 `{"status":"ok"}` once the model is loaded, 503 `{"status":"loading"}` before.
    func health() -> JSONResponse {
        if model.isReady { return JSONResponse(["status": "ok"]) }
        return JSONResponse(
            ["status": "loading"], status: .serviceUnavailable, headers: [.retryAfter: String(configuration.retryAfterSeconds)])
    }

    /// The served models; 503 while the model loads, like every route that needs it (clients that poll
    /// `/v1/models` for readiness then wait until requests can succeed).
    func models() throws(OpenAIError) -> JSONResponse {
        let loaded = try model.requireModel(retryAfter: configuration.retryAfterSeconds)
        return JSONResponse(["object": "list", "data": .array(loaded.modelNames(configuration).map(card))])
    }

    func modelCard(_ id: String) throws(OpenAIError) -> JSONResponse {
        let loaded = try model.requireModel(retryAfter: configuration.retryAfterSeconds)
        guard loaded.modelNames(configuration).contains(id) else { throw OpenAIError.modelNotFound(id) }
        return JSONResponse(card(id))
    }

    private func card(_ name: String) -> JSONValue {
        var card: JSONObject = [
            "id": .string(name), "object": "model", "created": .number(JSONNumber(startedAt)), "owned_by": "functionary",
        ]
        if let loaded = model.model {
            card["max_model_len"] = .number(JSONNumber(loaded.engine.contextSize))
            card["template"] = .string(loaded.template.version.rawValue)
            card["adapters"] = .array(loaded.adapters.map { .string($0) })
        }
        return .object(card)
    }

    /// Prometheus text; the load gauges are read from the engine when it reports them.
    func metricsText() async -> Response {
        let inFlight = admission.current
        var stats = EngineStats(
            activeSlots: min(inFlight, admission.slots), totalSlots: admission.slots, queuedRequests: max(0, inFlight - admission.slots))
        if let loaded = model.model, let provider = loaded.engine as? any EngineStatsProviding {
            stats = await provider.stats()
        }
        metrics.recordLoad(stats, inFlight: inFlight)
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: metrics.render())))
    }
}
