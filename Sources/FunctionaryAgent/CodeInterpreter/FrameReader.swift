import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reading one reply frame (`<length>\n<json>`) on a thread of its own, so that no task of the
/// cooperative pool waits on the pipe.
///
/// The frame is bounded (a cell can write to the reply pipe, so its length is not trusted), and the
/// wait ends when the `ReplyWait` is abandoned (the process was killed), even if a process that left
/// the interpreter keeps the pipe open.
enum FrameReader {
    enum Outcome: Sendable, Equatable {
        case frame([UInt8])
        case closed
        case abandoned
        case failed(String)
    }

    static func next(from fd: Int32, limit: Int, wait: ReplyWait) async -> Outcome {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: read(fd, limit: limit, wait: wait)) }
            thread.name = "functionary-python-reader"
            thread.start()
        }
    }

    static func read(_ fd: Int32, limit: Int, wait: ReplyWait) -> Outcome {
        var header: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            if let stop = waitReadable(fd, wait) { return stop }
            let count = readSome(fd, &byte, 1)
            if count == 0 { return .closed }
            if count < 0 { return .failed(String(cString: strerror(errno))) }
            if byte == UInt8(ascii: "\n") { break }
            header.append(byte)
            if header.count > 20 { return .failed("malformed reply header") }
        }
        guard let length = Int(String(decoding: header, as: UTF8.self)), length >= 0 else {
            return .failed("malformed reply header")
        }
        guard length <= limit else {
            return .failed("a reply frame of \(length) bytes exceeds the limit of \(limit) bytes")
        }
        var body = [UInt8](repeating: 0, count: length)
        var offset = 0
        while offset < length {
            if let stop = waitReadable(fd, wait) { return stop }
            let count = body.withUnsafeMutableBytes { buffer in readSome(fd, buffer.baseAddress! + offset, length - offset) }
            if count == 0 { return .closed }
            if count < 0 { return .failed(String(cString: strerror(errno))) }
            offset += count
        }
        return .frame(body)
    }

    /// Waits until `fd` can be read (data or end of file); `.abandoned` once `wait` is abandoned.
    /// After the interpreter exited, a pipe that stays silent for `exitGrace` counts as closed: a
    /// process that left the interpreter may hold it open forever.
    static func waitReadable(_ fd: Int32, _ wait: ReplyWait) -> Outcome? {
        var exitedAt: ContinuousClock.Instant?
        while true {
            if wait.isAbandoned { return .abandoned }
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, 50)
            if ready > 0 { return nil }
            if ready < 0, errno != EINTR { return .failed(String(cString: strerror(errno))) }
            wait.exit.refresh()
            if wait.exit.status != nil {
                let now = ContinuousClock.now
                if let exitedAt, now - exitedAt > exitGrace { return .closed }
                if exitedAt == nil { exitedAt = now }
            }
        }
    }

    static let exitGrace: Duration = .milliseconds(300)

    /// `read`, retried on EINTR.
    static func readSome(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
        while true {
            #if canImport(Glibc)
                let result = Glibc.read(fd, buffer, count)
            #elseif canImport(Musl)
                let result = Musl.read(fd, buffer, count)
            #else
                let result = Darwin.read(fd, buffer, count)
            #endif
            if result < 0, errno == EINTR { continue }
            return result
        }
    }
}

/// Tells a `FrameReader` to stop waiting: set when the interpreter was killed, whose reply can no
/// longer come (a descendant that escaped the kill may still hold the pipe open, so end of file may not).
final class ReplyWait: Sendable {
    private let abandoned = Mutex(false)
    /// The exit of the process that writes the replies.
    let exit: ExitRecord

    init(exit: ExitRecord) { self.exit = exit }

    var isAbandoned: Bool { abandoned.withLock { $0 } }

    func abandon() {
        abandoned.withLock { $0 = true }
    }
}
