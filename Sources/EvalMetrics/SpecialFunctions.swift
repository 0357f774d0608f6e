#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Distribution functions needed by the significance tests. Implemented from the textbook
/// definitions (series / continued fractions), accurate to ~1e-12 relative in the ranges used.
enum SpecialFunctions {
    /// P(X ≤ k) for X ~ Binomial(n, p), summed in log space so large n does not overflow.
    static func binomialCDF(_ k: Int, n: Int, p: Double) -> Double {
        guard k >= 0 else { return 0 }
        guard k < n else { return 1 }
        var total = 0.0
        for i in 0...k {
            total += exp(logChoose(n, i) + Double(i) * log(p) + Double(n - i) * log1p(-p))
        }
        return min(1, total)
    }

    /// log C(n, k) through log-gamma.
    static func logChoose(_ n: Int, _ k: Int) -> Double {
        lgamma(Double(n) + 1) - lgamma(Double(k) + 1) - lgamma(Double(n - k) + 1)
    }

    /// Survival function P(X > x) of the chi-square distribution with one degree of freedom:
    /// X = Z² with Z standard normal, so P(X > x) = erfc(√(x/2)).
    static func chiSquareOneSurvival(_ x: Double) -> Double {
        guard x > 0 else { return 1 }
        return erfc((x / 2).squareRoot())
    }

    /// Two-sided p-value of Student's t with `degrees` degrees of freedom:
    /// P(|T| ≥ |t|) = I_{ν/(ν+t²)}(ν/2, 1/2).
    static func studentTTwoSided(_ t: Double, degrees: Double) -> Double {
        guard degrees > 0, !t.isNaN else { return .nan }
        if t.isInfinite { return 0 }
        return regularizedIncompleteBeta(x: degrees / (degrees + t * t), a: degrees / 2, b: 0.5)
    }

    /// The regularised incomplete beta function I_x(a, b), by the continued fraction of
    /// Abramowitz & Stegun 26.5.8 evaluated with the modified Lentz method, using the symmetry
    /// I_x(a, b) = 1 − I_{1−x}(b, a) where the fraction converges slowly.
    static func regularizedIncompleteBeta(x: Double, a: Double, b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let logFront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x)
        if x < (a + 1) / (a + b + 2) {
            return exp(logFront) * betaContinuedFraction(x: x, a: a, b: b) / a
        }
        return 1 - exp(logFront) * betaContinuedFraction(x: 1 - x, a: b, b: a) / b
    }

    private static func betaContinuedFraction(x: Double, a: Double, b: Double) -> Double {
        let tiny = 1e-300
        var c = 1.0
        var d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var result = d
        for m in 1...300 {
            let m = Double(m)
            // Even step.
            var numerator = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
            d = 1 + numerator * d
            if abs(d) < tiny { d = tiny }
            c = 1 + numerator / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            result *= d * c
            // Odd step.
            numerator = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
            d = 1 + numerator * d
            if abs(d) < tiny { d = tiny }
            c = 1 + numerator / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            result *= delta
            if abs(delta - 1) < 1e-15 { break }
        }
        return result
    }
}
