/// Central finite differences for gradient checks. The ops run in Float32, so the objective
/// (a fixed random projection of the op's output) is summed in Float64 and the step is large
/// enough (1e-2 .. 1e-3) that Float32 rounding stays well below the error bounds the tests state.
enum GradientCheck {
    /// Deterministic test values: a SplitMix64 stream mapped to roughly N(0, scale²) by summing
    /// four uniforms (the tests need spread, not exact normality).
    static func randomValues(_ count: Int, seed: UInt64, scale: Double = 1) -> [Float] {
        var state = seed
        func nextUnit() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((z ^ (z >> 31)) >> 11) * 0x1.0p-53
        }
        return (0..<count).map { _ in
            let sum = nextUnit() + nextUnit() + nextUnit() + nextUnit() - 2
            return Float(sum * scale * 3.0.squareRoot())
        }
    }

    /// Σ out·weights in Float64.
    static func dot(_ a: [Float], _ b: [Float]) -> Double {
        zip(a, b).reduce(0) { $0 + Double($1.0) * Double($1.1) }
    }

    /// Numerical gradient of `objective` with respect to `values` (each entry perturbed in turn).
    static func numerical(_ values: [Float], step: Float, objective: ([Float]) -> Double) -> [Double] {
        var probe = values
        return (0..<values.count).map { i in
            probe[i] = values[i] + step
            let up = objective(probe)
            probe[i] = values[i] - step
            let down = objective(probe)
            probe[i] = values[i]
            return (up - down) / (2 * Double(step))
        }
    }

    /// ‖analytic − numerical‖ / max(‖analytic‖, ‖numerical‖, tiny).
    static func relativeError(_ analytic: [Float], _ numerical: [Double]) -> Double {
        var difference = 0.0, a = 0.0, b = 0.0
        for (x, y) in zip(analytic, numerical) {
            difference += (Double(x) - y) * (Double(x) - y)
            a += Double(x) * Double(x)
            b += y * y
        }
        return difference.squareRoot() / max(a.squareRoot(), b.squareRoot(), 1e-12)
    }
}
