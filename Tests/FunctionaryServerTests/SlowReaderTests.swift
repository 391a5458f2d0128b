import FunctionaryProtocol
import FunctionaryServer
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

/// Issue 20: a streaming client that reads a little now and then (never stalling for the whole write timeout)
/// cannot make the server buffer its generation without bound nor hold its place until the end.
@Suite("slow stream readers")
struct SlowReaderTests {
    @Test func aSlowReaderIsCutAndItsGenerationCancelled() async throws {
        let count = Mutex(0)
        let engine = ScriptedEngine { _ in
            let index = count.withLock { value in
                defer { value += 1 }
                return value
            }
            // The first request generates fast and forever; the ones after it answer at once.
            if index == 0 { return [.endless(0, String(repeating: "x", count: 4096), interval: .milliseconds(1))] }
            return [.text(0, "next"), .finish(0, .stop), .usage(prompt: 1, completion: 1)]
        }
        let app = TestServer.app(engine: engine) {
            $0.parallel = 1
            $0.maxQueue = 0
            $0.maxStreamBuffer = 64 * 1024
            // Longer than the test: the write timeout is not what ends the stream.
            $0.timeouts.write = .seconds(120)
            // The test's own client connects at the start and sends its next request only after the slow reader is cut.
            $0.timeouts.header = .seconds(300)
            $0.timeouts.idle = .seconds(300)
        }
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let socket = try RawSocket(port: port, receiveBuffer: 4096)
            defer { socket.close() }
            try socket.send(DisconnectTests.request(TestServer.chat(#""stream":true"#)))
            // Reads 64 bytes every 100 ms (about 640 bytes a second) while the engine produces megabytes.
            let deadline = ContinuousClock.now + .seconds(60)
            var open = true
            while engine.cancellations == 0, ContinuousClock.now < deadline, open {
                open = socket.readSome(64)
                try await Task.sleep(for: .milliseconds(100))
            }
            await eventually(timeout: .seconds(10), "the slow reader's generation is cancelled") { engine.cancellations == 1 }
            await eventually("its slot is free") { engine.active == 0 }
            // The one place (parallel 1, no queue) serves the next request.
            let next = try await client.post("/v1/chat/completions", json: TestServer.chat())
            #expect(next.status == .ok)
            #expect(next.text.contains("next"))
            let metrics = try await client.execute(uri: "/metrics", method: .get).text
            #expect(metrics.contains("functionary_slow_reader_disconnects_total 1"))
        }
    }

    /// A client that reads everything gets the whole stream, however long, through a small buffer.
    @Test func aFastReaderGetsEverything() async throws {
        let pieces = (0..<400).map { "piece \($0) " + String(repeating: "y", count: 200) }
        let engine = ScriptedEngine.answering(pieces)
        try await TestServer.app(engine: engine, { $0.maxStreamBuffer = 8 * 1024 }).test(.live) { client in
            let response = try await client.post("/v1/chat/completions", json: TestServer.chat(#""stream":true"#))
            #expect(response.status == .ok)
            let text = try response.chunks().compactMap { $0.delta?["content"]?.stringValue }.joined()
            #expect(text == pieces.joined())
            #expect(response.events.last == "[DONE]")
        }
    }
}
