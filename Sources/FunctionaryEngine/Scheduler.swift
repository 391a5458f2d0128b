import CLlama
import Dispatch
import Foundation
import FunctionaryProtocol
import Synchronization

/// Owns the llama.cpp context and runs the decode loop on one dedicated thread (decoding blocks,
/// so it cannot run on Swift's cooperative pool). Requests come in through a locked queue; up to
/// `parallel` sequences decode together, one `llama_decode` per step with one token per generating
/// sequence plus chunks of prompts being evaluated; new requests join between steps.
///
/// `@unchecked Sendable`: the decode-thread state (`slots`, `active`, `batch`, `context`, `tick`)
/// is touched only by the decode thread, which `init` starts and `shutdown` joins; what other
/// threads touch is in `shared` (a `Mutex`), the semaphores, or immutable.
final class Scheduler: @unchecked Sendable {
    struct Shared {
        var queue: [PendingJob] = []
        var cancelled: Set<UInt64> = []
        var stopping = false
        var activeSlots = 0
        var hostCacheBytes = 0
    }

    let model: LlamaModel
    let contextSize: Int
    let parallel: Int
    let maxQueue: Int
    let batchCapacity: Int
    /// What a grammar may cost each choice (time per token and in all).
    let grammarBudget: GrammarBudget
    /// Prompts are evaluated in chunks that end at multiples of this (one chunk per prompt and step), and a
    /// seeded request reuses the cache only up to such a multiple, from cells that were computed by a decode
    /// holding nothing but their own chunk. So every prompt cell a seeded request uses was computed from the same
    /// batch as in a fresh context, and the same seeded request gives the same output whatever the cache held
    /// (while it runs alone: other sequences in a decode change how llama.cpp splits the batch).
    let promptChunk: Int

    private let shared = Mutex(Shared())
    private let wake = DispatchSemaphore(value: 0)
    private let exited = DispatchSemaphore(value: 0)
    private let joined = Mutex(false)

    // Decode-thread state.
    let context: OpaquePointer
    /// Held so that the adapters are freed after the context that uses them (the context is freed in deinit).
    private let adapters: [LoadedLoraAdapter]
    var slots: [Slot]
    var active: [ActiveJob] = []
    var batch: llama_batch
    var tick: UInt64 = 0
    /// Slot states saved to host memory when their cells were dropped (`EngineConfiguration.hostCacheBytes`).
    var hostCache: HostPromptCache

    /// Creates the context (KV cache of `contextSize` per sequence) and starts the decode thread.
    init(model: LlamaModel, configuration: EngineConfiguration, contextSize: Int, adapters: [LoadedLoraAdapter] = []) throws(EngineError) {
        self.model = model
        self.contextSize = contextSize
        self.parallel = configuration.parallel
        self.maxQueue = configuration.maxQueue
        self.batchCapacity = configuration.batchSize
        self.grammarBudget = GrammarBudget(perToken: configuration.grammarTimePerToken, perRequest: configuration.grammarTimePerRequest)
        self.promptChunk = min(max(32, min(256, configuration.batchSize / 2)), configuration.batchSize)
        self.hostCache = HostPromptCache(budget: configuration.hostCacheBytes)

        var params = llama_context_default_params()
        params.n_ctx = UInt32(contextSize * configuration.parallel)
        params.n_batch = UInt32(configuration.batchSize)
        params.n_ubatch = UInt32(min(configuration.batchSize, 512))
        params.n_seq_max = UInt32(configuration.parallel)
        params.n_threads = Int32(configuration.resolvedThreads)
        params.n_threads_batch = Int32(configuration.resolvedThreads)
        // One KV stream per sequence: attention only over the sequence's own cells.
        params.kv_unified = false
        // Keep sliding-window layers' whole history, so that a cached prefix can always be reused.
        params.swa_full = true
        params.no_perf = true
        _ = LlamaLog.shared.takeRecentProblems()
        guard let context = llama_init_from_model(model.pointer, params) else {
            let details = LlamaLog.shared.takeRecentProblems().suffix(3).joined(separator: "; ")
            throw EngineError(
                .contextFailed,
                "llama.cpp could not create a context of \(contextSize) tokens × \(configuration.parallel) sequences"
                    + (details.isEmpty ? "" : ": \(details)"))
        }
        guard Int(llama_n_ctx_seq(context)) >= contextSize else {
            llama_free(context)
            throw EngineError(.contextFailed, "llama.cpp gave a context of \(llama_n_ctx_seq(context)) tokens per sequence")
        }
        if !adapters.isEmpty {
            var pointers: [OpaquePointer?] = adapters.map(\.pointer)
            var scales = adapters.map(\.spec.scale)
            let status = llama_set_adapters_lora(context, &pointers, pointers.count, &scales)
            guard status == 0 else {
                llama_free(context)
                throw EngineError(.adapterLoadFailed, "llama.cpp could not set the LoRA adapters on the context (status \(status))")
            }
        }
        self.context = context
        self.adapters = adapters
        self.batch = llama_batch_init(Int32(configuration.batchSize), 0, 1)
        self.slots = (0..<configuration.parallel).map { i in
            Slot(
                sequence: llama_seq_id(i),
                candidates: UnsafeMutableBufferPointer<llama_token_data>.allocate(capacity: model.vocabularySize))
        }
        let thread = Thread { [self] in
            self.run()
        }
        thread.name = "functionary-decode"
        thread.stackSize = 8 << 20
        thread.start()
    }

