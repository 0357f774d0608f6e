/// The difference of two runs' mean scores on shared items, with a bootstrap interval.
public struct PairedDifference: Sendable, Codable, Equatable {
    /// mean(first) − mean(second) on the full data.
    public let difference: Double
    /// Lower end of the percentile bootstrap interval.
    public let low: Double
    /// Upper end of the percentile bootstrap interval.
    public let high: Double
    /// The interval's nominal coverage, e.g. 0.95.
    public let confidence: Double

    /// Wraps precomputed values.
    public init(difference: Double, low: Double, high: Double, confidence: Double) {
        self.difference = difference
        self.low = low
        self.high = high
        self.confidence = confidence
    }
}

/// Which computation McNemar's test used.
public enum McNemarMethod: String, Sendable, Codable, Equatable {
    /// Exact two-sided binomial test on the discordant pairs (used when they number fewer than 25).
    case exactBinomial
    /// Chi-square with one degree of freedom and Edwards' continuity correction.
    case chiSquareWithContinuityCorrection
}

/// Result of McNemar's test.
public struct McNemarResult: Sendable, Codable, Equatable {
    /// Items only the first run got right.
    public let onlyFirstCorrect: Int
    /// Items only the second run got right.
    public let onlySecondCorrect: Int
    /// min(b, c) for the exact test; the corrected chi-square value otherwise.
    public let statistic: Double
    /// Two-sided p-value of "both runs are equally accurate".
    public let pValue: Double
    /// Exact binomial or corrected chi-square.
    public let method: McNemarMethod
}

/// Statistics for comparing two runs of the same task on the same items.
public enum PairedComparison {
    /// Discordant-pair count below which McNemar's test is exact (a common rule of thumb:
    /// the chi-square approximation is poor for b + c < 25).
    public static let exactMcNemarThreshold = 25

    /// Paired bootstrap interval for mean(first) − mean(second), where `first[i]` and
    /// `second[i]` are the two runs' scores on the same item i.
    ///
    /// Each of `resamples` resamples draws item indices with replacement from
    /// `Xoshiro256(seed:)` (the same indices for both runs, which is what makes it paired and
    /// cancels item difficulty) and records the difference of means; the interval is the
    /// ((1 − confidence)/2, (1 + confidence)/2) quantiles of those differences (linear interpolation).
    /// - Throws: ``MetricsError/invalidArgument(function:message:)`` when the arrays are empty
    ///   or differ in length, `resamples` < 1, or `confidence` is not in (0, 1).
    public static func pairedBootstrap(
        _ first: [Double], _ second: [Double], resamples: Int = 1000, seed: UInt64, confidence: Double = 0.95
    ) throws -> PairedDifference {
        let function = "PairedComparison.pairedBootstrap"
        guard first.count == second.count else {
            throw MetricsError.invalidArgument(
                function: function,
                message: "the runs must score the same items: got \(first.count) and \(second.count) scores")
        }
        guard !first.isEmpty else { throw MetricsError.invalidArgument(function: function, message: "no items") }
        guard resamples >= 1 else {
            throw MetricsError.invalidArgument(function: function, message: "resamples must be ≥ 1, got \(resamples)")
        }
        guard confidence > 0, confidence < 1 else {
            throw MetricsError.invalidArgument(function: function, message: "confidence must be in (0, 1), got \(confidence)")
        }
        let differences = zip(first, second).map { $0 - $1 }
        let bootstrap = Statistics.bootstrapDistribution(differences, resamples: resamples, seed: seed,
                                                         statistic: Statistics.mean)
        let tail = (1 - confidence) / 2
        return PairedDifference(difference: Statistics.mean(differences),
                                low: Statistics.quantile(bootstrap, tail),
                                high: Statistics.quantile(bootstrap, 1 - tail),
                                confidence: confidence)
    }

    /// McNemar's test from the discordant counts: b items only the first run got right, c only
    /// the second.
    ///
    /// - b + c = 0: no evidence either way, p = 1.
    /// - b + c < ``exactMcNemarThreshold``: exact two-sided binomial test,
    ///   p = min(1, 2 · P(X ≤ min(b, c))) with X ~ Binomial(b + c, ½); statistic = min(b, c)
    ///   (statsmodels `mcnemar(exact=True)`).
    /// - otherwise: χ² = (max(0, |b − c| − 1))² / (b + c), p = P(χ²₁ > χ²)
    ///   (statsmodels `mcnemar(exact=False, correction=True)`, except that statsmodels does not
    ///   clamp at 0, so for b = c it reports χ² = 1/(b + c) where this gives 0 and p = 1).
    /// Negative counts are treated as 0.
    public static func mcNemar(onlyFirstCorrect b: Int, onlySecondCorrect c: Int) -> McNemarResult {
        let b = max(0, b), c = max(0, c)
        let discordant = b + c
        if discordant == 0 {
            return McNemarResult(onlyFirstCorrect: 0, onlySecondCorrect: 0, statistic: 0, pValue: 1,
                                 method: .exactBinomial)
        }
        if discordant < exactMcNemarThreshold {
            let smaller = min(b, c)
            let p = min(1, 2 * SpecialFunctions.binomialCDF(smaller, n: discordant, p: 0.5))
            return McNemarResult(onlyFirstCorrect: b, onlySecondCorrect: c, statistic: Double(smaller),
                                 pValue: p, method: .exactBinomial)
        }
        let excess = max(0, Double(abs(b - c)) - 1)
        let statistic = excess * excess / Double(discordant)
        return McNemarResult(onlyFirstCorrect: b, onlySecondCorrect: c, statistic: statistic,
                             pValue: SpecialFunctions.chiSquareOneSurvival(statistic),
                             method: .chiSquareWithContinuityCorrection)
    }

    /// McNemar's test from the two runs' per-item correctness (`first[i]`, `second[i]` on item i).
    /// - Throws: ``MetricsError/invalidArgument(function:message:)`` when the lengths differ.
    public static func mcNemar(_ first: [Bool], _ second: [Bool]) throws -> McNemarResult {
        guard first.count == second.count else {
            throw MetricsError.invalidArgument(
                function: "PairedComparison.mcNemar",
                message: "the runs must cover the same items: got \(first.count) and \(second.count) outcomes")
        }
        var b = 0, c = 0
        for (x, y) in zip(first, second) where x != y {
            if x { b += 1 } else { c += 1 }
        }
        return mcNemar(onlyFirstCorrect: b, onlySecondCorrect: c)
    }
}
