#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Rows that attend to each other causally (one sequence or one continuation), inside a batch of rows.
struct AttentionGroup {
    /// First row of the group in the batch.
    var start: Int
    /// Number of rows (consecutive positions).
    var count: Int
}

/// Activations of an inference pass over M rows, allocated per call (so concurrent calls share nothing).
final class GPT2InferenceScratch {
    let rows: Int
    let x: FloatBuffer      // (M,C) residual stream
    let ln: FloatBuffer     // (M,C)
    let qkv: FloatBuffer    // (M,3C)
    let atty: FloatBuffer   // (M,C)
    let projection: FloatBuffer // (M,C)
    let fch: FloatBuffer    // (M,4C)
    let gelu: FloatBuffer   // (M,4C)
    let scores: FloatBuffer // (largest group, prefix + largest group)

    init(configuration: GPT2Configuration, rows: Int, largestGroup: Int, prefixLength: Int) {
        let c = configuration.width
        self.rows = rows
        x = FloatBuffer(count: rows * c)
        ln = FloatBuffer(count: rows * c)
        qkv = FloatBuffer(count: rows * 3 * c)
        atty = FloatBuffer(count: rows * c)
        projection = FloatBuffer(count: rows * c)
        fch = FloatBuffer(count: rows * 4 * c)
        gelu = FloatBuffer(count: rows * 4 * c)
        scores = FloatBuffer(count: largestGroup * (prefixLength + largestGroup))
    }
}

extension GPT2Model {
    /// Runs M rows through every block, leaving the residual stream (M,C), before ln_f, in `scratch.x`.
    /// Rows of a group attend causally to each other and to cache positions 0..<prefixLength.
    /// With `storeInCache`, each row's k and v are written to the cache at its position.
    /// Every row-wise op is independent of the other rows, and each group's attention reads only
    /// its own rows and the prefix, so a row's result does not depend on what else is in the batch.
    func runBlocks(
        scratch: GPT2InferenceScratch, tokens: [Int32], positions: [Int32], groups: [AttentionGroup],
        cache: GPT2KVCache?, prefixLength: Int, storeInCache: Bool
    ) {
        let cfg = configuration
        let m = tokens.count, c = cfg.width, nh = cfg.headCount, hs = cfg.headSize
        let p = parameters.pointer
        let epsilon = Float(cfg.layerNormEpsilon)
        let scale = 1 / Float(hs).squareRoot()
        let x = scratch.x.pointer, ln = scratch.ln.pointer, qkv = scratch.qkv.pointer, atty = scratch.atty.pointer
        let projection = scratch.projection.pointer, scores = scratch.scores.pointer
        tokens.withUnsafeBufferPointer { tokenIDs in
            positions.withUnsafeBufferPointer { positionIDs in
                Embedding.forward(out: x, tokens: tokenIDs.baseAddress!, positions: positionIDs.baseAddress!, wte: p + layout.wte, wpe: p + layout.wpe, n: m, c: c)
            }
        }
        for l in 0..<cfg.layerCount {
            let w = layout.layers[l]
            LayerNorm.forward(out: ln, mean: nil, rstd: nil, inp: x, weight: p + w.ln1Weight, bias: p + w.ln1Bias, n: m, c: c, epsilon: epsilon)
            Matmul.forward(out: qkv, inp: ln, weight: p + w.qkvWeight, bias: p + w.qkvBias, n: m, c: c, oc: 3 * c)
            let prefixKeys = cache?.keys(layer: l), prefixValues = cache?.values(layer: l)
            for group in groups {
                let n = group.count, total = prefixLength + n
                for h in 0..<nh {
                    let q = qkv + group.start * 3 * c + h * hs, k = q + c, v = q + 2 * c
                    // scores(n, P+n): [q·prefix keysᵀ | q·own keysᵀ], scaled by 1/√hs.
                    if prefixLength > 0, let prefixKeys {
                        BLAS.gemm(transposeA: false, transposeB: true, m: n, n: prefixLength, k: hs, alpha: scale, a: q, lda: 3 * c, b: prefixKeys + h * hs, ldb: c, beta: 0, c: scores, ldc: total)
                    }
                    BLAS.gemm(transposeA: false, transposeB: true, m: n, n: n, k: hs, alpha: scale, a: q, lda: 3 * c, b: k, ldb: 3 * c, beta: 0, c: scores + prefixLength, ldc: total)
                    for row in 0..<n { Attention.causalSoftmaxRow(scores + row * total, visible: prefixLength + row + 1, width: total) }
                    let out = atty + group.start * c + h * hs
                    var beta: Float = 0
                    if prefixLength > 0, let prefixValues {
                        BLAS.gemm(transposeA: false, transposeB: false, m: n, n: hs, k: prefixLength, a: scores, lda: total, b: prefixValues + h * hs, ldb: c, beta: 0, c: out, ldc: c)
                        beta = 1
                    }
                    BLAS.gemm(transposeA: false, transposeB: false, m: n, n: hs, k: n, a: scores + prefixLength, lda: total, b: v, ldb: 3 * c, beta: beta, c: out, ldc: c)
                }
            }
            if storeInCache, let cache {
                for row in 0..<m {
                    let position = Int(positions[row])
                    (cache.keys(layer: l) + position * c).update(from: qkv + row * 3 * c + c, count: c)
                    (cache.values(layer: l) + position * c).update(from: qkv + row * 3 * c + 2 * c, count: c)
                }
            }
            Matmul.forward(out: projection, inp: atty, weight: p + w.attnProjWeight, bias: p + w.attnProjBias, n: m, c: c, oc: c)
            Residual.forward(out: x, a: x, b: projection, n: m * c)
            LayerNorm.forward(out: ln, mean: nil, rstd: nil, inp: x, weight: p + w.ln2Weight, bias: p + w.ln2Bias, n: m, c: c, epsilon: epsilon)
            Matmul.forward(out: scratch.fch.pointer, inp: ln, weight: p + w.fcWeight, bias: p + w.fcBias, n: m, c: c, oc: 4 * c)
            GELU.forward(out: scratch.gelu.pointer, inp: scratch.fch.pointer, n: m * 4 * c)
            Matmul.forward(out: projection, inp: scratch.gelu.pointer, weight: p + w.fcProjWeight, bias: p + w.fcProjBias, n: m, c: 4 * c, oc: c)
            Residual.forward(out: x, a: x, b: projection, n: m * c)
        }
        if storeInCache, let cache { cache.count = max(cache.count, Int(positions.max() ?? -1) + 1) }
    }

    /// Logits (R,V) for the listed rows of the residual stream x (M,C): ln_f then the tied wte projection.
    func logits(ofRows rows: [Int], in x: UnsafePointer<Float>) -> FloatBuffer {
        let c = configuration.width, v = configuration.vocabularySize, p = parameters.pointer
        let normed = FloatBuffer(count: rows.count * c)
        for (i, row) in rows.enumerated() {
            LayerNorm.forward(out: normed.pointer + i * c, mean: nil, rstd: nil, inp: x + row * c, weight: p + layout.lnfWeight, bias: p + layout.lnfBias, n: 1, c: c, epsilon: Float(configuration.layerNormEpsilon))
        }
        let logits = FloatBuffer(count: rows.count * v)
        BLAS.gemm(transposeA: false, transposeB: true, m: rows.count, n: v, k: c, a: normed.pointer, lda: c, b: p + layout.wte, ldb: c, beta: 0, c: logits.pointer, ldc: v)
        return logits
    }
}
