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
}
