import Logging

extension RemoteEnginePool {
    /// Checks the upstreams' health endpoints concurrently and updates the rotation.
    /// - Returns: how many of the checked upstreams are healthy.
    @discardableResult
    func checkHealth(onlyUnhealthy: Bool = false, excluding excluded: Set<Int> = []) async -> Int {
        let upstreams = await router.upstreams
        let targets = upstreams.indices.filter { !excluded.contains($0) && !(onlyUnhealthy && upstreams[$0].healthy) }
        let results = await withTaskGroup(of: (Int, String?).self) { group in
            for index in targets {
                let endpoint = upstreams[index].endpoint
                let path = upstreams[index].profile.healthPath
                group.addTask { (index, await self.probeHealth(endpoint, path: path)) }
            }
            var results: [(Int, String?)] = []
            for await result in group { results.append(result) }
            return results
        }
        var healthy = 0
        for (index, problem) in results {
            let endpoint = upstreams[index].endpoint.display
            if let problem {
                await tokenCache.forget(upstream: endpoint)
                if await router.markUnhealthy(index, reason: problem) {
                    logger.warning("engine taken out of rotation", metadata: ["engine": "\(endpoint)", "error": "\(problem)"])
                }
            } else {
                healthy += 1
                if await router.markHealthy(index) {
                    logger.notice("engine back in rotation", metadata: ["engine": "\(endpoint)"])
                }
            }
        }
        return healthy
    }

    /// `nil` when the upstream answers 200 on its health endpoint, else what went wrong.
    func probeHealth(_ endpoint: UpstreamEndpoint, path: String) async -> String? {
        let request = UpstreamHTTPRequest(
            method: .get, url: endpoint.url(path), headers: authorizationHeaders, timeout: options.healthCheckTimeout)
        do {
            let response = try await transport.send(request)
            let body = (try? await response.text(limit: 4096)) ?? ""
            if response.status == 200 { return nil }
            return UpstreamFailure.fromBody(.status(response.status), body: body).description
        } catch {
            return String(describing: error)
        }
    }
}
