import CLlama
import Foundation

/// The softmax of one step's logits, as much of it as log probabilities need: the log of the normalizer and
/// the `top` most likely tokens. One pass over the vocabulary, no allocation beyond the top list.
struct LogprobDistribution {
    /// `log(sum(exp(logit)))` over the vocabulary.
    let logNormalizer: Float
    /// The most likely tokens, most likely first (ties: the smaller id first).
    let top: [(token: llama_token, logit: Float)]

    init(logits: UnsafeBufferPointer<Float>, top count: Int) {
        var maximum = -Float.infinity
        for logit in logits where logit > maximum { maximum = logit }
        var sum: Double = 0
        var top: [(token: llama_token, logit: Float)] = []
        top.reserveCapacity(count + 1)
        if maximum.isFinite {
            for (index, logit) in logits.enumerated() {
                sum += Double(expf(logit - maximum))
                guard count > 0, top.count < count || logit > top[top.count - 1].logit else { continue }
                var position = top.count
                while position > 0, top[position - 1].logit < logit { position -= 1 }
                top.insert((llama_token(index), logit), at: position)
                if top.count > count { top.removeLast() }
            }
        }
        logNormalizer = maximum.isFinite ? maximum + Float(log(sum)) : 0
        self.top = top
    }

    /// The log probability of a token with this logit.
    func logprob(_ logit: Float) -> Double {
        Double(logit - logNormalizer)
    }
}
