#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Causal multi-head self-attention over packed QKV rows (training path).
///
/// Every (batch, head) pair is three `sgemm`s reading the head's columns straight out of the
/// (T, 3C) rows through the leading dimension, so nothing is copied or permuted.
public enum Attention {
    /// inp is (B,T,3C) holding q | k | v, out is (B,T,C), att is (B,NH,T,T) and receives the
    /// post-softmax attention weights (zero above the diagonal) that backward needs.
    public static func forward(
        out: UnsafeMutablePointer<Float>, att: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
        b batchSize: Int, t: Int, c: Int, nh: Int
    ) {
        let hs = c / nh
        let scale = 1 / Float(hs).squareRoot()
        for b in 0..<batchSize {
            for h in 0..<nh {
                let q = inp + b * t * 3 * c + h * hs
                let k = q + c
                let v = q + 2 * c
                let a = att + (b * nh + h) * t * t
                // scores(T,T) = scale · Q(T,hs) · K(T,hs)ᵀ
                BLAS.gemm(transposeA: false, transposeB: true, m: t, n: t, k: hs, alpha: scale, a: q, lda: 3 * c, b: k, ldb: 3 * c, beta: 0, c: a, ldc: t)
                for row in 0..<t { causalSoftmaxRow(a + row * t, visible: row + 1, width: t) }
                // out(T,hs) = att(T,T) · V(T,hs)
                BLAS.gemm(transposeA: false, transposeB: false, m: t, n: hs, k: t, a: a, lda: t, b: v, ldb: 3 * c, beta: 0, c: out + b * t * c + h * hs, ldc: c)
            }
        }
    }

    /// Softmax over the first `visible` entries of a row in place; the rest become 0.
    @inline(__always)
    static func causalSoftmaxRow(_ row: UnsafeMutablePointer<Float>, visible: Int, width: Int) {
        var maximum = -Float.greatestFiniteMagnitude
        for j in 0..<visible where row[j] > maximum { maximum = row[j] }
        let sum = VectorMath.expSubtractingMaximum(row, n: visible, maximum: maximum)
        let inverse = 1 / sum
        for j in 0..<visible { row[j] *= inverse }
        if visible < width { (row + visible).update(repeating: 0, count: width - visible) }
    }

    /// Accumulates dinp(B,T,3C) from dout(B,T,C) using inp and the saved att(B,NH,T,T).
    /// `scratch` must hold T·T floats.
    public static func backward(
        dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, att: UnsafePointer<Float>,
        scratch: UnsafeMutablePointer<Float>, b batchSize: Int, t: Int, c: Int, nh: Int
    ) {
        let hs = c / nh
        let scale = 1 / Float(hs).squareRoot()
        for b in 0..<batchSize {
            for h in 0..<nh {
                let offset = b * t * 3 * c + h * hs
                let q = inp + offset, k = q + c, v = q + 2 * c
                let dq = dinp + offset, dk = dq + c, dv = dq + 2 * c
                let a = att + (b * nh + h) * t * t
                let dO = dout + b * t * c + h * hs
                // datt(T,T) = dO(T,hs) · V(T,hs)ᵀ ; dV(T,hs) += attᵀ · dO
                BLAS.gemm(transposeA: false, transposeB: true, m: t, n: t, k: hs, a: dO, lda: c, b: v, ldb: 3 * c, beta: 0, c: scratch, ldc: t)
                BLAS.gemm(transposeA: true, transposeB: false, m: t, n: hs, k: t, a: a, lda: t, b: dO, ldb: c, beta: 1, c: dv, ldc: 3 * c)
                // Softmax backward in place: dscore = att ⊙ (datt − Σ att·datt), zero above the diagonal.
                for row in 0..<t {
                    let ar = a + row * t
                    let dr = scratch + row * t
                    var dot: Float = 0
                    for j in 0...row { dot += ar[j] * dr[j] }
                    for j in 0...row { dr[j] = ar[j] * (dr[j] - dot) }
                    if row + 1 < t { (dr + row + 1).update(repeating: 0, count: t - row - 1) }
                }
                // dQ += scale · dscore · K ; dK += scale · dscoreᵀ · Q
                BLAS.gemm(transposeA: false, transposeB: false, m: t, n: hs, k: t, alpha: scale, a: scratch, lda: t, b: k, ldb: 3 * c, beta: 1, c: dq, ldc: 3 * c)
                BLAS.gemm(transposeA: true, transposeB: false, m: t, n: hs, k: t, alpha: scale, a: scratch, lda: t, b: q, ldb: 3 * c, beta: 1, c: dk, ldc: 3 * c)
            }
        }
    }
}
