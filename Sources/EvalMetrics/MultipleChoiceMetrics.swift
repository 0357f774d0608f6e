#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Scores for multiple-choice tasks answered by comparing per-choice log-likelihoods (the
/// lm-evaluation-harness `acc`, `acc_norm`, PMI and Brier metrics).
///
/// Malformed input (no choices, arrays of different lengths, a gold index outside the
/// choices, an empty gold set) returns `.nan` rather than a plausible 0, so the mistake is
/// visible in the aggregate. NaN log-likelihoods never win the argmax.
public enum MultipleChoiceMetrics {
    /// All take per-choice log-likelihoods; return 1 or 0 (acc*) or the score (brier). Ties: lowest index wins.
    ///
    /// `acc`: 1 if the choice with the highest log-likelihood is one of the gold indices.
    public static func accuracy(logLikelihoods: [Double], gold: Set<Int>) -> Double {
        guard !gold.isEmpty, let best = argmax(logLikelihoods) else { return .nan }
        return gold.contains(best) ? 1 : 0
    }

    /// `acc_norm`: like ``accuracy(logLikelihoods:gold:)`` on log-likelihood divided by the
    /// choice's length (lm-eval uses the continuation length in characters; bytes or tokens
    /// work the same way). A length below 1 counts as 1, so an empty choice is not divided by 0.
    public static func normalizedAccuracy(logLikelihoods: [Double], lengths: [Int], gold: Set<Int>) -> Double {
        guard logLikelihoods.count == lengths.count else { return .nan }
        let normalized = zip(logLikelihoods, lengths).map { $0 / Double(max($1, 1)) }
        return accuracy(logLikelihoods: normalized, gold: gold)
    }

    /// PMI accuracy: argmax of log P(choice | context) − log P(choice | no context), scored as
    /// ``accuracy(logLikelihoods:gold:)``. Corrects for choices that are likely on their own.
    public static func pmiAccuracy(conditional: [Double], unconditional: [Double], gold: Set<Int>) -> Double {
        guard conditional.count == unconditional.count else { return .nan }
        return accuracy(logLikelihoods: zip(conditional, unconditional).map { $0 - $1 }, gold: gold)
    }

    /// Brier score of softmax(ll) against the one-hot gold (first gold if several); lower is better.
    ///
    /// Σᵢ (pᵢ − [i = gold])², in [0, 2]; the softmax subtracts the maximum first, so large
    /// negative log-likelihoods do not underflow to 0/0.
    public static func brier(logLikelihoods: [Double], gold: Int) -> Double {
        guard logLikelihoods.indices.contains(gold),
              let maximum = logLikelihoods.filter({ !$0.isNaN }).max() else { return .nan }
        guard maximum.isFinite else { return .nan }
        let weights = logLikelihoods.map { $0.isNaN ? 0 : exp($0 - maximum) }
        let total = weights.reduce(0, +)
        var score = 0.0
        for (index, weight) in weights.enumerated() {
            let target: Double = index == gold ? 1 : 0
            let difference = weight / total - target
            score += difference * difference
        }
        return score
    }

    /// Brier score against the smallest gold index (the "first gold" when several are right).
    public static func brier(logLikelihoods: [Double], gold: Set<Int>) -> Double {
        guard let first = gold.min() else { return .nan }
        return brier(logLikelihoods: logLikelihoods, gold: first)
    }

    /// Index of the largest value, the lowest index on ties; NaN never wins; nil when empty.
    static func argmax(_ values: [Double]) -> Int? {
        guard !values.isEmpty else { return nil }
        var bestIndex = 0
        var bestValue = -Double.infinity
        var found = false
        for (index, value) in values.enumerated() where !value.isNaN {
            if !found || value > bestValue {
                bestIndex = index
                bestValue = value
                found = true
            }
        }
        return bestIndex
    }
}
