import CLlama
import Foundation

/// A LoRA adapter to apply on top of the model: a llama.cpp LoRA GGUF file and how strongly it applies.
public struct LoraAdapterSpec: Sendable, Hashable, CustomStringConvertible {
    /// Path of the adapter's GGUF file (`general.type = adapter`, `adapter.type = lora`).
    public var path: String
    /// Multiplies the adapter's update; 1 applies it as trained, 0 turns it off.
    public var scale: Float

    public init(path: String, scale: Float = 1) {
        self.path = path
        self.scale = scale
    }

    /// Parses the `--lora` flag's `PATH[:SCALE]`. A suffix after the last `:` is the scale only when it is a
    /// number, so paths with colons still work.
    /// - Throws: `EngineError.invalidConfiguration` for an empty path or a scale that is not finite.
    public init(flag: String) throws(EngineError) {
        var path = flag
        var scale: Float = 1
        if let colon = flag.lastIndex(of: ":"), let value = Float(flag[flag.index(after: colon)...]) {
            path = String(flag[..<colon])
            scale = value
        }
        guard !path.isEmpty else { throw EngineError(.invalidConfiguration, "--lora needs a file path: '\(flag)'") }
        guard scale.isFinite, abs(scale) <= 100 else {
            throw EngineError(.invalidConfiguration, "LoRA scale must be a number between -100 and 100, got '\(flag)'")
        }
        self.path = path
        self.scale = scale
    }

    /// The file name without `.gguf`, as the ready line and `/v1/models` name the adapter.
    public var name: String {
        var name = URL(fileURLWithPath: path).lastPathComponent
        if name.lowercased().hasSuffix(".gguf") { name.removeLast(5) }
        return name
    }

    public var description: String { scale == 1 ? name : "\(name):\(scale)" }
}

/// The project's own LoRA adapter for the default model (`make adapter`, committed under `models/`).
public enum DefaultAdapter {
    /// The adapter's file name.
    public static let fileName = "functionary-gemma3-270m-lora.gguf"

    /// Where the default adapter is, when there is one: `$FUNCTIONARY_ADAPTER`, else `models/` of the checkout
    /// the running binary was built in (found from the executable's folder upwards), else the model cache
    /// (`${FUNCTIONARY_HOME:-~/.cache/functionary}/models/`).
    public static var path: String? {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["FUNCTIONARY_ADAPTER"], !explicit.isEmpty { return explicit }
        var candidates: [String] = []
        var folder = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(folder.appendingPathComponent("models/\(fileName)").path)
            folder.deleteLastPathComponent()
        }
        candidates.append("\(DefaultModel.home)/models/\(fileName)")
        return candidates.first { FileManager.default.fileExists(atPath: $0) }
    }
}

/// A LoRA adapter loaded for one model. Keeps the model alive: llama.cpp requires the adapter to be freed
/// before its model.
///
/// `@unchecked Sendable`: the pointer is only handed to llama.cpp when a context is set up (on the
/// engine's init) and freed in `deinit`, when no one else holds the object.
final class LoadedLoraAdapter: @unchecked Sendable {
    let pointer: OpaquePointer
    let spec: LoraAdapterSpec
    private let model: LlamaModel

    /// Loads and checks an adapter file for `model`.
    /// - Throws: `EngineError` (`.modelNotFound`, `.notGGUF`, `.truncatedModel`, `.adapterLoadFailed`) saying
    ///   what is wrong: a missing file, a model file given as adapter, an adapter made for another model.
    init(spec: LoraAdapterSpec, model: LlamaModel) throws(EngineError) {
        try Self.check(spec, modelPath: model.path, modelArchitecture: model.metadata("general.architecture"))
        _ = LlamaLog.shared.takeRecentProblems()
        guard let pointer = llama_adapter_lora_init(model.pointer, spec.path) else {
            let details = LlamaLog.shared.takeRecentProblems().suffix(3).joined(separator: "; ")
            throw EngineError(
                .adapterLoadFailed,
                "llama.cpp could not apply the LoRA adapter \(spec.path) to \(model.path) (made for another model?)"
                    + (details.isEmpty ? "" : ": \(details)"))
        }
        self.pointer = pointer
        self.spec = spec
        self.model = model
    }

    deinit {
        llama_adapter_lora_free(pointer)
    }

    /// Checks that `spec` names a LoRA adapter GGUF for a model of `modelArchitecture` (when both say theirs).
    /// - Throws: `EngineError` (`.modelNotFound`, `.notGGUF`, `.truncatedModel`, `.adapterLoadFailed`).
    static func check(_ spec: LoraAdapterSpec, modelPath: String, modelArchitecture: String?) throws(EngineError) {
        let summary: GGUFInspector.Summary
        do {
            summary = try GGUFInspector(path: spec.path).inspect()
        } catch {
            throw EngineError(error.code, "LoRA adapter: " + error.message.replacingOccurrences(of: "model file", with: "adapter file"))
        }
        let type = summary.strings["general.type"]
        guard type == "adapter", summary.strings["adapter.type"] == "lora" else {
            throw EngineError(
                .adapterLoadFailed,
                "\(spec.path) is not a LoRA adapter (general.type is \(type.map { "'\($0)'" } ?? "missing")); "
                    + "--lora takes an adapter GGUF made by convert_lora_to_gguf.py, --model takes a model")
        }
        if let adapterArchitecture = summary.strings["general.architecture"], let modelArchitecture,
            adapterArchitecture != modelArchitecture
        {
            throw EngineError(
                .adapterLoadFailed,
                "the LoRA adapter \(spec.path) was made for a '\(adapterArchitecture)' model, but \(modelPath) is '\(modelArchitecture)'")
        }
    }
}
