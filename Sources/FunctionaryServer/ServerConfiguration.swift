/// How the OpenAI-compatible server is set up: where it listens, what it calls its model, and the
/// limits it enforces before a request reaches the engine.
public struct ServerConfiguration: Sendable {
    /// The address to bind (`127.0.0.1` by default: local only).
    public var host: String
    /// The port to bind; 0 picks a free one.
    public var port: Int
    /// The names a request's `model` may use; `/v1/models` lists them. The first is the main name. When empty,
    /// the loaded model's `servedNames` are used.
    public var servedModelNames: [String]
    /// When set, every request but `/health` (and `/metrics`, unless `protectMetrics`) must send
    /// `Authorization: Bearer <key>` with this key or one of `apiKeys`.
    public var apiKey: String?
    /// More accepted keys (from `$FUNCTIONARY_API_KEY`, `--api-key-file`); any one of them, or `apiKey`, is accepted.
    public var apiKeys: [String] = []
    /// With API keys, whether `/metrics` needs a key too (`--protect-metrics`; open by default, as in llama.cpp).
    public var protectMetrics = false
    /// `Host` names accepted beyond the listening address (`--allowed-host`): `name` (any port), `name:port`, or `*`
    /// (any Host). See `BrowserGuardMiddleware`.
    public var allowedHosts: [String] = []
    /// Web origins whose pages may call the server (`--allowed-origin`, e.g. `http://localhost:3000`; `*`: any).
    public var allowedOrigins: [String] = []
    /// The limits every request must stay under (`RequestLimits`).
    public var limits = RequestLimits()
    /// Bytes of one streaming response that may wait for a client reading slowly (`--max-stream-buffer`); beyond
    /// that the stream is ended and its generation cancelled.
    public var maxStreamBuffer: Int = 1 << 20
    /// Connection timeouts (`--idle-timeout`, `--header-timeout`, `--body-timeout`, `--write-timeout`).
    public var timeouts = ConnectionTimeouts()
    /// Concurrent generations the engine runs (`--parallel`); also the most choices (`n`) one request may ask for.
    public var parallel: Int
    /// Requests that may wait for a slot beyond `parallel`; more get 429 (`--max-queue`).
    public var maxQueue: Int
    /// The largest request body accepted, in bytes; larger ones get 413.
    public var maxBodySize: Int
    /// Sampling temperature when a request does not set one (the reference server's 0.6).
    public var defaultTemperature: Double
    /// Seconds a client is told to wait (`Retry-After`) after a 429 or a 503.
    public var retryAfterSeconds: Int
    /// After SIGTERM/SIGINT, how long in-flight generations may go on before they are ended (cleanly, with
    /// `finish_reason: "length"`).
    public var shutdownGracePeriod: Duration
    /// Responses kept for `previous_response_id` and `GET /v1/responses/{id}` (`--responses-store-entries`).
    public var responsesStoreEntries: Int = 1000
    /// Bytes those responses may take together (`--responses-store-bytes`); the oldest are evicted first.
    public var responsesStoreBytes: Int = 64 * 1024 * 1024
    /// How long a stored response is kept (`--responses-ttl`, 24 hours by default); older ones are not found.
    public var responsesTTL: Duration = .seconds(86_400)

    public init(
        host: String = "127.0.0.1", port: Int = 8000, servedModelNames: [String], apiKey: String? = nil, parallel: Int = 4,
        maxQueue: Int = 64, maxBodySize: Int = 8 * 1024 * 1024, defaultTemperature: Double = 0.6, retryAfterSeconds: Int = 1,
        shutdownGracePeriod: Duration = .seconds(5)
    ) {
        self.host = host
        self.port = port
        self.servedModelNames = servedModelNames
        self.apiKey = apiKey
        self.parallel = parallel
        self.maxQueue = maxQueue
        self.maxBodySize = maxBodySize
        self.defaultTemperature = defaultTemperature
        self.retryAfterSeconds = retryAfterSeconds
        self.shutdownGracePeriod = shutdownGracePeriod
    }

    /// Every accepted API key (empty: no authentication).
    var acceptedAPIKeys: [String] { ([apiKey].compactMap { $0 } + apiKeys).filter { !$0.isEmpty } }

    /// The most requests in flight (generating or waiting) at once.
    var admissionCapacity: Int { max(1, parallel) + max(0, maxQueue) }
}

/// How long a connection may take or stall before the server closes it, so that clients that connect and send
/// nothing, send a request a byte at a time, or stop reading a stream cannot hold connections or slots forever.
public struct ConnectionTimeouts: Sendable, Hashable {
    /// A connection with no request in progress and nothing read for this long is closed (`--idle-timeout`).
    public var idle: Duration = .seconds(60)
    /// From the connection's start, its first request's headers must have arrived within this (`--header-timeout`).
    public var header: Duration = .seconds(15)
    /// From a request's headers, its whole body must have arrived within this (`--body-timeout`); else the connection is closed.
    public var body: Duration = .seconds(60)
    /// While the server has a response to write, a client that accepts none of it for this long is disconnected
    /// and its generation cancelled (`--write-timeout`).
    public var write: Duration = .seconds(30)

    public init() {}
}
