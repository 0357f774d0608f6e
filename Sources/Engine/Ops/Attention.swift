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
    /// Rows per causal block: row block [r0, r1) only needs key columns [0, r1), so the sgemms
    /// skip the masked upper triangle (≈ 40% fewer attention FLOPs at T = 256).
    public static let defaultBlockSize = 64

    /// inp is (B,T,3C) holding q | k | v, out is (B,T,C), att is (B,NH,T,T) and receives the
    /// post-softmax attention weights (zero above the diagonal) that backward needs.
    public static func forward(
        out: UnsafeMutablePointer<Float>, att: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
        b batchSize: Int, t: Int, c: Int, nh: Int, blockSize: Int = defaultBlockSize
    ) {
        let hs = c / nh
        let scale = 1 / Float(hs).squareRoot()
        for b in 0..<batchSize {
            for h in 0..<nh {
                let q = inp + b * t * 3 * c + h * hs
                let k = q + c
                let v = q + 2 * c
                let a = att + (b * nh + h) * t * t
                let o = out + b * t * c + h * hs
                for r0 in stride(from: 0, to: t, by: blockSize) {
                    let r1 = min(t, r0 + blockSize), rows = r1 - r0
                    // scores(rows, r1) = scale · Q[r0..<r1] · K[0..<r1]ᵀ
                    BLAS.gemm(transposeA: false, transposeB: true, m: rows, n: r1, k: hs, alpha: scale, a: q + r0 * 3 * c, lda: 3 * c, b: k, ldb: 3 * c, beta: 0, c: a + r0 * t, ldc: t)
                    for row in r0..<r1 { causalSoftmaxRow(a + row * t, visible: row + 1, width: t) }
                    // out[r0..<r1] (rows,hs) = att[r0..<r1, 0..<r1] · V[0..<r1]
                    BLAS.gemm(transposeA: false, transposeB: false, m: rows, n: hs, k: r1, a: a + r0 * t, lda: t, b: v, ldb: 3 * c, beta: 0, c: o + r0 * c, ldc: c)
                }
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
    /// `scratch` must hold T·T floats. Same causal blocking as `forward`.
    public static func backward(
        dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, att: UnsafePointer<Float>,
        scratch: UnsafeMutablePointer<Float>, b batchSize: Int, t: Int, c: Int, nh: Int, blockSize: Int = defaultBlockSize
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
                for r0 in stride(from: 0, to: t, by: blockSize) {
                    let r1 = min(t, r0 + blockSize), rows = r1 - r0
                    let ab = a + r0 * t, db = scratch + r0 * t
                    // datt(rows, r1) = dO[r0..<r1] · V[0..<r1]ᵀ ; dV[0..<r1] += att[r0..<r1, 0..<r1]ᵀ · dO[r0..<r1]
                    BLAS.gemm(transposeA: false, transposeB: true, m: rows, n: r1, k: hs, a: dO + r0 * c, lda: c, b: v, ldb: 3 * c, beta: 0, c: db, ldc: t)
                    BLAS.gemm(transposeA: true, transposeB: false, m: r1, n: hs, k: rows, a: ab, lda: t, b: dO + r0 * c, ldb: c, beta: 1, c: dv, ldc: 3 * c)
                    // Softmax backward in place: dscore = att ⊙ (datt − Σ att·datt) on the visible part.
                    for row in r0..<r1 {
                        let ar = a + row * t
                        let dr = scratch + row * t
                        var dot: Float = 0
                        for j in 0...row { dot += ar[j] * dr[j] }
                        for j in 0...row { dr[j] = ar[j] * (dr[j] - dot) }
                        if row + 1 < r1 { (dr + row + 1).update(repeating: 0, count: r1 - row - 1) }
                    }
                    // dQ[r0..<r1] += scale · dscore · K[0..<r1] ; dK[0..<r1] += scale · dscoreᵀ · Q[r0..<r1]
                    BLAS.gemm(transposeA: false, transposeB: false, m: rows, n: hs, k: r1, alpha: scale, a: db, lda: t, b: k, ldb: 3 * c, beta: 1, c: dq + r0 * 3 * c, ldc: 3 * c)
                    BLAS.gemm(transposeA: true, transposeB: false, m: r1, n: hs, k: rows, alpha: scale, a: db, lda: t, b: q + r0 * 3 * c, ldb: 3 * c, beta: 1, c: dk, ldc: 3 * c)
                }
            }
        }
    }
}
