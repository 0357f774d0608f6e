/// Layer normalisation over the channel dimension.
public enum LayerNorm {
    /// out(N,C) = (inp - mean) * rstd * weight(C) + bias(C); saves mean(N) and rstd(N) for backward
    /// when those pointers are non-nil. Statistics accumulate in Float over C (as llm.c does).
    public static func forward(
        out: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>?, rstd: UnsafeMutablePointer<Float>?,
        inp: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, n: Int, c: Int, epsilon: Float
    ) {
        let invC = 1 / Float(c)
        for i in 0..<n {
            let x = inp + i * c
            var sum: Float = 0
            for j in 0..<c { sum += x[j] }
            let m = sum * invC
            var variance: Float = 0
            for j in 0..<c {
                let d = x[j] - m
                variance += d * d
            }
            let s = 1 / (variance * invC + epsilon).squareRoot()
            let o = out + i * c
            for j in 0..<c { o[j] = (x[j] - m) * s * weight[j] + bias[j] }
            mean?[i] = m
            rstd?[i] = s
        }
    }

    /// Accumulates dinp(N,C), dweight(C), dbias(C) from dout(N,C) using the saved mean/rstd.
    public static func backward(
        dinp: UnsafeMutablePointer<Float>, dweight: UnsafeMutablePointer<Float>, dbias: UnsafeMutablePointer<Float>,
        dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>, n: Int, c: Int
    ) {
        let invC = 1 / Float(c)
        for i in 0..<n {
            let d = dout + i * c
            let x = inp + i * c
            let dx = dinp + i * c
            let m = mean[i]
            let s = rstd[i]
            // Two reductions: mean of dnorm and mean of dnorm·norm.
            var dnormMean: Float = 0
            var dnormNormMean: Float = 0
            for j in 0..<c {
                let norm = (x[j] - m) * s
                let dnorm = weight[j] * d[j]
                dnormMean += dnorm
                dnormNormMean += dnorm * norm
            }
            dnormMean *= invC
            dnormNormMean *= invC
            for j in 0..<c {
                let norm = (x[j] - m) * s
                let dnorm = weight[j] * d[j]
                dbias[j] += d[j]
                dweight[j] += norm * d[j]
                dx[j] += (dnorm - dnormMean - norm * dnormNormMean) * s
            }
        }
    }
}
