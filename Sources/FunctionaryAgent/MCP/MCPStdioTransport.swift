import Foundation
import Logging
import MCP
import Synchronization
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The stdio transport for MCP servers we start, in place of the SDK's `StdioTransport`, whose reader buffers a line
/// without bound and searches the whole buffer again after every 4 KiB read (a 64 MB line takes minutes and its
/// size several times over in memory).
///
/// Messages are newline-delimited JSON, read 64 KiB at a time on a thread of their own; a message longer than
/// `maxMessageBytes` is not kept: the rest of its line is skipped as it arrives (only its first and last 4 KiB are
/// kept, to find which request it answers), and the pending request gets a JSON-RPC error saying how large the reply
/// was. The stream ends with an error at end of file, so that the client's loop stops.
actor MCPStdioTransport: Transport {
    nonisolated let logger = Logger(label: "functionary.mcp.stdio", factory: { _ in SwiftLogNoOpLogHandler() })
    private let child: MCPChildProcess
    private let maxMessageBytes: Int
    private let stream: AsyncThrowingStream<Data, any Error>
    private let continuation: AsyncThrowingStream<Data, any Error>.Continuation
    private let state: MCPLineReader.Shared
    private var connected = false

    init(child: MCPChildProcess, maxMessageBytes: Int) {
        self.child = child
        self.maxMessageBytes = maxMessageBytes
        let pair = AsyncThrowingStream<Data, any Error>.makeStream()
        stream = pair.stream
        continuation = pair.continuation
        state = MCPLineReader.Shared()
    }

    func connect() async throws {
        guard !connected else { return }
        connected = true
        let reader = MCPLineReader(
            fd: child.fromServer, maxMessageBytes: maxMessageBytes, continuation: continuation, shared: state)
        let thread = Thread { reader.run() }
        thread.name = "functionary.mcp.reader"
        thread.start()
    }

    func disconnect() async {
        guard connected else { return }
        connected = false
        state.stopped.withLock { $0 = true }
        continuation.finish()
    }

    func send(_ data: Data) async throws {
        guard connected else { throw MCPError.transportError(Errno(rawValue: ENOTCONN)) }
        state.remember(requestIn: data)
        var message = data
        message.append(UInt8(ascii: "\n"))
        var offset = 0
        while offset < message.count {
            try Task.checkCancellation()
            let written = message.withUnsafeBytes { bytes in
                write(child.toServer, bytes.baseAddress! + offset, bytes.count - offset)
            }
            if written > 0 {
                offset += written
            } else if written < 0, errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR {
                // The server does not read its stdin right now: wait, without holding a thread.
                guard child.isRunning else { throw MCPError.connectionClosed }
                try await Task.sleep(for: .milliseconds(5))
            } else {
                throw MCPError.transportError(Errno(rawValue: errno))
            }
        }
    }

    nonisolated func receive() -> AsyncThrowingStream<Data, any Error> { stream }
}

/// Reads the server's stdout line by line with bounded memory (see `MCPStdioTransport`).
final class MCPLineReader: Sendable {
    /// State shared with the transport: the stop flag and the ids of the latest requests sent.
    final class Shared: Sendable {
        let stopped = Mutex(false)
        private let recentIDs = Mutex<[String]>([])

        /// Remembers the `id` of an outgoing request (as its JSON text: `"abc"` or `7`), the last 64 of them.
        func remember(requestIn data: Data) {
            guard data.count < 1 << 20,
                let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let id = object["id"]
            else { return }
            let literal: String
            if let text = id as? String {
                guard let encoded = try? JSONSerialization.data(withJSONObject: [text]),
                    let array = String(data: encoded, encoding: .utf8)
                else { return }
                literal = String(array.dropFirst().dropLast())
            } else if let number = id as? NSNumber {
                literal = number.stringValue
            } else {
                return
            }
            recentIDs.withLock { ids in
                ids.append(literal)
                if ids.count > 64 { ids.removeFirst(ids.count - 64) }
            }
        }

