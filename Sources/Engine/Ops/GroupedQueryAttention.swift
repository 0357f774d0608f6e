/// Causal grouped-query attention over a key/value cache, with an optional sliding window
/// (inference path of the Llama / Gemma decoders).
public enum GroupedQueryAttention {
    /// Query rows per block: block [r0, r1) multiplies only against the keys it can see, so the
    /// scores buffer is (queryBlock, visible keys) whatever the sequence length.
    public static let queryBlock = 64

    /// Up to this many query rows (generation, short continuations: the rows the fused products
    /// take) attention runs row by row: each row's result is then the same bits whatever rows run
    /// beside it, as its projections are. Longer chunks use sgemm per block of queries.
    public static let rowByRowLimit = 32

    /// out(M, NH·hd) = softmax(scale · q kᵀ + mask) v, per query head h reading key/value head
    /// h / (NH/KVH).
    ///
    /// - Parameters:
    ///   - query: (M, NH·hd), row r at position start + r.
    ///   - keys, values: (≥ start+M, KVH·hd): rows 0..<start+M filled (the chunk's own rows included).
    ///   - slidingWindow: a query at position p sees keys p − window + 1 … p; nil: 0 … p.
    ///   - scores: scratch of min(M, queryBlock) × (start + M) floats.
    public static func forward(
        out: UnsafeMutablePointer<Float>, query q: UnsafePointer<Float>, keys: UnsafePointer<Float>, values: UnsafePointer<Float>,
        rows m: Int, start: Int, heads nh: Int, keyValueHeads kvh: Int, headDimension hd: Int,
        scale: Float, slidingWindow: Int?, scores: UnsafeMutablePointer<Float>
    ) {
        let qw = nh * hd, kvw = kvh * hd, group = nh / kvh
        if m <= rowByRowLimit {
            return rowByRow(out: out, query: q, keys: keys, values: values, rows: m, start: start, heads: nh, keyValueHeads: kvh,
                            headDimension: hd, scale: scale, slidingWindow: slidingWindow, scores: scores)
        }
        for h in 0..<nh {
            let kvHead = h / group
            for r0 in stride(from: 0, to: m, by: queryBlock) {
                let r1 = min(m, r0 + queryBlock), rows = r1 - r0
                // Keys [lo, hi): everything a query of the block may see.
                let hi = start + r1
                let lo = slidingWindow.map { max(0, start + r0 - $0 + 1) } ?? 0
                let width = hi - lo
                // scores(rows, width) = scale · Q[r0..<r1, head h] · K[lo..<hi, head kvHead]ᵀ
                BLAS.gemm(transposeA: false, transposeB: true, m: rows, n: width, k: hd, alpha: scale,
                          a: q + r0 * qw + h * hd, lda: qw, b: keys + lo * kvw + kvHead * hd, ldb: kvw,
                          beta: 0, c: scores, ldc: width)
                for r in r0..<r1 {
                    let p = start + r
                    let first = slidingWindow.map { max(lo, p - $0 + 1) } ?? 0
                    let row = scores + (r - r0) * width
                    // Softmax over keys first...p; the entries before and after become 0.
                    if first > lo { row.update(repeating: 0, count: first - lo) }
                    Attention.causalSoftmaxRow(row + (first - lo), visible: p + 1 - first, width: width - (first - lo))
                }
                // out[r0..<r1, head h] = scores · V[lo..<hi, head kvHead]
                BLAS.gemm(transposeA: false, transposeB: false, m: rows, n: hd, k: width,
                          a: scores, lda: width, b: values + lo * kvw + kvHead * hd, ldb: kvw,
                          beta: 0, c: out + r0 * qw + h * hd, ldc: qw)
            }
        }
    }

    /// Each query row alone: scores = scale · (q · k_j) for the keys it sees (`VectorMath.dot`), the
    /// softmax, then out = Σ_j p_j · v_j accumulated over j in ascending order.
    static func rowByRow(
        out: UnsafeMutablePointer<Float>, query q: UnsafePointer<Float>, keys: UnsafePointer<Float>, values: UnsafePointer<Float>,
        rows m: Int, start: Int, heads nh: Int, keyValueHeads kvh: Int, headDimension hd: Int,
        scale: Float, slidingWindow: Int?, scores: UnsafeMutablePointer<Float>
    ) {
        let qw = nh * hd, kvw = kvh * hd, group = nh / kvh
        for r in 0..<m {
            let p = start + r
            let first = slidingWindow.map { max(0, p - $0 + 1) } ?? 0
            let visible = p + 1 - first
            for h in 0..<nh {
                let kvHead = h / group
                let query = q + r * qw + h * hd
                for j in 0..<visible {
                    scores[j] = scale * VectorMath.dot(query, keys + (first + j) * kvw + kvHead * hd, count: hd)
                }
                Attention.causalSoftmaxRow(scores, visible: visible, width: visible)
                let o = out + r * qw + h * hd
                o.update(repeating: 0, count: hd)
                for j in 0..<visible {
                    let weight = scores[j], v = values + (first + j) * kvw + kvHead * hd
                    for d in 0..<hd { o[d] += weight * v[d] }
                }
            }
        }
    }
}
