extension SamplingParameters {
    /// Checks `logitBias` against a vocabulary: every key a token id of the model, every bias in -100...100.
    /// - Throws: `GenerationError.invalidParameter` naming `logit_bias` and the key at fault.
    public func checkLogitBias(vocabularySize: Int) throws(GenerationError) {
        for (token, value) in logitBias.sorted(by: { $0.key < $1.key }) {
            guard token >= 0, token < vocabularySize else {
                throw .invalidParameter(
                    name: "logit_bias",
                    message:
                        "Invalid key in 'logit_bias': '\(token)' is not a token id of this model's vocabulary (0 to \(vocabularySize - 1)).")
            }
            guard value.isFinite, (-100...100).contains(value) else {
                throw .invalidParameter(
                    name: "logit_bias",
                    message: "Invalid value in 'logit_bias' for key '\(token)': \(value); it must be between -100 and 100.")
            }
        }
    }
}
