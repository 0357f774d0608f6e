/// GELU, tanh approximation (`gelu_new` in Hugging Face GPT-2).
public enum GELU {
    static let scale: Float = (2 / Float.pi).squareRoot()

    /// out(N) = 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
    public static func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, n: Int) {
        var i = 0
        while i < n {
            let count = min(8, n - i)
            let x = VectorMath.load(inp + i, count: count)
            let t = VectorMath.tanh(scale * (x + 0.044715 * x * x * x))
            VectorMath.store(0.5 * x * (1 + t), out + i, count: count)
            i += 8
        }
    }

    /// dinp(N) += gelu'(inp) · dout.
    public static func backward(dinp: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, dout: UnsafePointer<Float>, n: Int) {
        var i = 0
        while i < n {
            let count = min(8, n - i)
            let x = VectorMath.load(inp + i, count: count)
            let t = VectorMath.tanh(scale * (x + 0.044715 * x * x * x))
            let one = VectorMath.Vector(repeating: 1)
            let sech2: VectorMath.Vector = one - t * t
            let slope: VectorMath.Vector = scale * (one + (3 * 0.044715) * x * x)
            let local: VectorMath.Vector = 0.5 * (one + t) + 0.5 * x * sech2 * slope
            let updated = VectorMath.load(dinp + i, count: count) + local * VectorMath.load(dout + i, count: count)
            VectorMath.store(updated, dinp + i, count: count)
            i += 8
        }
    }
}
