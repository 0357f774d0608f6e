import ModelFormats

/// How the decoder rounds its floating-point intermediates.
///
/// - `exact`: every activation stays a Float (the weights are the file's, dequantised exactly):
///   the closest the engine gets to the model's arithmetic, within 1e-5 of a float64 reference.
/// - `llamaCPP`: rounds activations where llama.cpp's CPU backend does, so that scores agree with
///   llama.cpp on the same GGUF (docs/engine.md, "Numerics"): the input of each matrix product is
///   quantised to the type llama.cpp multiplies that weight type with (Q8_K for k-quants, Q8_0 for
///   Q4_0/Q5_0/Q8_0, F16 for F16), keys and values are stored as F16 (its default KV cache), the
///   query and the attention probabilities are rounded to F16 for their products with them, and
///   GELU goes through F16 as ggml's lookup table does. The weights are identical in both modes.
public enum DecoderNumerics: String, Sendable, CaseIterable {
    case exact
    case llamaCPP = "llamacpp"
}

/// A rounding applied to the activations entering a product: quantise each row and dequantise it
/// again. The products of these values with the dequantised weights are (up to Float summation
/// order) the integer block dot products llama.cpp computes, e.g. Σ d_w·d_a·Σ q_w·q_a.
public enum ActivationRounding: Sendable, Equatable {
    case none
    /// ggml's Q8_K (blocks of 256, Float scale amax/127): the activation type of Q2_K…Q6_K weights.
    case q8K
    /// ggml's Q8_0 (blocks of 32, F16 scale amax/127): the activation type of Q4_0, Q5_0 and Q8_0
    /// weights, and (to within its F16 block sum) of Q4_1/Q5_1's Q8_1.
    case q8_0
    /// Round to binary16: F16 weights, the F16 key/value cache.
    case f16
    /// Round to bfloat16: BF16 weights.
    case bf16

    /// What llama.cpp's CPU backend converts activations to before multiplying them by a weight of `type`.
    public static func llamaCPP(multiplying type: GGMLType) -> ActivationRounding {
        switch type {
        case .q2_K, .q3_K, .q4_K, .q5_K, .q6_K: return .q8K
        case .q4_0, .q4_1, .q5_0, .q5_1, .q8_0: return .q8_0
        case .f16: return .f16
        case .bf16: return .bf16
        default: return .none
        }
    }

    /// Rounds `rows` rows of `columns` values in place (a row is quantised block by block from its start).
    public func apply(_ x: UnsafeMutablePointer<Float>, rows: Int, columns: Int) {
        switch self {
        case .none:
            return
        case .f16:
            for i in 0..<(rows * columns) { x[i] = Float(Float16(x[i])) }
        case .bf16:
            for i in 0..<(rows * columns) { x[i] = HalfPrecision.float(fromBFloat16Bits: HalfPrecision.bfloat16Bits(from: x[i])) }
        case .q8K:
            Self.quantizeBlocks(x, count: rows * columns, rowLength: columns, block: GGMLType.kQuantBlockSize, halfScale: false)
        case .q8_0:
            Self.quantizeBlocks(x, count: rows * columns, rowLength: columns, block: 32, halfScale: true)
        }
    }

    /// A rounded copy of `rows` rows of `columns` values.
    public func roundedCopy(of x: UnsafePointer<Float>, rows: Int, columns: Int) -> FloatBuffer {
        let copy = FloatBuffer(count: rows * columns)
        copy.pointer.update(from: x, count: rows * columns)
        apply(copy.pointer, rows: rows, columns: columns)
        return copy
    }

    /// Symmetric 8-bit quantisation per block: q = round-half-even(x · 127/amax), x' = d·q with
    /// d = 1/(127/amax) (Q8_K) or F16(amax/127) (Q8_0). A row whose length is not a multiple of the
    /// block is left as it is (llama.cpp refuses such shapes for these types).
    private static func quantizeBlocks(_ x: UnsafeMutablePointer<Float>, count: Int, rowLength: Int, block: Int, halfScale: Bool) {
        guard rowLength % block == 0 else { return }
        for start in stride(from: 0, to: count, by: block) {
            let b = x + start
            var amax: Float = 0
            for j in 0..<block { amax = max(amax, abs(b[j])) }
            guard amax > 0 else {
                b.update(repeating: 0, count: block)
                continue
            }
            let inverse = 127 / amax
            let d = halfScale ? Float(Float16(amax / 127)) : 1 / inverse
            for j in 0..<block { b[j] = d * min(127, (b[j] * inverse).rounded(.toNearestOrEven)) }
        }
    }
}
