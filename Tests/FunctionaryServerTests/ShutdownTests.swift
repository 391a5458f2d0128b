import FunctionaryProtocol
import FunctionaryServer
import Hummingbird
import Logging
import ServiceLifecycle
import Testing

@Suite("graceful shutdown")
struct ShutdownTests {
    @Test func shutdownEndsInFlightStreamsCleanly() async throws {
        let engine = ScriptedEngine(steps: [.endless(0, "tok ", interval: .milliseconds(5))])
        let holder = ModelHolder(LoadedModel(engine: engine, template: TestTemplate(), displayName: "scripted"))
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let logger = TestServer.quiet(Logger(label: "test"))
        let app = buildApplication(
            configuration: TestServer.configuration { $0.shutdownGracePeriod = .milliseconds(200) }, model: holder, logger: logger
        ) { port in
            portContinuation.yield(port)
        }
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            let socket = try RawSocket(port: port)
            try socket.send(DisconnectTests.request(TestServer.chat(#""stream":true"#)))
            _ = try await socket.receive(until: #"{"content":"tok "}"#)
            await group.triggerGracefulShutdown()
            let rest = try await socket.receive(until: "data: [DONE]")
            #expect(rest.contains(#""delta":{},"logprobs":null,"finish_reason":"length"}"#))
            socket.close()
            try await tasks.next()
        }
        await eventually("the generation was stopped") { engine.active == 0 }
    }
}
