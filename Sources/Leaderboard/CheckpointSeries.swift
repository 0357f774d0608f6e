import EvalMetrics
import Foundation

/// How well a task tracks training: statistics of one task's score over checkpoints.
public struct SeriesAnalysis: Sendable, Codable, Equatable {
    /// Spearman's ρ of score with step (sign flipped for lower-is-better metrics, so + means improving).
    public var spearmanRho: Double
    /// Its two-sided p-value (NaN for fewer than 3 checkpoints).
    public var spearmanPValue: Double
    /// Fraction of consecutive checkpoint pairs where the score improves (NaN for fewer than 2 checkpoints).
    public var monotonicity: Double
    /// How many final checkpoints the next three values use.
    public var lastK: Int
    /// Mean score of the last k checkpoints.
    public var lastKMean: Double
    /// |mean| / sample standard deviation of the last k checkpoints (∞ when they are all equal, NaN for k < 2).
    public var signalToNoise: Double
    /// The random-chance score, when known.
    public var chance: Double?
    /// lastKMean − chance (chance − lastKMean for lower-is-better metrics), when chance is known.
    public var aboveChance: Double?
}

/// Checkpoint-series statistics (reuses EvalMetrics for the statistics themselves).
public enum CheckpointSeries {
    /// Analyses one task's scores over training steps.
    /// - Parameters:
    ///   - steps: training steps, ascending.
    ///   - scores: the score at each step (same count as `steps`).
    ///   - higherIsBetter: the metric's direction.
    ///   - lastK: how many final checkpoints the signal-to-noise ratio uses (clamped to the count).
    ///   - chance: the random-chance score (1 / number of choices for multiple choice), if known.
    public static func analyze(steps: [Double], scores: [Double], higherIsBetter: Bool = true, lastK: Int = 3,
                               chance: Double? = nil) -> SeriesAnalysis {
        let count = min(steps.count, scores.count)
        let steps = Array(steps.prefix(count)), scores = Array(scores.prefix(count))
        let sign = higherIsBetter ? 1.0 : -1.0
        let spearman = RankCorrelation.spearman(steps, scores)
        var improving = 0
        for index in scores.indices.dropFirst() where sign * (scores[index] - scores[index - 1]) > 0 { improving += 1 }
        let monotonicity = count >= 2 ? Double(improving) / Double(count - 1) : .nan
        let k = max(1, min(lastK, count))
        let tail = Array(scores.suffix(k))
        let tailMean = Statistics.mean(tail)
        let deviation = Statistics.sampleStandardDeviation(tail)
        let signalToNoise: Double
        if tail.count < 2 { signalToNoise = .nan } else if deviation == 0 { signalToNoise = .infinity } else { signalToNoise = abs(tailMean) / deviation }
        return SeriesAnalysis(spearmanRho: sign * spearman.rho, spearmanPValue: spearman.pValue, monotonicity: monotonicity,
                              lastK: tail.count, lastKMean: tailMean, signalToNoise: signalToNoise, chance: chance,
                              aboveChance: chance.map { sign * (tailMean - $0) })
    }
}
