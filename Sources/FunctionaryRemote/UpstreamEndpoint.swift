/// The address of one upstream server, normalised from what the user typed: `http://host:8000/v1`,
/// `http://host:8000/v1/` and `http://host:8000` all name the same server.
public struct UpstreamEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// The server root without a trailing `/v1` or `/`, e.g. `http://gpu-1:8000` (with credentials, when the URL
    /// had them: requests use it).
    public let root: String
    /// `root` with any `user:password@` replaced by `***@`: what messages, logs and clients see.
    public let display: String

    /// Parses an engine URL.
    /// - Throws: `RemoteEngineError.invalidConfiguration` for anything but an `http`/`https` URL with a host.
    public init(url: String) throws {
        var text = url.trimmingWhitespace()
        let parts = text.split(separator: "://", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw RemoteEngineError.invalidConfiguration(
                "engine URL '\(url)' has no scheme: write it as http://host:port/v1")
        }
        let scheme = parts[0].lowercased()
        guard scheme == "http" || scheme == "https" else {
            throw RemoteEngineError.invalidConfiguration("engine URL '\(url)' must start with http:// or https://")
        }
        if let query = text.firstIndex(where: { $0 == "?" || $0 == "#" }) {
            text = String(text[..<query])
        }
        while text.hasSuffix("/") { text.removeLast() }
        if text.hasSuffix("/v1") { text.removeLast(3) }
        while text.hasSuffix("/") { text.removeLast() }
        let afterScheme = text.dropFirst(parts[0].count + 3)
        let host = afterScheme.split(separator: "/", maxSplits: 1).first ?? ""
        guard !host.isEmpty, !host.hasPrefix(":") else {
            throw RemoteEngineError.invalidConfiguration("engine URL '\(url)' has no host")
        }
        root = scheme + "://" + afterScheme
        display = Self.redacted(root)
    }

    /// `url` without the credentials of its authority (`http://user:secret@host` → `http://***@host`).
    static func redacted(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let authorityEnd = url[schemeEnd.upperBound...].firstIndex(of: "/") ?? url.endIndex
        let authority = url[schemeEnd.upperBound..<authorityEnd]
        guard let at = authority.lastIndex(of: "@") else { return url }
        return String(url[..<schemeEnd.upperBound]) + "***" + String(url[at..<url.endIndex])
    }

    /// `root` + `path` (path starts with `/`).
    func url(_ path: String) -> String { root + path }

    public var description: String { display }
}
