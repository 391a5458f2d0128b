import Hummingbird
import Synchronization

/// Keeps web pages out of a server that a browser can reach (a keyless `functionary serve` on 127.0.0.1 above all):
///
/// - **Host.** A request whose `Host` names neither the address the server listens on (`127.0.0.1`, `localhost` or
///   `[::1]` with the listening port, or the `--host` address) nor a name given by `--allowed-host` is refused (403),
///   so a DNS-rebinding page (a name of the attacker's that resolves to 127.0.0.1) cannot talk to the server. On a
///   wildcard address (`0.0.0.0`, `::`) the names are unknown: any IP-literal `Host` and `localhost` are accepted on
///   any port (a rebinding page always uses a name), other names only with `--allowed-host`.
/// - **Origin.** A request with an `Origin` that is neither the same origin as its `Host` (`http://` or `https://`)
///   nor listed by `--allowed-origin` is refused (403): a page elsewhere cannot make the server generate or change
///   stored responses, even with requests a browser sends without asking (a form post, `fetch` with `no-cors`).
/// - **Content-Type.** A `POST` must say `Content-Type: application/json` (parameters such as `charset` allowed);
///   anything else is a 415. Browsers send `text/plain`, forms and `no-cors` requests without a preflight, never
///   `application/json`.
///
/// Errors are in OpenAI's shape, or Anthropic's under `/v1/messages`. A request without `Host` (HTTP/1.0) passes the
/// Host check; no browser sends one without it.
struct BrowserGuardMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext
    let policy: HostPolicy

    func handle(
        _ request: Request, context: ServerRequestContext, next: (Request, ServerRequestContext) async throws -> Response
    ) async throws -> Response {
        let anthropic = APIKeyMiddleware.isMessagesAPI(request.uri.path)
        func reject(_ error: OpenAIError) -> Response { anthropic ? AnthropicError(error: error).response : error.response }
        // HTTP/1.1 `Host` arrives as the request's authority.
        let host = request.head.authority
        if let host, !policy.allowsHost(host) {
            return reject(
                OpenAIError(
                    status: .forbidden,
                    message:
                        "The Host header '\(Self.shown(host))' does not name this server; start it with --allowed-host NAME to accept that name.",
                    code: "host_not_allowed"))
        }
        if let origin = request.headers[.origin], !policy.allowsOrigin(origin, host: host) {
            return reject(
                OpenAIError(
                    status: .forbidden,
                    message:
                        "Requests from the origin '\(Self.shown(origin))' are not allowed; start the server with --allowed-origin ORIGIN to allow that web page.",
                    code: "origin_not_allowed"))
        }
        if request.method == .post, !Self.isJSON(request.headers[.contentType]) {
            let got = request.headers[.contentType].map { "'\(Self.shown($0))'" } ?? "none"
            return reject(
                OpenAIError(
                    status: .unsupportedMediaType,
                    message: "The request body must be sent with 'Content-Type: application/json' (got \(got)).",
                    code: "unsupported_media_type"))
        }
        return try await next(request, context)
    }

    /// Whether a `Content-Type` value is `application/json`, with or without parameters.
    static func isJSON(_ value: String?) -> Bool {
        guard let value else { return false }
        let mediaType = value.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return mediaType.trimmingSpaces().lowercased() == "application/json"
    }

    /// A header value as an error message shows it: at most 100 characters.
    static func shown(_ value: String) -> String {
        value.count > 100 ? String(value.prefix(100)) + "…" : value
    }
}

extension Substring {
    func trimmingSpaces() -> Substring {
        var s = self
        while let first = s.first, first == " " || first == "\t" { s.removeFirst() }
        while let last = s.last, last == " " || last == "\t" { s.removeLast() }
        return s
    }
}

/// Which `Host` and `Origin` values the server accepts (`BrowserGuardMiddleware`).
struct HostPolicy: Sendable {
    /// The `--host` address, lowercased (IPv6 without brackets).
    let bindHost: String
    /// `--allowed-host` entries, lowercased: `name` (any port), `name:port`, or `*` (any Host).
    let allowedHosts: [String]
    /// `--allowed-origin` entries, lowercased, without a trailing `/`; `*` allows any origin.
    let allowedOrigins: [String]
    /// The port the server listens on, once known (`--port 0` picks one at bind time); nil accepts any port.
    let listeningPort: ListeningPort

