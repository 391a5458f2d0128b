/// Who a request belongs to: each API key is a tenant, and a server without keys is one tenant.
///
/// A tenant's id is derived from its key (a SHA-256 prefix, never the key itself), so it can go into logs, the
/// engine's prompt-cache partition (`GenerationRequest.cachePartition`) and the responses store without revealing
/// the key. Stored responses and cached prompt cells are visible only within their tenant.
enum Tenant {
    /// The tenant of a server started without API keys (and of the open routes).
    static let keyless = "local"

    /// The tenant id of `key`: `key-` and the first 16 hex digits (64 bits) of its SHA-256.
    static func id(forKey key: [UInt8]) -> String {
        "key-" + SHA256.hex(key).prefix(16)
    }
}
