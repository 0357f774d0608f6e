import CKernels
import Foundation
import SeededRandom
import Testing

/// The input rounding of the integer kernels (`evk_round_inputs`, used by `QuantizedDot.RoundedRows`)
/// and the CPU checks the kernels dispatch on: its AVX-512 path and its portable loop against the rule
/// written out here in Swift, on random rows and on the awkward values (ties, huge, subnormal, NaN, ±∞).
struct InputRoundingTests {
    struct Rounded: Equatable {
        var values: [Int16]
        var scales: [Float]
        var sums: [Float]

        /// Float fields compared by their bits (NaN equals NaN).
        static func == (a: Rounded, b: Rounded) -> Bool {
            a.values == b.values && a.scales.map(\.bitPattern) == b.scales.map(\.bitPattern) && a.sums.map(\.bitPattern) == b.sums.map(\.bitPattern)
        }
    }

    static func rounded(_ x: [Float], vector: Bool) -> Rounded {
        var out = Rounded(values: Array(repeating: 0, count: x.count), scales: Array(repeating: 0, count: x.count / 32),
                          sums: Array(repeating: 0, count: x.count / 32))
        evk_round_inputs(x, Int32(x.count), &out.values, &out.scales, &out.sums, vector ? 1 : 0)
        return out
    }

    /// The rule, block by block: scale = max|x| / 32767; q = x · (1 / scale) rounded half away from zero.
    static func reference(_ x: [Float]) -> Rounded {
        var out = Rounded(values: [], scales: [], sums: [])
        for b in 0..<(x.count / 32) {
            let block = x[(32 * b)..<(32 * b + 32)]
            guard block.allSatisfy(\.isFinite) else {
                out.values += Array(repeating: 0, count: 32)
                out.scales.append(.nan)
                out.sums.append(.nan)
                continue
            }
            let scale = block.map(abs).max()! / 32_767
            let inverse: Float = scale > 0 && (1 / scale).isFinite ? 1 / scale : 0
            let q = block.map { Int16(($0 * inverse).rounded(.toNearestOrAwayFromZero)) }
            out.values += q
            out.scales.append(scale)
            out.sums.append(Float(q.reduce(Int32(0)) { $0 + Int32($1) }) * scale)
        }
        return out
    }

    @Test func bothPathsFollowTheRule() {
        var random = Xoshiro256(seed: 11)
        var x: [Float] = []
        // Random blocks at many magnitudes.
        for block in 0..<40 {
            let magnitude = Float(pow(10.0, Double(block % 20 - 10)))
            x += (0..<32).map { _ in (Float(random.nextUnitDouble()) * 2 - 1) * magnitude }
        }
        // Exact ties: max 32767 gives scale 1, so k + 0.5 is a tie at either sign.
        x += [32_767, -32_767] + (0..<30).map { Float($0 - 15) + 0.5 }
        // Zeros, a lone subnormal (its scale's reciprocal overflows), the largest finite magnitudes.
        x += Array(repeating: 0, count: 32)
        x += [1e-36, -5e-37] + Array(repeating: 0, count: 30)
        x += [Float.greatestFiniteMagnitude, -Float.greatestFiniteMagnitude] + (0..<30).map { Float($0) * 1e37 }
        // Non-finite values poison their block only.
        for bad in [Float.nan, .infinity, -.infinity] { x += [1, 2, bad] + Array(repeating: 0.5, count: 29) }
        let expected = Self.reference(x)
        #expect(Self.rounded(x, vector: false) == expected)
        #expect(Self.rounded(x, vector: true) == expected)
        // The ties went away from zero: 0.5 → 1, −0.5 → −1, 14.5 → 15.
        let ties = 40 * 32
        #expect(expected.values[ties + 2 + 15] == 1 && expected.values[ties + 2 + 14] == -1 && expected.values[ties + 31] == 15)
        #expect(expected.scales.suffix(3).allSatisfy(\.isNaN) && !expected.scales[40].isNaN)
    }

    /// The CPU checks follow /proc/cpuinfo's flags, and EVALKIT_AVX512=0 / EVALKIT_AVX2=0 (how
    /// `scripts/test` runs the suite a second and third time) turn them off whatever the CPU.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/cpuinfo")))
    func cpuChecksFollowTheFlagsAndTheEnvironment() throws {
        let cpuinfo = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let flags = Set(cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") }?.split(separator: " ").map(String.init) ?? [])
        let switchedOff = ProcessInfo.processInfo.environment["EVALKIT_AVX512"] == "0"
        let avx512 = !switchedOff && flags.contains("avx512f") && flags.contains("avx512bw")
        #expect((evk_cpu_has_avx512() != 0) == avx512)
        let vnni = avx512 && flags.contains("avx512_vnni")
        #expect((evk_cpu_has_vnni512() != 0) == vnni)
        let avx2 = ProcessInfo.processInfo.environment["EVALKIT_AVX2"] != "0" && flags.contains("avx2")
        #expect((evk_cpu_has_avx2() != 0) == avx2)
        #expect(evk_group_kernel() == (vnni ? 2 : avx2 ? 1 : 0))
    }
}
