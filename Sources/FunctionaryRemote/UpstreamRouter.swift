import FunctionaryProtocol

/// The pool's shared state: which upstreams are healthy, how many requests each has in flight, and
/// which prompt prefixes each holds. Decides where each request goes.
actor UpstreamRouter {
    struct Upstream: Sendable {
        let endpoint: UpstreamEndpoint
        var profile: UpstreamProfile
        var healthy: Bool
        var inFlight = 0
        var served = 0
        var failures = 0
        var lastError: String?
    }

    /// One request's claim on an upstream; give it back with `release`.
    struct Lease: Sendable {
        let index: Int
        let endpoint: UpstreamEndpoint
        let profile: UpstreamProfile
        /// Prompt blocks the upstream already had (0: routed by load).
        let matchedBlocks: Int
    }

    private(set) var upstreams: [Upstream]
    private var affinity: PrefixAffinity
    private let defaultCapacity: Int
    private var nextStart = 0

    init(upstreams: [(UpstreamEndpoint, UpstreamProfile, healthy: Bool)], options: RemoteEngineOptions) {
        self.upstreams = upstreams.map { Upstream(endpoint: $0.0, profile: $0.1, healthy: $0.healthy) }
        affinity = PrefixAffinity(upstreams: upstreams.count, options: options.affinity)
        defaultCapacity = max(options.maxInFlightPerUpstream, 1)
    }

    /// Picks an upstream for a prompt with these block hashes: the one that holds the longest cached
    /// prefix, when the match is significant and that upstream is not much busier than the least busy
    /// one; otherwise the least busy (ties rotate). `nil` when no healthy upstream is left.
    func acquire(hashes: [UInt64], promptBytes: Int, excluding excluded: Set<Int>) -> Lease? {
        let candidates = upstreams.indices.filter { upstreams[$0].healthy && !excluded.contains($0) }
        guard let leastLoad = candidates.map({ upstreams[$0].inFlight }).min() else { return nil }
        var chosen: Int? = nil
        var matched = 0
        if affinity.options.enabled, !hashes.isEmpty {
            var best: (index: Int, blocks: Int)? = nil
            for index in candidates {
                let blocks = affinity.matchedBlocks(hashes, upstream: index)
                guard blocks > 0 else { continue }
                if let current = best,
                    blocks < current.blocks || (blocks == current.blocks && upstreams[index].inFlight >= upstreams[current.index].inFlight)
                {
                    continue
                }
                best = (index, blocks)
            }
            if let best, affinity.isSignificant(blocks: best.blocks, promptBytes: promptBytes) {
                let load = upstreams[best.index].inFlight
                if load <= leastLoad + affinity.options.maximumImbalance && load < capacity(best.index) {
                    chosen = best.index
                    matched = best.blocks
                }
            }
        }
        if chosen == nil {
            let idle = candidates.filter { upstreams[$0].inFlight == leastLoad }
            chosen = idle.min { rotated($0) < rotated($1) }
            if let chosen { nextStart = (chosen + 1) % max(upstreams.count, 1) }
        }
        guard let index = chosen else { return nil }
        upstreams[index].inFlight += 1
        upstreams[index].served += 1
        affinity.record(hashes, upstream: index)
        return Lease(index: index, endpoint: upstreams[index].endpoint, profile: upstreams[index].profile, matchedBlocks: matched)
    }

    /// Ends a request; the text it produced (prompt plus completion) is recorded as cached there.
    func release(_ lease: Lease, cachedHashes: [UInt64] = []) {
        guard upstreams.indices.contains(lease.index) else { return }
        upstreams[lease.index].inFlight = max(0, upstreams[lease.index].inFlight - 1)
        if !cachedHashes.isEmpty, upstreams[lease.index].healthy {
            affinity.record(cachedHashes, upstream: lease.index)
        }
    }

    /// Takes an upstream out of rotation. Returns `true` when it was healthy until now.
    @discardableResult
    func markUnhealthy(_ index: Int, reason: String) -> Bool {
        guard upstreams.indices.contains(index) else { return false }
        let wasHealthy = upstreams[index].healthy
        upstreams[index].healthy = false
        upstreams[index].failures += 1
        upstreams[index].lastError = reason
        affinity.forget(upstream: index)
        return wasHealthy
    }

    /// Puts an upstream back. Returns `true` when it was unhealthy until now.
    @discardableResult
    func markHealthy(_ index: Int) -> Bool {
        guard upstreams.indices.contains(index) else { return false }
        let wasUnhealthy = !upstreams[index].healthy
        upstreams[index].healthy = true
        return wasUnhealthy
    }

    func stats() -> EngineStats {
        let active = upstreams.reduce(0) { $0 + $1.inFlight }
        let total = upstreams.indices.reduce(0) { $0 + (upstreams[$1].healthy ? capacity($1) : 0) }
        return EngineStats(activeSlots: active, totalSlots: total, queuedRequests: 0)
    }

    func statuses() -> [RemoteUpstreamStatus] {
        upstreams.indices.map { index in
            let upstream = upstreams[index]
            return RemoteUpstreamStatus(
                url: upstream.endpoint.display, kind: upstream.profile.kind, healthy: upstream.healthy, inFlight: upstream.inFlight,
                served: upstream.served, cachedBlocks: affinity.blockCount(upstream: index), lastError: upstream.lastError)
        }
    }

    private func capacity(_ index: Int) -> Int {
        upstreams[index].profile.slots.map { max($0, 1) } ?? defaultCapacity
    }

    /// Position of `index` counted from the rotation start, for fair tie-breaking.
    private func rotated(_ index: Int) -> Int {
        (index - nextStart + upstreams.count) % max(upstreams.count, 1)
    }
}

/// One upstream as `RemoteEnginePool.statuses()` reports it.
public struct RemoteUpstreamStatus: Sendable, Hashable {
    public let url: String
    public let kind: RemoteEngineKind
    public let healthy: Bool
    public let inFlight: Int
    /// Requests routed there since start.
    public let served: Int
    /// Prompt blocks the pool believes it holds in cache.
    public let cachedBlocks: Int
    public let lastError: String?
}
