#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Rotary position embeddings (RoPE) for a run of consecutive positions.
///
/// Dimension pair i (0 ≤ i < D/2, D = rotated dimensions) of a head at position p turns by the
/// angle p · s · f_i with f_i = base^(−2i/D) / factor_i (factor_i from a Llama 3 `rope_freqs`
/// tensor, else 1) and s the linear scaling (1 / `rope.scaling.factor`, else 1). Angles, cosines
/// and sines are computed in Double and rounded once to Float.
public struct RotaryEmbedding: Sendable {
    /// Which dimensions form a rotating pair.
    public enum Pairing: Sendable {
        /// (2i, 2i+1): llama.cpp's `LLAMA_ROPE_TYPE_NORM`, used by GGUF Llama files (the converter
        /// permutes q and k so this equals Hugging Face's rotate_half).
        case adjacent
        /// (i, i + D/2): `LLAMA_ROPE_TYPE_NEOX`, Hugging Face's rotate_half; Gemma.
        case halves
    }

    public let rotatedDimensions: Int
    public let pairing: Pairing
    /// f_i · s for i in 0..<D/2.
    let frequencies: [Double]

    /// - Parameters:
    ///   - rotatedDimensions: D, even; the first D dimensions of each head rotate, the rest pass through.
    ///   - base: θ base (10,000 for Llama 2 and Gemma's local layers).
    ///   - linearScale: s (1 = none).
    ///   - frequencyFactors: optional D/2 divisors of the frequencies (Llama 3.1 `rope_freqs.weight`).
    public init(rotatedDimensions: Int, base: Double, pairing: Pairing, linearScale: Double = 1, frequencyFactors: [Float]? = nil) {
        self.rotatedDimensions = rotatedDimensions
        self.pairing = pairing
        let half = rotatedDimensions / 2
        frequencies = (0..<half).map { i in
            let factor = frequencyFactors.map { Double($0[i]) } ?? 1
            return pow(base, -2 * Double(i) / Double(rotatedDimensions)) / factor * linearScale
        }
    }

    /// cos and sin for `count` consecutive positions from `start`: each (count, D/2).
    public func table(start: Int, count: Int) -> (cos: [Float], sin: [Float]) {
        let half = frequencies.count
        var cosines = [Float](repeating: 0, count: count * half), sines = cosines
        for r in 0..<count {
            for i in 0..<half {
                let angle = Double(start + r) * frequencies[i]
                cosines[r * half + i] = Float(cos(angle))
                sines[r * half + i] = Float(sin(angle))
            }
        }
        return (cosines, sines)
    }

    /// Rotates x in place: `rows` rows of `heads` heads of `headDimension` values, row stride `rowStride`;
    /// row r is at position start + firstRow + r of `table`.
    public func apply(
        _ x: UnsafeMutablePointer<Float>, rows: Int, rowStride: Int, heads: Int, headDimension: Int,
        table: (cos: [Float], sin: [Float]), firstRow: Int = 0
    ) {
        let half = frequencies.count
        table.cos.withUnsafeBufferPointer { cosines in
            table.sin.withUnsafeBufferPointer { sines in
                for r in 0..<rows {
                    let c = cosines.baseAddress! + (firstRow + r) * half, s = sines.baseAddress! + (firstRow + r) * half
                    for h in 0..<heads {
                        let head = x + r * rowStride + h * headDimension
                        for i in 0..<half {
                            let (a, b) = pairing == .adjacent ? (2 * i, 2 * i + 1) : (i, i + half)
                            let x0 = head[a], x1 = head[b]
                            head[a] = x0 * c[i] - x1 * s[i]
                            head[b] = x0 * s[i] + x1 * c[i]
                        }
                    }
                }
            }
        }
    }
}