        /// The latest remembered id that occurs as `"id":<id>` in one of the given pieces of text.
        func id(in pieces: [Data]) -> String? {
            let ids = recentIDs.withLock { $0 }
            for literal in ids.reversed() {
                for spaced in ["\"id\":\(literal)", "\"id\": \(literal)"] {
                    let needle = Data(spaced.utf8)
                    if pieces.contains(where: { $0.range(of: needle) != nil }) { return literal }
                }
            }
            return nil
        }
    }

    static let keep = 4096
    let fd: Int32
    let maxMessageBytes: Int
    let continuation: AsyncThrowingStream<Data, any Error>.Continuation
    let shared: Shared

    init(fd: Int32, maxMessageBytes: Int, continuation: AsyncThrowingStream<Data, any Error>.Continuation, shared: Shared) {
        self.fd = fd
        self.maxMessageBytes = maxMessageBytes
        self.continuation = continuation
        self.shared = shared
    }

    /// One line being read: kept whole while short enough, else only its size, head and tail.
    struct Line {
        var data = Data()
        var oversized = 0
        var head = Data()
        var tail = Data()

        mutating func append(_ bytes: UnsafeRawBufferPointer, limit: Int) {
            guard !bytes.isEmpty else { return }
            if oversized == 0, data.count + bytes.count <= limit {
                data.append(bytes.assumingMemoryBound(to: UInt8.self))
                return
            }
            if oversized == 0 {
                oversized = data.count
                head = data.prefix(MCPLineReader.keep)
                tail = data.suffix(MCPLineReader.keep)
                data = Data()
                if head.count < MCPLineReader.keep { head.append(contentsOf: bytes.prefix(MCPLineReader.keep - head.count)) }
            }
            oversized += bytes.count
            tail.append(contentsOf: bytes.suffix(MCPLineReader.keep))
            if tail.count > MCPLineReader.keep { tail = Data(tail.suffix(MCPLineReader.keep)) }
        }
    }

    func run() {
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        var line = Line()
        var ending: (any Error)? = MCPError.connectionClosed
        while !shared.stopped.withLock({ $0 }) {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, 200)
            if ready == 0 || (ready < 0 && errno == EINTR) { continue }
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                ending = MCPError.transportError(Errno(rawValue: errno))
                break
            }
            buffer.withUnsafeBytes { raw in
                let bytes = UnsafeRawBufferPointer(rebasing: raw[0..<count])
                var start = 0
                while start < bytes.count, let found = memchr(bytes.baseAddress! + start, 0x0A, bytes.count - start) {
                    let newline = bytes.baseAddress!.distance(to: UnsafeRawPointer(found))
                    line.append(UnsafeRawBufferPointer(rebasing: bytes[start..<newline]), limit: maxMessageBytes)
                    finish(&line)
                    start = newline + 1
                }
                line.append(UnsafeRawBufferPointer(rebasing: bytes[start...]), limit: maxMessageBytes)
            }
        }
        if shared.stopped.withLock({ $0 }) { ending = nil }
        continuation.finish(throwing: ending)
    }

    private func finish(_ line: inout Line) {
        defer { line = Line() }
        if line.oversized > 0 {
            guard let id = shared.id(in: [line.head, line.tail]) else { return }
            let message =
                "the MCP server's reply is \(line.oversized) bytes long, over the limit of \(maxMessageBytes) bytes on one message: not read"
            let error = ["jsonrpc": "2.0", "error": ["code": -32099, "message": message]] as [String: Any]
            guard var json = try? JSONSerialization.data(withJSONObject: error), json.last == UInt8(ascii: "}") else { return }
            json.removeLast()
            json.append(contentsOf: Array(",\"id\":\(id)}".utf8))
            continuation.yield(json)
            return
        }
        var data = line.data
        if data.last == UInt8(ascii: "\r") { data.removeLast() }
        if !data.isEmpty { continuation.yield(data) }
    }
}
