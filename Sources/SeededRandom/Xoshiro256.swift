/// A seeded, reproducible random number generator shared by every part of EvalKit that draws
/// random numbers (few-shot sampling, `--limit` sampling, bootstrap resampling, weight
/// initialisation, data order, token sampling, chess openings).
///
/// xoshiro256** (Blackman & Vigna) seeded through SplitMix64, so any 64-bit seed gives a
/// well-mixed state. The generator is a value type with a `Codable` state, so a training run can
/// save it and resume bit-identically. Results never depend on the platform's
/// `SystemRandomNumberGenerator`, which is why no code in EvalKit uses it.
public struct Xoshiro256: RandomNumberGenerator, Codable, Hashable, Sendable {
    public private(set) var state: [UInt64]

    /// - Parameter seed: any value; equal seeds give equal sequences on every platform.
    public init(seed: UInt64) {
        var splitMix = seed
        func nextSplitMix() -> UInt64 {
            splitMix &+= 0x9E37_79B9_7F4A_7C15
            var z = splitMix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = [nextSplitMix(), nextSplitMix(), nextSplitMix(), nextSplitMix()]
    }

    /// Derives an independent stream, e.g. one per document or per game, from a base seed and a
    /// stream index, so that results do not depend on the order in which streams are consumed.
    public init(seed: UInt64, stream: UInt64) {
        self.init(seed: seed ^ (stream &* 0xD1B5_4A32_D192_ED03) &+ 0x2545_F491_4F6C_DD1D)
    }

    @inline(__always)
    private static func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    public mutating func next() -> UInt64 {
        let result = Self.rotateLeft(state[1] &* 5, 7) &* 9
        let t = state[1] << 17
        state[2] ^= state[0]
        state[3] ^= state[1]
        state[1] ^= state[2]
        state[0] ^= state[3]
        state[2] ^= t
        state[3] = Self.rotateLeft(state[3], 45)
        return result
    }

    /// A double uniformly distributed in [0, 1), from the top 53 bits.
    public mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A standard normal sample (Box–Muller; one of the pair is discarded so the stream position
    /// stays a simple function of the number of calls).
    public mutating func nextGaussian() -> Double {
        var u1 = nextUnitDouble()
        if u1 < Double.leastNormalMagnitude { u1 = Double.leastNormalMagnitude }
        let u2 = nextUnitDouble()
        return (-2 * _log(u1)).squareRoot() * _cos(2 * Double.pi * u2)
    }

    /// An integer uniformly distributed in 0..<upperBound, without modulo bias.
    public mutating func nextInt(below upperBound: Int) -> Int {
        precondition(upperBound > 0, "upperBound must be positive")
        return Int(next(upperBound: UInt64(upperBound)))
    }
}

// Foundation-free libm access keeps this target dependency-free.
#if canImport(Glibc)
import Glibc
@inline(__always) private func _log(_ x: Double) -> Double { Glibc.log(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { Glibc.cos(x) }
#elseif canImport(Darwin)
import Darwin
@inline(__always) private func _log(_ x: Double) -> Double { Darwin.log(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { Darwin.cos(x) }
#endif

extension MutableCollection where Self: RandomAccessCollection, Index == Int {
    /// Fisher–Yates shuffle with an explicit seeded generator; identical on every platform
    /// (the standard library's `shuffle(using:)` makes no cross-version promise).
    public mutating func seededShuffle(using generator: inout Xoshiro256) {
        guard count > 1 else { return }
        for i in stride(from: count - 1, to: 0, by: -1) {
            let j = generator.nextInt(below: i + 1)
            if i != j { swapAt(startIndex + i, startIndex + j) }
        }
    }
}
