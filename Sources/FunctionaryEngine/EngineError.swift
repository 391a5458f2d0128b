import FunctionaryProtocol

/// Why the engine could not start: a model that cannot be loaded, or a bad setting.
public typealias EngineError = CodedError<EngineErrorCode>

/// The codes of `EngineError`.
public enum EngineErrorCode: String, ErrorCode {
    /// No file at the model path.
    case modelNotFound = "model_not_found"
    /// The file is not a GGUF model.
    case notGGUF = "not_gguf"
    /// The file ends before its tensor data does.
    case truncatedModel = "truncated_model"
    /// llama.cpp could not load the model (unsupported architecture, corrupt tensors …).
    case modelLoadFailed = "model_load_failed"
    /// llama.cpp could not create the inference context (out of memory …).
    case contextFailed = "context_failed"
    /// A setting is out of range.
    case invalidConfiguration = "invalid_configuration"
    /// The prompt template cannot be told from the model's metadata.
    case unknownTemplate = "unknown_template"
    /// A LoRA adapter is not an adapter, or does not fit the model.
    case adapterLoadFailed = "adapter_load_failed"
}
