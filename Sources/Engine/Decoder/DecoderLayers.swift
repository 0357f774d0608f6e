/// Grouped-query self-attention with RoPE, optional QK-norm (Gemma 3) and an optional sliding window.
struct DecoderAttention {
    let query: Linear       // (NH·hd, C)
    let key: Linear         // (KVH·hd, C)
    let value: Linear       // (KVH·hd, C)
    let output: Linear      // (C, NH·hd)
    let queryNorm: FloatBuffer?  // (hd)
    let keyNorm: FloatBuffer?    // (hd)

    /// inp (M,C) → out (M,C), the M rows being `segments`: each a run of rows continuing the cache
    /// at its own position (one segment for an ordinary chunk; several branches from one prefix).
    /// Projections run over all M rows at once; then, segment after segment, its keys and values
    /// go to cache rows start..<start+count and each of its queries at position p attends to cache
    /// rows max(0, p − window + 1) … p. A row's result depends only on the cache contents it can see
    /// and on its own segment's rows, whatever else the cache or the pass holds (a later segment
    /// overwrites an earlier one's cache rows once that one's attention is done).
    func forward(
        out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, segments: [DecoderSegment], rows m: Int,
        layer l: Int, layout: DecoderConfiguration.Layer, configuration cfg: DecoderConfiguration,
        cache: DecoderKVCache, scratch: DecoderScratch
    ) {
        let nh = cfg.headCount, kvh = cfg.keyValueHeadCount, hd = cfg.headDimension
        let qw = cfg.queryWidth, kvw = cfg.keyValueWidth
        let q = scratch.query.pointer, k = scratch.key.pointer, v = scratch.value.pointer
        query.forward(out: q, inp: inp, rows: m)
        key.forward(out: k, inp: inp, rows: m)
        value.forward(out: v, inp: inp, rows: m)
        // Row by row (the same values however the rows are split), so between the threads.
        let rope = cfg.rotaryEmbeddings[layout.rotaryEmbedding], epsilon = cfg.normEpsilon
        ParallelRows.forEach(count: m, minimumPerThread: DecoderBlock.rowsPerThread) { rows in
            let first = rows.lowerBound
            if let queryNorm { RMSNorm.forward(out: q + first * qw, inp: q + first * qw, weight: queryNorm.pointer, n: rows.count * nh, c: hd, epsilon: epsilon) }
            if let keyNorm { RMSNorm.forward(out: k + first * kvw, inp: k + first * kvw, weight: keyNorm.pointer, n: rows.count * kvh, c: hd, epsilon: epsilon) }
            for segment in segments {
                let shared = segment.rows.clamped(to: rows)
                guard !shared.isEmpty else { continue }
                let table = segment.ropeTables[layout.rotaryEmbedding], offset = shared.lowerBound - segment.rows.lowerBound
                rope.apply(q + shared.lowerBound * qw, rows: shared.count, rowStride: qw, heads: nh, headDimension: hd, table: table, firstRow: offset)
                rope.apply(k + shared.lowerBound * kvw, rows: shared.count, rowStride: kvw, heads: kvh, headDimension: hd, table: table, firstRow: offset)
            }
        }
        for segment in segments {
            let r0 = segment.rows.lowerBound, count = segment.rows.count
            (cache.keys(layer: l) + segment.start * kvw).update(from: k + r0 * kvw, count: count * kvw)
            (cache.values(layer: l) + segment.start * kvw).update(from: v + r0 * kvw, count: count * kvw)
            GroupedQueryAttention.forward(out: scratch.attention.pointer + r0 * qw, query: q + r0 * qw, keys: cache.keys(layer: l),
                                          values: cache.values(layer: l), rows: count, start: segment.start, heads: nh,
                                          keyValueHeads: kvh, headDimension: hd, scale: cfg.attentionScale,
                                          slidingWindow: layout.slidingWindow)
        }
        output.forward(out: out, inp: scratch.attention.pointer, rows: m)
    }
}

/// Rows of a pass through the blocks that form one sequence: rows `rows` of the pass continue the
/// cache at position `start`; `ropeTables` holds each rotary embedding's table for positions
/// start..<start+rows.count.
struct DecoderSegment {
    let rows: Range<Int>
    let start: Int
    let ropeTables: [(cos: [Float], sin: [Float])]

    init(rows: Range<Int>, start: Int, configuration cfg: DecoderConfiguration) {
        self.rows = rows
        self.start = start
        ropeTables = cfg.rotaryEmbeddings.map { $0.table(start: start, count: rows.count) }
    }
}