    init(bindHost: String, allowedHosts: [String], allowedOrigins: [String], listeningPort: ListeningPort) {
        var host = bindHost.lowercased()
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.bindHost = host
        self.allowedHosts = allowedHosts.map { $0.lowercased() }
        self.allowedOrigins = allowedOrigins.map { origin in
            var origin = origin.lowercased()
            while origin.hasSuffix("/") { origin.removeLast() }
            return origin
        }
        self.listeningPort = listeningPort
    }

    static let loopbackNames: Set<String> = ["127.0.0.1", "localhost", "::1"]

    /// Whether the server listens on every address.
    var isWildcard: Bool { ["0.0.0.0", "::", "", "*", "0:0:0:0:0:0:0:0"].contains(bindHost) }

    /// Whether a `Host` value names this server.
    func allowsHost(_ value: String) -> Bool {
        if allowedHosts.contains("*") { return true }
        guard let (name, port) = Self.split(value.lowercased()) else { return false }
        for entry in allowedHosts {
            if entry == name || entry == "[\(name)]" { return true }
            if let (entryName, entryPort) = Self.split(entry), entryPort != nil, entryName == name, entryPort == port { return true }
        }
        if isWildcard {
            return Self.loopbackNames.contains(name) || Self.isIPLiteral(name)
        }
        guard Self.loopbackNames.contains(name) || name == bindHost else { return false }
        // Without a port (tools that omit it), a loopback name is still this machine; a page's request always has one.
        guard let port else { return Self.loopbackNames.contains(name) || (listeningPort.value ?? 80) == 80 }
        guard let listening = listeningPort.value else { return true }
        return port == listening
    }

    /// Whether an `Origin` is the same origin as `host` or allowed by `--allowed-origin`.
    func allowsOrigin(_ value: String, host: String?) -> Bool {
        var origin = value.lowercased()
        while origin.hasSuffix("/") { origin.removeLast() }
        if allowedOrigins.contains("*") || allowedOrigins.contains(origin) { return true }
        guard let host = host?.lowercased() else { return false }
        return origin == "http://" + host || origin == "https://" + host
    }

    /// A `Host` value as its name (IPv6 without brackets, a trailing dot dropped) and port; nil when malformed.
    static func split(_ value: String) -> (name: String, port: Int?)? {
        var name: Substring
        var rest: Substring
        if value.hasPrefix("[") {
            guard let close = value.firstIndex(of: "]") else { return nil }
            name = value[value.index(after: value.startIndex)..<close]
            rest = value[value.index(after: close)...]
        } else if let colon = value.firstIndex(of: ":") {
            name = value[..<colon]
            rest = value[colon...]
        } else {
            name = value[...]
            rest = ""
        }
        if name.hasSuffix(".") { name = name.dropLast() }
        guard !name.isEmpty else { return nil }
        if rest.isEmpty { return (String(name), nil) }
        guard rest.first == ":", let port = Int(rest.dropFirst()), (0...65535).contains(port) else { return nil }
        return (String(name), port)
    }

    /// A dotted IPv4 address or an IPv6 address (hex digits, colons and dots).
    static func isIPLiteral(_ name: String) -> Bool {
        if name.contains(":") { return name.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." } }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4
            && parts.allSatisfy { part in
                !part.isEmpty && part.count <= 3 && part.allSatisfy { $0 >= "0" && $0 <= "9" } && Int(part).map { $0 <= 255 } == true
            }
    }
}

/// The port the server listens on, learnt once it is bound.
final class ListeningPort: Sendable {
    private let port = Mutex<Int?>(nil)

    init(_ port: Int?) {
        self.port.withLock { $0 = port }
    }

    var value: Int? { port.withLock { $0 } }

    func set(_ value: Int) { port.withLock { $0 = value } }
}
