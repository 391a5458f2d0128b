import FunctionaryProtocol
import Prometheus

/// The server's Prometheus metrics (`GET /metrics`). Each application has its own registry, so tests
/// running several servers in one process do not mix their numbers.
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()

    private let promptTokens: Counter
    private let completionTokens: Counter
    private let cachedPromptTokens: Counter
    private let copiedPromptTokens: Counter
    private let restoredPromptTokens: Counter
    private let draftedTokens: Counter
    private let acceptedDraftTokens: Counter
    private let timeToFirstToken: DurationHistogram
    private let requestDuration: DurationHistogram
    private let activeSlots: Gauge
    private let totalSlots: Gauge
    private let queueDepth: Gauge
    private let inFlight: Gauge
    private let slowReaders: Counter
    private let hostCacheBytes: Gauge

    static let namespace = "functionary"
    static let latencyBuckets: [Duration] = [
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30), .seconds(60), .seconds(120),
    ]

    init() {
        func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
            MetricNameDescriptor(namespace: Self.namespace, metricName: metric, unitName: unit, helpText: help)
        }
        let registry = self.registry
        func counter(_ metric: String, _ help: String) -> Counter { registry.makeCounter(descriptor: name(metric, "total", help)) }
        promptTokens = counter("prompt_tokens", "Prompt tokens of finished requests.")
        completionTokens = counter("completion_tokens", "Generated tokens.")
        cachedPromptTokens = counter("prompt_cache_hit_tokens", "Prompt tokens reused from the prompt cache.")
        copiedPromptTokens = counter(
            "prompt_cache_shared_prefix_tokens",
            "Prompt cache hits copied from another slot holding the same prefix (counted in prompt_cache_hit_tokens too).")
        restoredPromptTokens = counter(
            "prompt_cache_host_restored_tokens",
            "Prompt cache hits restored from a prompt state saved in host memory (--cache-ram; counted in prompt_cache_hit_tokens too).")
        draftedTokens = counter(
            "speculation_drafted_tokens", "Tokens drafted by speculative decoding (--speculation lookup) and verified.")
        acceptedDraftTokens = counter(
            "speculation_accepted_tokens",
            "Drafted tokens the model agreed with (each a decode step saved; counted in speculation_drafted_tokens too).")
        timeToFirstToken = registry.makeDurationHistogram(
            descriptor: name("time_to_first_token", "seconds", "Time from request to first generated text."),
            buckets: Self.latencyBuckets)
        requestDuration = registry.makeDurationHistogram(
            descriptor: name("request_duration", "seconds", "Time from request to the end of its response."),
            buckets: Self.latencyBuckets)
        activeSlots = registry.makeGauge(descriptor: name("active_slots", "", "Slots generating or evaluating a prompt."))
        totalSlots = registry.makeGauge(descriptor: name("slots", "", "Slots of the engine (--parallel)."))
        queueDepth = registry.makeGauge(descriptor: name("queue_depth", "", "Requests waiting for a slot."))
        inFlight = registry.makeGauge(descriptor: name("requests_in_flight", "", "Generation requests admitted and not finished."))
        slowReaders = counter("slow_reader_disconnects", "Streams ended because the client fell --max-stream-buffer bytes behind.")
        hostCacheBytes = registry.makeGauge(
            descriptor: name("prompt_cache_host", "bytes", "Bytes of prompt states kept in host memory (--cache-ram)."))
    }

    /// Counts a stream ended because its client read too slowly.
    func recordSlowReader() { slowReaders.increment() }

    /// Counts a finished request by endpoint and HTTP status.
    func recordRequest(endpoint: String, status: Int, duration: Duration) {
        registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: Self.namespace, metricName: "requests", unitName: "total", helpText: "HTTP requests by endpoint and status."),
            labels: [("endpoint", endpoint), ("status", String(status))]
        ).increment()
        if endpoint == "/v1/chat/completions" || endpoint == "/v1/completions" { requestDuration.record(duration) }
    }

    func recordUsage(_ usage: GenerationUsage) {
        // Counters trap on a negative increment: whatever an engine reports, count only what can be counted.
        promptTokens.increment(by: Int64(max(0, usage.promptTokens)))
        completionTokens.increment(by: Int64(max(0, usage.completionTokens)))
        cachedPromptTokens.increment(by: Int64(max(0, usage.cachedPromptTokens)))
        copiedPromptTokens.increment(by: Int64(max(0, min(usage.copiedPromptTokens, usage.cachedPromptTokens))))
        restoredPromptTokens.increment(by: Int64(max(0, min(usage.restoredPromptTokens, usage.cachedPromptTokens))))
        draftedTokens.increment(by: Int64(max(0, usage.draftedTokens)))
        acceptedDraftTokens.increment(by: Int64(max(0, min(usage.acceptedDraftTokens, usage.draftedTokens))))
    }

    func recordTimeToFirstToken(_ duration: Duration) {
        timeToFirstToken.record(duration)
    }

    /// Sets the load gauges (at scrape time).
    func recordLoad(_ stats: EngineStats, inFlight requests: Int) {
        activeSlots.set(Double(stats.activeSlots))
        totalSlots.set(Double(stats.totalSlots))
        queueDepth.set(Double(stats.queuedRequests))
        inFlight.set(Double(requests))
        hostCacheBytes.set(Double(max(0, stats.hostCacheBytes)))
    }

    /// The Prometheus text exposition.
    func render() -> String {
        registry.emitToString()
    }
}