/// The gated feed-forward network: down(act(gate(x)) ⊙ up(x)) (SwiGLU for Llama, GeGLU for Gemma).
struct DecoderMLP {
    let gate: Linear    // (F, C)
    let up: Linear      // (F, C)
    let down: Linear    // (C, F)
    let activation: GatedActivation

    /// inp (M,C) → out (M,C), using scratch.gate and scratch.up (M,F).
    func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, rows m: Int, scratch: DecoderScratch) {
        let g = scratch.gate.pointer, u = scratch.up.pointer
        gate.forward(out: g, inp: inp, rows: m)
        up.forward(out: u, inp: inp, rows: m)
        // Elementwise, so any split gives the same values: rows between the threads when there are many.
        let f = gate.outputs, activation = activation
        ParallelRows.forEach(count: m, minimumPerThread: 16) { rows in
            activation.forward(out: g + rows.lowerBound * f, gate: g + rows.lowerBound * f, up: u + rows.lowerBound * f, n: rows.count * f)
        }
        down.forward(out: out, inp: g, rows: m)
    }
}

/// One pre-norm block. Llama: x += attn(norm(x)); x += mlp(norm(x)).
/// Gemma 3 adds a norm after each sublayer: x += postnorm(attn(norm(x))); x += postnorm(mlp(norm(x))).
struct DecoderBlock {
    let attentionNorm: FloatBuffer          // (C)
    let attention: DecoderAttention
    let postAttentionNorm: FloatBuffer?     // (C)
    let feedForwardNorm: FloatBuffer        // (C)
    let mlp: DecoderMLP
    let postFeedForwardNorm: FloatBuffer?   // (C)

    /// Whether every weight has its stored form, so products of up to `Linear.packedMaximumRows`
    /// rows are fused and each row's values independent of the others.
    var hasFusedProducts: Bool {
        [attention.query, attention.key, attention.value, attention.output, mlp.gate, mlp.up, mlp.down].allSatisfy { $0.packed != nil }
    }

    /// Whether every weight is served in its stored form at any row count (no Float copy: the
    /// regrouped rows), so passes of any length keep each row's values independent.
    var hasOnlyStoredForms: Bool {
        [attention.query, attention.key, attention.value, attention.output, mlp.gate, mlp.up, mlp.down].allSatisfy { $0.weight == nil && $0.packed != nil }
    }

    /// Updates scratch.x (M,C) in place; the rows are `segments` (see `DecoderAttention.forward`).
    func forward(
        segments: [DecoderSegment], rows m: Int, layer l: Int, configuration cfg: DecoderConfiguration,
        cache: DecoderKVCache, scratch: DecoderScratch
    ) {
        let c = cfg.width, epsilon = cfg.normEpsilon
        let x = scratch.x.pointer, normed = scratch.normed.pointer, projected = scratch.projected.pointer
        // The norms and residual additions go row by row (the same values however the rows are
        // split), so between the threads, each stretch of them as one job.
        ParallelRows.forEach(count: m, minimumPerThread: Self.rowsPerThread) { rows in
            let at = rows.lowerBound * c
            RMSNorm.forward(out: normed + at, inp: x + at, weight: attentionNorm.pointer, n: rows.count, c: c, epsilon: epsilon)
        }
        attention.forward(out: projected, inp: normed, segments: segments, rows: m, layer: l, layout: cfg.layers[l],
                          configuration: cfg, cache: cache, scratch: scratch)
        ParallelRows.forEach(count: m, minimumPerThread: Self.rowsPerThread) { rows in
            let at = rows.lowerBound * c
            if let postAttentionNorm {
                RMSNorm.forward(out: projected + at, inp: projected + at, weight: postAttentionNorm.pointer, n: rows.count, c: c, epsilon: epsilon)
            }
            Residual.forward(out: x + at, a: x + at, b: projected + at, n: rows.count * c)
            RMSNorm.forward(out: normed + at, inp: x + at, weight: feedForwardNorm.pointer, n: rows.count, c: c, epsilon: epsilon)
        }
        mlp.forward(out: projected, inp: normed, rows: m, scratch: scratch)
        ParallelRows.forEach(count: m, minimumPerThread: Self.rowsPerThread) { rows in
            let at = rows.lowerBound * c
            if let postFeedForwardNorm {
                RMSNorm.forward(out: projected + at, inp: projected + at, weight: postFeedForwardNorm.pointer, n: rows.count, c: c, epsilon: epsilon)
            }
            Residual.forward(out: x + at, a: x + at, b: projected + at, n: rows.count * c)
        }
    }

    /// Rows below which the row-by-row steps (norms, residuals, RoPE) are not split between threads.
    static let rowsPerThread = 16
}
