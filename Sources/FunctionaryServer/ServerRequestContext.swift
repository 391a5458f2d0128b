import Hummingbird
import NIOCore
import Synchronization

/// The request context of the server's routes: Hummingbird's core storage plus a record the handler fills
/// (token counts, the id of the completion) for the request log line and the metrics.
public struct ServerRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Shared with the middleware that writes the log line.
    let record: RequestRecord
    /// The connection the request came on (to learn when its client leaves).
    let channel: any Channel
    /// The tenant the request belongs to (`Tenant`): set by `APIKeyMiddleware` from the key that authenticated it,
    /// `Tenant.keyless` on a server without keys.
    var tenant: String = Tenant.keyless

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        record = RequestRecord()
        channel = source.channel
    }
}

/// What a handler learns about its request, read when the response has been written.
final class RequestRecord: Sendable {
    struct Values: Sendable {
        var id: String = RequestRecord.makeID()
        var promptTokens: Int?
        var completionTokens: Int?
        var cachedPromptTokens: Int?
        /// Set when the response's status differs from what the log should say (a stream the client left: 499).
        var statusOverride: Int?
    }

    private let values = Mutex(Values())

    /// A fresh 24-hex-digit id (the suffix of `chatcmpl-…` ids).
    static func makeID() -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef")
        return String((0..<24).map { _ in digits[Int(generator.next() % 16)] })
    }

    var id: String { values.withLock { $0.id } }

    var snapshot: Values { values.withLock { $0 } }

    func update(_ body: (inout Values) -> Void) {
        values.withLock { body(&$0) }
    }
}
