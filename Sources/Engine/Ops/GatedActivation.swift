import Foundation

/// The gated feed-forward non-linearity: out = act(gate) ⊙ up.
public enum GatedActivation: Sendable, Equatable {
    /// SiLU (x·σ(x)): SwiGLU, the Llama family.
    case silu
    /// GELU, tanh approximation: GeGLU, Gemma.
    case geluTanh

    /// out(N) = act(gate(N)) · up(N). `out` may equal `gate` or `up`.
    public func forward(out: UnsafeMutablePointer<Float>, gate: UnsafePointer<Float>, up: UnsafePointer<Float>, n: Int) {
        var i = 0
        while i < n {
            let count = min(8, n - i)
            let g = VectorMath.load(gate + i, count: count)
            let activated: VectorMath.Vector
            switch self {
            case .silu:
                activated = g / (1 + VectorMath.exp(-g))
            case .geluTanh:
                activated = 0.5 * g * (1 + VectorMath.tanh(GELU.scale * (g + 0.044715 * g * g * g)))
            }
            VectorMath.store(activated * VectorMath.load(up + i, count: count), out + i, count: count)
            i += 8
        }
    }

    /// As `forward`, with llama.cpp's arithmetic (`DecoderNumerics.llamaCPP`): ggml computes GELU
    /// through a table indexed by the gate rounded to F16, holding F16 results (exact outside
    /// −10…10: 0 and the gate itself). SiLU is computed in Float there, as here.
    public func forwardAsLlamaCPP(out: UnsafeMutablePointer<Float>, gate: UnsafePointer<Float>, up: UnsafePointer<Float>, n: Int) {
        guard self == .geluTanh else { return forward(out: out, gate: gate, up: up, n: n) }
        let table = Self.halfGELUTable
        for i in 0..<n {
            let g = gate[i]
            if g <= -10 {
                out[i] = 0
            } else if g >= 10 {
                out[i] = g * up[i]
            } else {
                out[i] = table[Int(Float16(g).bitPattern)] * up[i]
            }
        }
    }

    /// GELU-tanh of every binary16 value, computed in Float and rounded to binary16 (as ggml's table).
    private static let halfGELUTable: [Float] = (0...0xFFFF).map { bits in
        let x = Float(Float16(bitPattern: UInt16(bits)))
        let y = 0.5 * x * (1 + tanhf(GELU.scale * x * (1 + 0.044715 * x * x)))
        return Float(Float16(y))
    }
}