    deinit {
        llama_batch_free(batch)
        for slot in slots { slot.candidates.deallocate() }
        llama_free(context)
    }

    // MARK: - Called from any thread

    /// Queues a job.
    /// - Throws: `GenerationError.queueFull` when `maxQueue` jobs are already waiting for a slot, or
    ///   `.unavailable` after shutdown.
    func submit(_ job: PendingJob) throws(GenerationError) {
        let result: GenerationError? = shared.withLock { state in
            if state.stopping { return .unavailable("the engine has been shut down") }
            // Requests that free slots will take at once do not count as waiting.
            let free = max(0, parallel - state.activeSlots)
            if state.queue.count >= maxQueue + free { return .queueFull(limit: maxQueue) }
            state.queue.append(job)
            return nil
        }
        if let result { throw result }
        wake.signal()
    }

    /// Cancels a job: a waiting one is dropped at once, a running one stops before the next step.
    func cancel(_ id: UInt64) {
        let dropped: PendingJob? = shared.withLock { state in
            if let index = state.queue.firstIndex(where: { $0.id == id }) {
                return state.queue.remove(at: index)
            }
            state.cancelled.insert(id)
            return nil
        }
        dropped?.continuation.finish(throwing: GenerationError.cancelled)
        wake.signal()
    }

    func stats() -> EngineStats {
        shared.withLock {
            EngineStats(
                activeSlots: $0.activeSlots, totalSlots: parallel, queuedRequests: $0.queue.count, hostCacheBytes: $0.hostCacheBytes)
        }
    }

    /// Stops the decode thread, failing waiting and running requests; returns when it has stopped.
    func shutdown() {
        shared.withLock { $0.stopping = true }
        wake.signal()
        let mustWait = joined.withLock { joined in
            defer { joined = true }
            return !joined
        }
        if mustWait { exited.wait() }
    }

    // MARK: - Decode thread

    private func run() {
        while true {
            let free = slots.reduce(0) { $0 + ($1.busy ? 0 : 1) }
            let (jobs, cancelled, stopping) = shared.withLock { state -> ([PendingJob], Set<UInt64>, Bool) in
                var taken: [PendingJob] = []
                var remaining = free
                while !state.stopping, let first = state.queue.first, first.choiceCount <= remaining {
                    taken.append(state.queue.removeFirst())
                    remaining -= first.choiceCount
                }
                let cancelled = state.cancelled
                state.cancelled.removeAll()
                return (taken, cancelled, state.stopping)
            }
            if stopping {
                stopAll()
                break
            }
            for job in jobs { admit(job) }
            if !cancelled.isEmpty { cancelJobs(cancelled) }
            publishActiveSlots()
            if active.isEmpty {
                wake.wait()
                continue
            }
            step()
            finishCompletedJobs()
        }
        exited.signal()
    }

    func publishActiveSlots() {
        let busy = slots.reduce(0) { $0 + ($1.busy ? 1 : 0) }
        shared.withLock { $0.activeSlots = busy }
    }

    func publishHostCacheBytes() {
        let bytes = hostCache.bytes
        shared.withLock { $0.hostCacheBytes = bytes }
    }

    private func cancelJobs(_ ids: Set<UInt64>) {
        for job in active where ids.contains(job.pending.id) {
            end(job, error: .cancelled)
        }
    }

    private func stopAll() {
        let waiting = shared.withLock { state in
            defer { state.queue.removeAll() }
            return state.queue
        }
        for job in waiting { job.continuation.finish(throwing: GenerationError.unavailable("the engine has been shut down")) }
        for job in active { end(job, error: .unavailable("the engine has been shut down")) }
        publishActiveSlots()
    }

    /// Ends a job with an error and frees its slots.
    func end(_ job: ActiveJob, error: GenerationError) {
        for choice in job.choices { choice.finished = true }
        job.pending.continuation.finish(throwing: error)
        release(job)
    }

    /// Frees a job's slots (their caches stay for later requests) and forgets the job.
    func release(_ job: ActiveJob) {
        tick += 1
        for choice in job.choices {
            slots[choice.slot].busy = false
            slots[choice.slot].lastUsed = tick
        }
        active.removeAll { $0 === job }
    }
}
