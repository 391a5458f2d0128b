import FunctionaryProtocol
import FunctionaryServer
import Hummingbird
import HummingbirdTesting
import Logging
import ServiceLifecycle
import Testing

@Suite("model loading and served names")
struct LoaderTests {
    struct LoadFailure: Error, CustomStringConvertible {
        var description: String { "no such file" }
    }

    @Test func namesComeFromTheModelWhenNoneAreConfigured() async throws {
        let holder = ModelHolder(
            LoadedModel(engine: ScriptedEngine.answering(["hi"]), template: TestTemplate(), displayName: "x", servedNames: ["upstream-model"]))
        let app = buildApplication(
            configuration: TestServer.configuration { $0.servedModelNames = [] }, model: holder, logger: TestServer.quiet(Logger(label: "t")))
        try await app.test(.router) { client in
            let models = try await client.execute(uri: "/v1/models", method: .get).json()
            #expect(models["data"]?.arrayValue?.map { $0["id"] } == ["upstream-model"])
            let ok = try await client.post("/v1/chat/completions", json: #"{"model":"upstream-model","messages":[{"role":"user","content":"Hi"}]}"#)
            #expect(ok.status == .ok)
        }
    }

    @Test func loaderPublishesTheModelAndShutsItDown() async throws {
        let holder = ModelHolder<ScriptedEngine>()
        let readyNames = LogLines()
        let stopped = LogLines()
        let loader = ModelLoaderService(
            holder: holder, logger: TestServer.quiet(Logger(label: "t")),
            load: {
                try await Task.sleep(for: .milliseconds(20))
                return LoadedModel(engine: .answering(["hi"]), template: TestTemplate(), displayName: "scripted")
            },
            ready: { model in readyNames.append(model.displayName) },
            shutdown: { _ in stopped.append("stopped") })
        #expect(holder.model == nil)
        let group = ServiceGroup(configuration: .init(services: [loader], logger: TestServer.quiet(Logger(label: "t"))))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            await eventually("the model is ready") { holder.model != nil }
            #expect(readyNames.all == ["scripted"])
            await group.triggerGracefulShutdown()
            try await tasks.next()
        }
        #expect(stopped.all == ["stopped"])
    }

    @Test func aFailedLoadIsReportedAnd503() async throws {
        let holder = ModelHolder<ScriptedEngine>()
        let loader = ModelLoaderService(
            holder: holder, logger: TestServer.quiet(Logger(label: "t")), load: { throw LoadFailure() }, ready: { _ in },
            shutdown: { _ in })
        await #expect(throws: LoadFailure.self) { try await loader.run() }
        let app = buildApplication(configuration: TestServer.configuration(), model: holder, logger: TestServer.quiet(Logger(label: "t")))
        try await app.test(.router) { client in
            let response = try await client.post("/v1/chat/completions", json: TestServer.chat())
            #expect(response.status == .serviceUnavailable)
            #expect(try response.errorMessage() == "The model failed to load: no such file")
        }
    }
}
