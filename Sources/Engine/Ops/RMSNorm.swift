/// Root-mean-square normalisation (Llama, Gemma): no mean subtraction, no bias.
public enum RMSNorm {
    /// out(N,C) = inp / √(mean(inp²) + ε) · weight(C). `out` may equal `inp` (in place).
    /// The sum of squares accumulates in Double (as ggml's `rms_norm` does).
    ///
    /// Gemma's own checkpoints scale by (1 + weight); GGUF files written by llama.cpp's converter
    /// already hold 1 + weight, so GGUF weights are used as they are.
    public static func forward(
        out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        n: Int, c: Int, epsilon: Float
    ) {
        for i in 0..<n {
            let x = inp + i * c
            var sum = 0.0
            for j in 0..<c { sum += Double(x[j]) * Double(x[j]) }
            let scale = 1 / (Float(sum / Double(c)) + epsilon).squareRoot()
            let o = out + i * c
            for j in 0..<c { o[j] = x[j] * scale * weight[j] }
        }
    }
}
