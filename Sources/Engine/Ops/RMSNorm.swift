/// Root-mean-square normalisation (Llama, Gemma): no mean subtraction, no bias.
public enum RMSNorm {
    /// out(N,C) = inp / √(mean(inp²) + ε) · weight(C). `out` may equal `inp` (in place).
    /// The sum of squares accumulates in Double (as ggml's `rms_norm` does), in four interleaved
    /// partial sums (j mod 4) added pairwise at the end: one chain of 640 dependent additions per row
    /// was 7% of Gemma's prompt processing.
    ///
    /// Gemma's own checkpoints scale by (1 + weight); GGUF files written by llama.cpp's converter
    /// already hold 1 + weight, so GGUF weights are used as they are.
    public static func forward(
        out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        n: Int, c: Int, epsilon: Float
    ) {
        for i in 0..<n {
            let x = inp + i * c
            var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
            var j = 0
            while j + 4 <= c {
                s0 += Double(x[j]) * Double(x[j])
                s1 += Double(x[j + 1]) * Double(x[j + 1])
                s2 += Double(x[j + 2]) * Double(x[j + 2])
                s3 += Double(x[j + 3]) * Double(x[j + 3])
                j += 4
            }
            while j < c {
                s0 += Double(x[j]) * Double(x[j])
                j += 1
            }
            let sum = (s0 + s1) + (s2 + s3)
            let scale = 1 / (Float(sum / Double(c)) + epsilon).squareRoot()
            let o = out + i * c
            for j in 0..<c { o[j] = x[j] * scale * weight[j] }
        }
    }
}
