import CLlama
import Foundation

/// Folds LoRA adapters into a copy of the model's weights, once, so that decoding pays nothing for them.
///
/// llama.cpp applies an adapter unmerged: every adapted projection gains two small products and an add per token
/// (on the default model, 126 projections, about 380 graph nodes for a 15 ms token), and the default model decoded
/// at 0.83× with its adapter. A merged copy decodes like the model alone. The copy is a GGUF file written next to
/// the model cache (`${FUNCTIONARY_HOME}/models/merged/`), named by a fingerprint of the model file, the adapters'
/// bytes and their scales, and reused by every later start.
///
/// Each adapted weight is dequantized to float, gets `scale × alpha / rank × B·A` added, and is stored as Q8_0
/// (or in its own type when that is already a float type): re-quantizing to the model's 4- or 5-bit type would
/// round most of the small update away. The other tensors are copied unchanged, so only the adapted projections
/// grow (the default model's file goes from 253 to 292 MB) and Q8_0's cheaper dot products keep the speed.
///
/// Hand-written over ggml's GGUF and quantization C API: llama.cpp's `export-lora` tool does the same offline,
/// but writes F16 and is a separate program, not a library call.
enum LoraMerger {
    /// Bumped when the merged file's contents would change for the same inputs.
    static let formatVersion = 2

    enum Failure: Error {
        /// The adapter cannot be folded in (a layout this merger does not handle); apply it at runtime instead.
        case unsupported(String)
        /// The adapter does not fit the model: the same error the runtime path gives.
        case mismatch(String)
        /// Reading or writing failed.
        case io(String)
    }

    /// The metadata key that records what went into a merged copy: its fingerprint (`fingerprint(model:adapters:)`).
    static let fingerprintKey = "functionary.merged_lora_fingerprint"

