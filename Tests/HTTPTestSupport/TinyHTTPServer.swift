import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A one-thread HTTP/1.1 server on a free loopback port for tests of HTTP clients (the agent's HTTPBackend, the
/// remote engines' transport): each connection gets
/// the scripted reply (pieces written with pauses, then the connection closes). Requests are recorded.
public final class TinyHTTPServer: @unchecked Sendable {
    // @unchecked Sendable: `received` is only touched under `lock`; `listener` and `port` are set once in init.
    public struct Piece: Sendable {
        public var bytes: [UInt8]
        public var pauseBefore: Double = 0

        public init(bytes: [UInt8], pauseBefore: Double = 0) {
            self.bytes = bytes
            self.pauseBefore = pauseBefore
        }
    }

    private let lock = NSLock()
    private var received: [String] = []
    private let listener: Int32
    public let port: Int
    let reply: @Sendable (String) -> [Piece]

    public init(reply: @escaping @Sendable (String) -> [Piece]) throws {
        self.reply = reply
        #if canImport(Glibc)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    public var url: String { "http://127.0.0.1:\(port)/v1" }

    public var requests: [String] {
        lock.lock()
        defer { lock.unlock() }
        return received
    }

    public func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func serve() {
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 { return }
            let request = readRequest(connection)
            lock.lock()
            received.append(request)
            lock.unlock()
            for piece in reply(request) {
                if piece.pauseBefore > 0 { Thread.sleep(forTimeInterval: piece.pauseBefore) }
                piece.bytes.withUnsafeBytes { buffer in
                    #if canImport(Glibc)
                        _ = send(connection, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL))
                    #else
                        _ = write(connection, buffer.baseAddress, buffer.count)
                    #endif
                }
            }
            close(connection)
        }
    }

    /// Reads the head and a `Content-Length` body.
    private func readRequest(_ fd: Int32) -> String {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            data += buffer[0..<count]
            let text = String(decoding: data, as: UTF8.self)
            guard let headEnd = text.range(of: "\r\n\r\n") else { continue }
            let head = text[..<headEnd.lowerBound].lowercased()
            let length =
                head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
            if text.utf8.count - text[..<headEnd.upperBound].utf8.count >= length { break }
        }
        return String(decoding: data, as: UTF8.self)
    }

    public static func head(status: String = "200 OK", contentType: String = "text/event-stream", length: Int? = nil) -> Piece {
        var text = "HTTP/1.1 \(status)\r\nContent-Type: \(contentType)\r\nConnection: close\r\n"
        if let length { text += "Content-Length: \(length)\r\n" }
        return Piece(bytes: Array((text + "\r\n").utf8))
    }

    public static func piece(_ text: String, pause: Double = 0) -> Piece { Piece(bytes: Array(text.utf8), pauseBefore: pause) }
}
