import FunctionaryEngine

/// One default-model engine for the suites that only generate (loaded once, on first use).
enum SharedEngine {
    private static let result: Result<LlamaEngine, EngineError> = Result { () throws(EngineError) in
        try TestModels.defaultEngine()
    }

    static func get() throws -> LlamaEngine { try result.get() }
}
