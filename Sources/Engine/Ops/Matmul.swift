import CBLAS

/// Row-major matrix products through OpenBLAS `cblas_sgemm` (multi-threaded by OpenBLAS itself).
public enum BLAS {
    /// OpenBLAS worker threads used by each sgemm (default: one per core, or `OPENBLAS_NUM_THREADS`).
    /// Set it once at start-up (e.g. to 1 when the caller runs one model per core); OpenBLAS does
    /// not allow changing it while another thread is inside a BLAS call.
    public static var threadCount: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(max(1, newValue))) }
    }

    /// C(M,N) = alpha * op(A) * op(B) + beta * C, all row-major.
    /// `lda`, `ldb`, `ldc` are row strides in elements (they may exceed the logical width,
    /// which is how attention reads one head out of the (T,3C) QKV rows without copying).
    @inline(__always)
    public static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        guard m > 0, n > 0 else { return }
        if k == 0 {
            if beta == 0 { for i in 0..<m { (c + i * ldc).update(repeating: 0, count: n) } }
            return
        }
        cblas_sgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// y(M) = A(M,N) · x(N), A row-major with row stride `lda`. For a single input row this avoids
    /// sgemm, which packs all of A on every call (profiled: 38% of Gemma's generation time).
    @inline(__always)
    public static func gemv(m: Int, n: Int, a: UnsafePointer<Float>, lda: Int, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        guard m > 0 else { return }
        guard n > 0 else { return y.update(repeating: 0, count: m) }
        cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(m), Int32(n), 1, a, Int32(lda), x, 1, 0, y, 1)
    }
}

/// Fully connected layer in Hugging Face `Conv1D` orientation: the weight is stored (C, OC),
/// i.e. [in, out], so checkpoints load without transposition.
public enum Matmul {
    /// out(N,OC) = inp(N,C) · weight(C,OC) + bias(OC). `bias` may be nil.
    public static func forward(
        out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?, n: Int, c: Int, oc: Int
    ) {
        if let bias {
            for row in 0..<n { (out + row * oc).update(from: bias, count: oc) }
            BLAS.gemm(transposeA: false, transposeB: false, m: n, n: oc, k: c, a: inp, lda: c, b: weight, ldb: oc, beta: 1, c: out, ldc: oc)
        } else {
            BLAS.gemm(transposeA: false, transposeB: false, m: n, n: oc, k: c, a: inp, lda: c, b: weight, ldb: oc, beta: 0, c: out, ldc: oc)
        }
    }

    /// Accumulates gradients: dinp(N,C) += dout(N,OC) · weight(C,OC)ᵀ,
    /// dweight(C,OC) += inp(N,C)ᵀ · dout(N,OC), dbias(OC) += Σ_rows dout.
    public static func backward(
        dinp: UnsafeMutablePointer<Float>, dweight: UnsafeMutablePointer<Float>, dbias: UnsafeMutablePointer<Float>?,
        dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>, n: Int, c: Int, oc: Int
    ) {
        BLAS.gemm(transposeA: false, transposeB: true, m: n, n: c, k: oc, a: dout, lda: oc, b: weight, ldb: oc, beta: 1, c: dinp, ldc: c)
        BLAS.gemm(transposeA: true, transposeB: false, m: c, n: oc, k: n, a: inp, lda: c, b: dout, ldb: oc, beta: 1, c: dweight, ldc: oc)
        if let dbias {
            for row in 0..<n {
                let d = dout + row * oc
                for o in 0..<oc { dbias[o] += d[o] }
            }
        }
    }
}
