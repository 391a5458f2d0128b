import Foundation
import Testing

@testable import FunctionaryEngine

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 20: the merged-LoRA cache is keyed by content (the adapter's bytes, the model's header), reuses a file
/// only when its embedded fingerprint matches, and removes partial files of killed merges.
@Suite(.serialized) struct MergedCacheTests {
    func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("merged-cache-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// A model file changed in place with its size and modification time kept (a copy with `cp -p`, a restored
    /// backup) used to keep its fingerprint: the key was its path, size and stamp.
    @Test func theFingerprintSeesTheModelsHeader() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = folder.appendingPathComponent("model.gguf").path
        let adapter = folder.appendingPathComponent("adapter.gguf").path
        var bytes = [UInt8](repeating: 7, count: 2 << 20)
        #expect(FileManager.default.createFile(atPath: model, contents: Data(bytes)))
        #expect(FileManager.default.createFile(atPath: adapter, contents: Data("adapter one".utf8)))
        var info = stat()
        #expect(stat(model, &info) == 0)
        let first = try LoraMerger.fingerprint(model: model, adapters: [LoraAdapterSpec(path: adapter)])

        bytes[100] = 8
        #expect(FileManager.default.createFile(atPath: model, contents: Data(bytes)))
        var times = [info.st_atim, info.st_mtim]
        #expect(utimensat(AT_FDCWD, model, &times, 0) == 0)
        let changedModel = try LoraMerger.fingerprint(model: model, adapters: [LoraAdapterSpec(path: adapter)])
        #expect(changedModel != first)

        // The adapter is keyed by its content, not its stamp.
        #expect(FileManager.default.createFile(atPath: adapter, contents: Data("adapter two".utf8)))
        #expect(try LoraMerger.fingerprint(model: model, adapters: [LoraAdapterSpec(path: adapter)]) != changedModel)
        #expect(try LoraMerger.fingerprint(model: model, adapters: [LoraAdapterSpec(path: adapter, scale: 0.5)]) != changedModel)
    }

    /// `.partial-<pid>-*` files whose merge died are removed; one of a live merge stays.
    @Test func stalePartialFilesAreRemoved() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var dead: pid_t = 4_000_000
        while kill(dead, 0) == 0 || errno != ESRCH { dead -= 1 }
        let stale = folder.appendingPathComponent("m+lora-1.gguf.partial-\(dead)-42").path
        let live = folder.appendingPathComponent("m+lora-2.gguf.partial-\(getpid())-43").path
        for path in [stale, live] { #expect(FileManager.default.createFile(atPath: path, contents: Data("x".utf8))) }
        LoraMerger.removeStalePartials(in: folder.path)
        #expect(!FileManager.default.fileExists(atPath: stale))
        #expect(FileManager.default.fileExists(atPath: live))
    }

    /// A file at the merged copy's name without the expected fingerprint inside (an older format, a damaged or
    /// planted file) is not loaded: the copy is merged again, and the new one records its fingerprint.
    @Test(.enabled(if: AdapterTests.haveAdapter)) func aCachedFileWithoutItsFingerprintIsMergedAgain() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let adapters = [LoraAdapterSpec(path: AdapterTests.projectAdapter)]
        let key = try LoraMerger.fingerprint(model: TestModels.defaultModel, adapters: adapters)
        var base = URL(fileURLWithPath: TestModels.defaultModel).lastPathComponent
        base.removeLast(5)
        let target = folder.appendingPathComponent("\(base)+lora-\(key).gguf").path
        #expect(FileManager.default.createFile(atPath: target, contents: Data("not a merged model".utf8)))
        let merged = try LoraMerger.mergedModel(model: TestModels.defaultModel, adapters: adapters, cacheFolder: folder.path)
        #expect(merged == target)
        #expect(LoraMerger.embeddedFingerprint(merged) == key)
        let size = (try FileManager.default.attributesOfItem(atPath: merged)[.size] as? Int) ?? 0
        #expect(size > 100 << 20)
        // Reused as it is now.
        let stamp = try FileManager.default.attributesOfItem(atPath: merged)[.modificationDate] as? Date
        _ = try LoraMerger.mergedModel(model: TestModels.defaultModel, adapters: adapters, cacheFolder: folder.path)
        #expect(try FileManager.default.attributesOfItem(atPath: merged)[.modificationDate] as? Date == stamp)
    }
}
