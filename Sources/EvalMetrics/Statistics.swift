import SeededRandom

/// A mean with its standard error and the number of values behind it.
public struct MeanEstimate: Sendable, Codable, Equatable {
    /// The arithmetic mean (`.nan` for no values).
    public let value: Double
    /// Standard error of the mean: sample standard deviation / √n (0 when n < 2).
    public let stderr: Double
    /// Number of values.
    public let n: Int

    /// Wraps precomputed values.
    public init(value: Double, stderr: Double, n: Int) {
        self.value = value
        self.stderr = stderr
        self.n = n
    }
}

/// Aggregation statistics: means, standard errors, seeded bootstrap, percentiles.
public enum Statistics {
    /// Arithmetic mean; `.nan` for an empty array.
    public static func mean(_ xs: [Double]) -> Double {
        guard !xs.isEmpty else { return .nan }
        return xs.reduce(0, +) / Double(xs.count)
    }

    /// Sample standard deviation (n − 1 in the variance, computed around the mean in two
    /// passes for accuracy); 0 when n < 2.
    public static func sampleStandardDeviation(_ xs: [Double]) -> Double {
        guard xs.count >= 2 else { return 0 }
        let center = mean(xs)
        let squares = xs.reduce(0) { $0 + ($1 - center) * ($1 - center) }
        return (squares / Double(xs.count - 1)).squareRoot()
    }

    /// Sample standard deviation / sqrt(n) (n-1 in the variance), 0 when n < 2.
    public static func meanWithStderr(_ xs: [Double]) -> MeanEstimate {
        let stderr = xs.count >= 2 ? sampleStandardDeviation(xs) / Double(xs.count).squareRoot() : 0
        return MeanEstimate(value: mean(xs), stderr: stderr, n: xs.count)
    }

    /// Seeded bootstrap: resample item indices with replacement `resamples` times, recompute `statistic`, return its std.
    ///
    /// Each resample draws `items.count` indices with `Xoshiro256(seed: seed)` (one generator
    /// for the whole run, indices drawn in order), so equal seeds give equal results on every
    /// platform. The spread is the sample standard deviation (n − 1) of the `resamples`
    /// statistics, as lm-eval's `bootstrap_stderr`. Returns `.nan` for no items and 0 for
    /// fewer than 2 resamples.
    public static func bootstrapStderr<Item>(_ items: [Item], resamples: Int = 1000, seed: UInt64,
                                             statistic: ([Item]) -> Double) -> Double {
        guard !items.isEmpty else { return .nan }
        guard resamples >= 2 else { return 0 }
        return sampleStandardDeviation(
            bootstrapDistribution(items, resamples: resamples, seed: seed, statistic: statistic))
    }

    /// The `resamples` bootstrap values of `statistic` (same resampling as
    /// ``bootstrapStderr(_:resamples:seed:statistic:)``, same seed gives the same values), for
    /// percentile intervals or custom summaries. Empty when `items` is empty or `resamples` < 1.
    public static func bootstrapDistribution<Item>(_ items: [Item], resamples: Int, seed: UInt64,
                                                   statistic: ([Item]) -> Double) -> [Double] {
        guard !items.isEmpty, resamples >= 1 else { return [] }
        var generator = Xoshiro256(seed: seed)
        var values: [Double] = []
        values.reserveCapacity(resamples)
        var sample: [Item] = []
        sample.reserveCapacity(items.count)
        for _ in 0..<resamples {
            sample.removeAll(keepingCapacity: true)
            for _ in 0..<items.count {
                sample.append(items[generator.nextInt(below: items.count)])
            }
            values.append(statistic(sample))
        }
        return values
    }

    /// The q-th quantile (q in [0, 1]) with linear interpolation between order statistics
    /// (numpy's default `method="linear"`): position q·(n − 1) in the sorted values.
    /// NaN values are dropped; `.nan` when nothing is left or q is outside [0, 1].
    public static func quantile(_ xs: [Double], _ q: Double) -> Double {
        let sorted = xs.filter { !$0.isNaN }.sorted()
        guard !sorted.isEmpty, q >= 0, q <= 1 else { return .nan }
        let position = q * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        let fraction = position - Double(lower)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction
    }
}
