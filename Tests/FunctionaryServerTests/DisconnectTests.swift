import Foundation
import FunctionaryProtocol
import FunctionaryServer
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

@Suite("a client that leaves cancels its generation")
struct DisconnectTests {
    @Test func disconnectMidStreamCancelsGeneration() async throws {
        let engine = ScriptedEngine(steps: [.endless(0, "tok ", interval: .milliseconds(5))])
        try await TestServer.app(engine: engine).test(.live) { client in
            let port = try #require(client.port)
            let socket = try RawSocket(port: port)
            try socket.send(Self.request(TestServer.chat(#""stream":true"#)))
            let received = try await socket.receive(until: #"{"content":"tok "}"#)
            #expect(received.hasPrefix("HTTP/1.1 200"))
            socket.close()
            await eventually("the engine sees the cancellation") { engine.cancellations == 1 }
            await eventually("the slot is free") { engine.active == 0 }
            // The server still serves.
            let health = try await client.execute(uri: "/health", method: .get)
            #expect(health.status == .ok)
        }
    }

    @Test func disconnectWhileWaitingForTheFirstTokenCancels() async throws {
        let engine = ScriptedEngine(steps: [.hold, .text(0, "late"), .finish(0, .stop)])
        try await TestServer.app(engine: engine).test(.live) { client in
            let port = try #require(client.port)
            for stream in [true, false] {
                let before = engine.cancellations
                let socket = try RawSocket(port: port)
                try socket.send(Self.request(TestServer.chat(#""stream":\#(stream)"#)))
                await eventually("the request reaches the engine") { engine.requests.count == (stream ? 1 : 2) }
                socket.close()
                await eventually("the engine sees the cancellation (stream: \(stream))") { engine.cancellations == before + 1 }
            }
            await eventually("no generation is left") { engine.active == 0 }
        }
    }

    @Test func metricsShowNoActiveSlotAfterADisconnectStorm() async throws {
        let engine = ScriptedEngine(steps: [.endless(0, "x", interval: .milliseconds(5))])
        try await TestServer.app(
            engine: engine,
            {
                $0.parallel = 4; $0.maxQueue = 8
            }
        ).test(.live) { client in
            let port = try #require(client.port)
            var sockets: [RawSocket] = []
            for _ in 0..<8 {
                let socket = try RawSocket(port: port)
                try socket.send(Self.request(TestServer.chat(#""stream":true"#)))
                sockets.append(socket)
            }
            for socket in sockets {
                _ = try await socket.receive(until: "\"x\"")
                socket.close()
            }
            await eventually("all generations cancelled") { engine.cancellations == 8 && engine.active == 0 }
            let metrics = try await client.execute(uri: "/metrics", method: .get).text
            #expect(metrics.contains("functionary_active_slots 0"))
        }
    }

    static func request(_ body: String) -> String {
        "POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }
}

@Suite("a keep-alive connection serves one request after another")
struct KeepAliveTests {
    /// Non-streamed generations, one that the engine refuses with a 400 among them, on one connection: the server
    /// keeps the connection open after each answer (the client sends the next request at once, as pooled HTTP
    /// clients do). It used to close it after every generation without saying so.
    @Test func theConnectionOutlivesEachGeneration() async throws {
        let count = Mutex(0)
        let engine = ScriptedEngine { _ in
            let index = count.withLock { value in
                defer { value += 1 }
                return value
            }
            if index == 1 { return [.fail(.invalidParameter(name: "logit_bias", message: "not in this vocabulary"))] }
            return [.text(0, "answer \(index)"), .finish(0, .stop)]
        }
        try await TestServer.app(engine: engine).test(.live) { client in
            let port = try #require(client.port)
            let socket = try RawSocket(port: port)
            defer { socket.close() }
            for index in 0..<4 {
                try socket.send(DisconnectTests.request(TestServer.chat()))
                let (head, body) = try await socket.receiveResponse()
                #expect(!head.lowercased().contains("connection: close"), "\(head)")
                if index == 1 {
                    #expect(head.hasPrefix("HTTP/1.1 400"), "\(head)")
                    #expect(body.contains("logit_bias"))
                } else {
                    #expect(head.hasPrefix("HTTP/1.1 200"), "\(head)")
                    #expect(body.contains("answer \(index)"))
                }
            }
            #expect(engine.cancellations == 0)
        }
    }
}

/// A blocking TCP socket with short receive timeouts, to play a client that disappears mid-response.
final class RawSocket: Sendable {
    let fd: Int32

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// - Parameter receiveBuffer: `SO_RCVBUF` set before connecting (a client that can hold only a little).
    init(port: Int, receiveBuffer: Int32? = nil) throws {
        #if canImport(Glibc)
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw Failure(description: "socket() failed") }
        if var size = receiveBuffer { setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size)) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { throw Failure(description: "connect() failed") }
        var timeout = timeval(tv_sec: 0, tv_usec: 20_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var sendTimeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &sendTimeout, socklen_t(MemoryLayout<timeval>.size))
    }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        let sent = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard sent == bytes.count else { throw Failure(description: "send failed") }
    }

    /// Reads until the received text contains `marker` (or 5 s pass).
    func receive(until marker: String) async throws -> String {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                received += buffer[0..<count]
                let text = String(decoding: received, as: UTF8.self)
                if text.contains(marker) { return text }
            } else if count == 0 {
                break
            }
            try await Task.sleep(for: .milliseconds(2))
        }
        throw Failure(description: "did not receive \(marker): \(String(decoding: received, as: UTF8.self))")
    }

    /// Reads one whole response with a `Content-Length` body (`timeout` at most); reads no further.
    func receiveResponse(timeout: Duration = .seconds(5)) async throws -> (head: String, body: String) {
        var received: [UInt8] = []
        var byte = [UInt8](repeating: 0, count: 1)
        let deadline = ContinuousClock.now + timeout
        var headEnd: Int?
        var length = 0
        while ContinuousClock.now < deadline {
            if let headEnd, received.count == headEnd + length {
                return (String(decoding: received[..<headEnd], as: UTF8.self), String(decoding: received[headEnd...], as: UTF8.self))
            }
            let count = byte.withUnsafeMutableBytes { read(fd, $0.baseAddress, 1) }
            if count == 1 {
                received.append(byte[0])
                if headEnd == nil, received.suffix(4) == Array("\r\n\r\n".utf8) {
                    headEnd = received.count
                    let head = String(decoding: received, as: UTF8.self).lowercased()
                    let field = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                    length = field.flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                }
            } else if count == 0 {
                break
            } else {
                try await Task.sleep(for: .milliseconds(2))
            }
        }
        throw Failure(description: "no whole response (connection closed or \(timeout) passed): \(String(decoding: received, as: UTF8.self))")
    }

    /// Reads at most `count` bytes that have arrived (none when none has); false once the server closed the connection.
    func readSome(_ count: Int) -> Bool {
        var buffer = [UInt8](repeating: 0, count: max(1, count))
        let got = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        return got != 0 && !(got < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
    }

    func close() {
        #if canImport(Glibc)
            _ = Glibc.close(fd)
        #else
            _ = Darwin.close(fd)
        #endif
    }
}
