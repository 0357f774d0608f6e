/// Spearman's rank correlation with its two-sided p-value.
public struct SpearmanResult: Sendable, Codable, Equatable {
    /// ρ in [−1, 1]; `.nan` when either variable is constant or n < 2.
    public let rho: Double
    /// Two-sided p-value from the t approximation with n − 2 degrees of freedom (as
    /// `scipy.stats.spearmanr`); `.nan` when n < 3 or ρ is NaN.
    public let pValue: Double
    /// Number of pairs.
    public let n: Int
}

/// Rank statistics.
public enum RankCorrelation {
    /// Ranks 1...n with tied values given the average of the ranks they span
    /// (`scipy.stats.rankdata(method="average")`). NaN values are ranked last, in input order.
    public static func averageRanks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { lhs, rhs in
            let (x, y) = (values[lhs], values[rhs])
            switch (x.isNaN, y.isNaN) {
            case (false, false): return x < y || (x == y && lhs < rhs)
            case (false, true): return true
            case (true, false): return false
            case (true, true): return lhs < rhs
            }
        }
        var ranks = [Double](repeating: 0, count: values.count)
        var start = 0
        while start < order.count {
            var end = start + 1
            while end < order.count, values[order[end]] == values[order[start]] { end += 1 }
            // Positions start..<end hold equal values: ranks start+1 ... end, averaged.
            let average = Double(start + 1 + end) / 2
            for position in start..<end { ranks[order[position]] = average }
            start = end
        }
        return ranks
    }

    /// Pearson correlation of two equally long arrays; `.nan` when lengths differ, n < 2 or a
    /// variable is constant.
    public static func pearson(_ x: [Double], _ y: [Double]) -> Double {
        guard x.count == y.count, x.count >= 2 else { return .nan }
        let meanX = Statistics.mean(x), meanY = Statistics.mean(y)
        var covariance = 0.0, varianceX = 0.0, varianceY = 0.0
        for (a, b) in zip(x, y) {
            covariance += (a - meanX) * (b - meanY)
            varianceX += (a - meanX) * (a - meanX)
            varianceY += (b - meanY) * (b - meanY)
        }
        guard varianceX > 0, varianceY > 0 else { return .nan }
        return max(-1, min(1, covariance / (varianceX * varianceY).squareRoot()))
    }

    /// Spearman's ρ: the Pearson correlation of the average ranks (so ties are handled exactly
    /// as `scipy.stats.spearmanr`), with p-value from t = ρ √((n − 2)/(1 − ρ²)) on n − 2
    /// degrees of freedom. Arrays of different lengths, or any NaN value, give ρ = NaN (scipy's
    /// default `nan_policy="propagate"`).
    public static func spearman(_ x: [Double], _ y: [Double]) -> SpearmanResult {
        guard x.count == y.count, !x.contains(where: \.isNaN), !y.contains(where: \.isNaN) else {
            return SpearmanResult(rho: .nan, pValue: .nan, n: min(x.count, y.count))
        }
        let rho = pearson(averageRanks(x), averageRanks(y))
        let n = x.count
        guard !rho.isNaN, n >= 3 else { return SpearmanResult(rho: rho, pValue: .nan, n: n) }
        let degrees = Double(n - 2)
        let pValue: Double
        if abs(rho) >= 1 {
            pValue = 0
        } else {
            let t = rho * (degrees / ((1 - rho) * (1 + rho))).squareRoot()
            pValue = SpecialFunctions.studentTTwoSided(t, degrees: degrees)
        }
        return SpearmanResult(rho: rho, pValue: pValue, n: n)
    }
}