    /// The merged copy's path for `model` with `adapters` (scale 0 ones already dropped), creating it when it is
    /// not there yet. A file at that path is reused only when its embedded fingerprint is the expected one (else it
    /// is written again); partial files of merges that were killed are removed.
    static func mergedModel(model: String, adapters: [LoraAdapterSpec], cacheFolder: String) throws(Failure) -> String {
        let key = try fingerprint(model: model, adapters: adapters)
        var base = URL(fileURLWithPath: model).lastPathComponent
        if base.lowercased().hasSuffix(".gguf") { base.removeLast(5) }
        let folder = URL(fileURLWithPath: cacheFolder)
        let target = folder.appendingPathComponent("\(base)+lora-\(key).gguf").path
        removeStalePartials(in: folder.path)
        if FileManager.default.fileExists(atPath: target) {
            if embeddedFingerprint(target) == key { return target }
            unlink(target)  // not what its name says (an older format, a damaged or foreign file): merge again
        }
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw .io("cannot create \(folder.path): \(error.localizedDescription)")
        }
        // Written beside the target and renamed, so that a concurrent start never loads a half-written file.
        let partial = target + ".partial-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { unlink(partial) }
        try write(model: model, adapters: adapters, fingerprint: key, to: partial)
        guard rename(partial, target) == 0 else { throw .io("cannot rename \(partial): \(String(cString: strerror(errno)))") }
        return target
    }

    /// The fingerprint a merged copy records, or nil when it has none (or is not a GGUF file).
    static func embeddedFingerprint(_ path: String) -> String? {
        var context: OpaquePointer? = nil
        let gguf = withUnsafeMutablePointer(to: &context) { pointer in
            gguf_init_from_file(path, gguf_init_params(no_alloc: true, ctx: pointer))
        }
        guard let gguf else { return nil }
        defer {
            if let context { ggml_free(context) }
            gguf_free(gguf)
        }
        let index = gguf_find_key(gguf, fingerprintKey)
        guard index >= 0, gguf_get_kv_type(gguf, index) == GGUF_TYPE_STRING else { return nil }
        return String(cString: gguf_get_val_str(gguf, index))
    }

    /// Removes `*.partial-<pid>-*` files left by merges whose process is gone (killed while writing), and any
    /// older than a day.
    static func removeStalePartials(in folder: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        for name in names {
            guard let range = name.range(of: ".gguf.partial-") else { continue }
            let path = folder + "/" + name
            let pid = name[range.upperBound...].split(separator: "-").first.flatMap { pid_t($0) } ?? 0
            let gone = pid <= 0 || (kill(pid, 0) != 0 && errno == ESRCH)
            var info = stat()
            let old = stat(path, &info) == 0 && time(nil) - info.st_mtim.tv_sec > 86_400
            if gone || old { unlink(path) }
        }
    }

    /// FNV-1a over the merger's version; the model file's size, modification time and first MiB (its header and
    /// metadata: architecture, tokenizer, tensor table); and each adapter's bytes (its content) and scale. The model
    /// is not read whole: it is large, and a changed file shows in its stamp or header.
    static func fingerprint(model: String, adapters: [LoraAdapterSpec]) throws(Failure) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
            for byte in bytes {
                hash ^= UInt64(byte)
                hash &*= 0x0000_0100_0000_01b3
            }
        }
        func mix(_ data: Data) {
            data.withUnsafeBytes { raw in mix(raw.bindMemory(to: UInt8.self)) }
        }
        mix("v\(formatVersion)|".utf8)
        var info = stat()
        guard stat(model, &info) == 0 else { throw .io("cannot stat \(model): \(String(cString: strerror(errno)))") }
        mix("\(info.st_size)|\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)|".utf8)
        guard let handle = FileHandle(forReadingAtPath: model) else { throw .io("cannot read \(model)") }
        let header = (try? handle.read(upToCount: 1 << 20)) ?? nil
        try? handle.close()
        guard let header else { throw .io("cannot read \(model)") }
        mix(header)
        mix("|".utf8)
        for adapter in adapters {
            guard let data = FileManager.default.contents(atPath: adapter.path) else { throw .io("cannot read \(adapter.path)") }
            mix(data)
            mix("|\(adapter.scale.bitPattern)|".utf8)
        }
        return String(hash, radix: 16)
    }

    /// One loaded GGUF file: its metadata and its tensors, in memory.
    private final class LoadedFile {
        let gguf: OpaquePointer
        let tensors: OpaquePointer

        init(path: String) throws(Failure) {
            var context: OpaquePointer? = nil
            let gguf = withUnsafeMutablePointer(to: &context) { pointer in
                gguf_init_from_file(path, gguf_init_params(no_alloc: false, ctx: pointer))
            }
            guard let gguf, let context else { throw .io("cannot read the GGUF file \(path)") }
            self.gguf = gguf
            self.tensors = context
        }

        deinit {
            ggml_free(tensors)
            gguf_free(gguf)
        }

        func tensor(_ name: String) -> UnsafeMutablePointer<ggml_tensor>? { ggml_get_tensor(tensors, name) }

        var tensorNames: [String] {
            (0..<gguf_get_n_tensors(gguf)).map { String(cString: gguf_get_tensor_name(gguf, $0)) }
        }

        func float(_ key: String) -> Float? {
            let index = gguf_find_key(gguf, key)
            guard index >= 0, gguf_get_kv_type(gguf, index) == GGUF_TYPE_FLOAT32 else { return nil }
            return gguf_get_val_f32(gguf, index)
        }
    }

    /// One adapted weight: the adapter's A (`rank × in`) and B (`out × rank`) and the update's scale.
    private struct Update {
        var a: UnsafeMutablePointer<ggml_tensor>
        var b: UnsafeMutablePointer<ggml_tensor>
        var scale: Float
    }

    private static func write(model: String, adapters: [LoraAdapterSpec], fingerprint: String, to path: String) throws(Failure) {
        // ggml's CPU code (the B·A product) needs its tables set up first.
        LlamaBackend.initialize()
        ggml_cpu_init()
        let base = try LoadedFile(path: model)
        let adapterFiles = try adapters.map { spec throws(Failure) in (spec, try LoadedFile(path: spec.path)) }
        // The tensors below are raw pointers into these files' memory: keep them until the file is written.
        defer { withExtendedLifetime((base, adapterFiles)) {} }

        // Which weights each adapter updates, checked against the model's shapes (as llama.cpp checks them).
        var updates: [String: [Update]] = [:]
        for (spec, file) in adapterFiles {
            let alpha = file.float("adapter.lora.alpha") ?? 0
            for name in file.tensorNames where name.hasSuffix(".lora_a") {
                let weightName = String(name.dropLast(".lora_a".count))
                guard let a = file.tensor(name), let b = file.tensor(weightName + ".lora_b") else {
                    throw .mismatch("the LoRA adapter \(spec.path) has \(name) without its lora_b")
                }
                guard let weight = base.tensor(weightName) else {
                    throw .mismatch("the LoRA adapter \(spec.path) changes \(weightName), which \(model) does not have (made for another model?)")
                }
                if weightName.hasPrefix("token_embd") { throw .unsupported("an adapter of the token embeddings") }
                guard ggml_n_dims(weight) == 2, ggml_is_contiguous(weight), ggml_is_contiguous(a), ggml_is_contiguous(b) else {
                    throw .unsupported("\(weightName) is not a plain matrix")
                }
                let inputs = weight.pointee.ne.0, outputs = weight.pointee.ne.1, rank = a.pointee.ne.1
                guard a.pointee.ne.0 == inputs, b.pointee.ne.1 == outputs, b.pointee.ne.0 == rank, rank > 0 else {
                    throw .mismatch("the LoRA adapter \(spec.path) does not fit \(weightName) of \(model) (made for another model?)")
                }
                guard ggml_get_type_traits(a.pointee.type).pointee.to_float != nil || a.pointee.type == GGML_TYPE_F32,
                    ggml_get_type_traits(b.pointee.type).pointee.to_float != nil || b.pointee.type == GGML_TYPE_F32
                else { throw .unsupported("the adapter's tensors of type \(a.pointee.type)") }
                let scale = alpha != 0 ? spec.scale * alpha / Float(rank) : spec.scale
                updates[weightName, default: []].append(Update(a: a, b: b, scale: scale))
            }
        }
        guard !updates.isEmpty else { throw .unsupported("the adapters change no weight") }

        // The merged weights live in their own ggml context; the rest point at the model's tensors.
        var outputBytes = 0
        for name in updates.keys {
            let weight = base.tensor(name)!
            outputBytes += ggml_row_size(outputType(weight), weight.pointee.ne.0) * Int(weight.pointee.ne.1)
        }
        let merged = ggml_init(
            ggml_init_params(mem_size: outputBytes + updates.count * (ggml_tensor_overhead() + 64) + 4096, mem_buffer: nil, no_alloc: false))
        guard let merged else { throw .io("out of memory for \(outputBytes) bytes of merged weights") }
        defer { ggml_free(merged) }

        let out = gguf_init_empty()!
        defer { gguf_free(out) }
        gguf_set_kv(out, base.gguf)
        gguf_set_val_str(out, "functionary.merged_lora", adapters.map(\.description).joined(separator: ","))
        gguf_set_val_str(out, fingerprintKey, fingerprint)
        for name in base.tensorNames {
            let weight = base.tensor(name)!
            guard let list = updates[name] else {
                gguf_add_tensor(out, weight)
                continue
            }
            let type = outputType(weight)
            let inputs = Int(weight.pointee.ne.0), outputs = Int(weight.pointee.ne.1)
            var values = try floats(weight)
            for update in list {
                let product = try product(update)
                values.withUnsafeMutableBufferPointer { w in
                    for i in 0..<w.count { w[i] += update.scale * product[i] }
                }
            }
            let tensor = ggml_new_tensor_2d(merged, type, Int64(inputs), Int64(outputs))!
            ggml_set_name(tensor, name)
            _ = values.withUnsafeBufferPointer { source in
                ggml_quantize_chunk(type, source.baseAddress, tensor.pointee.data, 0, Int64(outputs), Int64(inputs), nil)
            }
            gguf_add_tensor(out, tensor)
        }
        guard gguf_write_to_file(out, path, false) else { throw .io("cannot write \(path)") }
    }

    /// B·A as an `out × in` matrix of floats, computed by ggml (the debug build's loops would take minutes).
    private static func product(_ update: Update) throws(Failure) -> [Float] {
        let inputs = Int(update.a.pointee.ne.0), rank = Int(update.a.pointee.ne.1), outputs = Int(update.b.pointee.ne.1)
        let a = try floats(update.a), b = try floats(update.b)
        let bytes = (rank * inputs + rank * outputs + inputs * outputs) * MemoryLayout<Float>.size
        guard
            let context = ggml_init(
                ggml_init_params(
                    mem_size: 2 * bytes + ggml_graph_overhead() + 8 * ggml_tensor_overhead() + (1 << 20), mem_buffer: nil, no_alloc: false))
        else { throw .io("out of memory for a \(outputs)×\(inputs) product") }
        defer { ggml_free(context) }
        // ggml_mul_mat(x, y)[o][i] = Σk x[i][k]·y[o][k]: x is A transposed (rows of rank values), y is B.
        let x = ggml_new_tensor_2d(context, GGML_TYPE_F32, Int64(rank), Int64(inputs))!
        let y = ggml_new_tensor_2d(context, GGML_TYPE_F32, Int64(rank), Int64(outputs))!
        let xs = x.pointee.data.assumingMemoryBound(to: Float.self), ys = y.pointee.data.assumingMemoryBound(to: Float.self)
        for k in 0..<rank {
            for i in 0..<inputs { xs[i * rank + k] = a[k * inputs + i] }
        }
        b.withUnsafeBufferPointer { ys.update(from: $0.baseAddress!, count: rank * outputs) }
        let result = ggml_mul_mat(context, x, y)!
        let graph = ggml_new_graph(context)!
        ggml_build_forward_expand(graph, result)
        let threads = Int32(max(1, min(8, ProcessInfo.processInfo.activeProcessorCount)))
        guard ggml_graph_compute_with_ctx(context, graph, threads) == GGML_STATUS_SUCCESS else { throw .io("ggml could not compute B·A") }
        return Array(UnsafeBufferPointer(start: result.pointee.data.assumingMemoryBound(to: Float.self), count: inputs * outputs))
    }

    /// Q8_0 for a quantized weight (rows of whole 32-value blocks), else the weight's own float type, else F16.
    private static func outputType(_ weight: UnsafeMutablePointer<ggml_tensor>) -> ggml_type {
        let type = weight.pointee.type
        if type == GGML_TYPE_F32 || type == GGML_TYPE_F16 || type == GGML_TYPE_BF16 { return type }
        return weight.pointee.ne.0 % Int64(ggml_blck_size(GGML_TYPE_Q8_0)) == 0 ? GGML_TYPE_Q8_0 : GGML_TYPE_F16
    }

    /// A contiguous tensor's values as floats.
    private static func floats(_ tensor: UnsafeMutablePointer<ggml_tensor>) throws(Failure) -> [Float] {
        let count = Int(ggml_nelements(tensor))
        var values = [Float](repeating: 0, count: count)
        let type = tensor.pointee.type
        values.withUnsafeMutableBufferPointer { out in
            if type == GGML_TYPE_F32 {
                out.baseAddress!.update(from: tensor.pointee.data.assumingMemoryBound(to: Float.self), count: count)
            } else {
                ggml_get_type_traits(type).pointee.to_float(tensor.pointee.data, out.baseAddress, Int64(count))
            }
        }
        return values
    }
}
