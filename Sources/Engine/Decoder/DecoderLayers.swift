/// Grouped-query self-attention with RoPE, optional QK-norm (Gemma 3) and an optional sliding window.
struct DecoderAttention {
    let query: Linear       // (NH·hd, C)
    let key: Linear         // (KVH·hd, C)
    let value: Linear       // (KVH·hd, C)
    let output: Linear      // (C, NH·hd)
    let queryNorm: FloatBuffer?  // (hd)
    let keyNorm: FloatBuffer?    // (hd)

    /// inp (M,C) at positions start..<start+M → out (M,C). Writes this chunk's keys and values into
    /// the cache at rows start..<start+M first, then each query at position p attends to cache rows
    /// max(0, p − window + 1) … p. A row's result depends only on the cache contents it can see and
    /// on the chunk's own rows, whatever else the cache holds beyond p.
    func forward(
        out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, rows m: Int, start: Int,
        layer l: Int, layout: DecoderConfiguration.Layer, rope: RotaryEmbedding, ropeTable: (cos: [Float], sin: [Float]),
        configuration cfg: DecoderConfiguration, cache: DecoderKVCache, scratch: DecoderScratch
    ) {
        let nh = cfg.headCount, kvh = cfg.keyValueHeadCount, hd = cfg.headDimension
        let qw = cfg.queryWidth, kvw = cfg.keyValueWidth
        let q = scratch.query.pointer, k = cache.keys(layer: l) + start * kvw, v = cache.values(layer: l) + start * kvw
        query.forward(out: q, inp: inp, rows: m)
        key.forward(out: k, inp: inp, rows: m)
        value.forward(out: v, inp: inp, rows: m)
        if let queryNorm { RMSNorm.forward(out: q, inp: q, weight: queryNorm.pointer, n: m * nh, c: hd, epsilon: cfg.normEpsilon) }
        if let keyNorm { RMSNorm.forward(out: k, inp: k, weight: keyNorm.pointer, n: m * kvh, c: hd, epsilon: cfg.normEpsilon) }
        rope.apply(q, rows: m, rowStride: qw, heads: nh, headDimension: hd, table: ropeTable)
        rope.apply(k, rows: m, rowStride: kvw, heads: kvh, headDimension: hd, table: ropeTable)

        GroupedQueryAttention.forward(out: scratch.attention.pointer, query: q, keys: cache.keys(layer: l), values: cache.values(layer: l),
                                      rows: m, start: start, heads: nh, keyValueHeads: kvh, headDimension: hd,
                                      scale: cfg.attentionScale, slidingWindow: layout.slidingWindow, scores: scratch.scores.pointer)
        output.forward(out: out, inp: scratch.attention.pointer, rows: m)
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
        activation.forward(out: g, gate: g, up: u, n: m * gate.outputs)
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

    /// Updates scratch.x (M,C) in place.
    func forward(
        rows m: Int, start: Int, layer l: Int, rope: RotaryEmbedding, ropeTable: (cos: [Float], sin: [Float]),
        configuration cfg: DecoderConfiguration, cache: DecoderKVCache, scratch: DecoderScratch
    ) {
        let c = cfg.width, epsilon = cfg.normEpsilon
        let x = scratch.x.pointer, normed = scratch.normed.pointer, projected = scratch.projected.pointer
        RMSNorm.forward(out: normed, inp: x, weight: attentionNorm.pointer, n: m, c: c, epsilon: epsilon)
        attention.forward(out: projected, inp: normed, rows: m, start: start, layer: l, layout: cfg.layers[l], rope: rope,
                          ropeTable: ropeTable, configuration: cfg, cache: cache, scratch: scratch)
        if let postAttentionNorm { RMSNorm.forward(out: projected, inp: projected, weight: postAttentionNorm.pointer, n: m, c: c, epsilon: epsilon) }
        Residual.forward(out: x, a: x, b: projected, n: m * c)
        RMSNorm.forward(out: normed, inp: x, weight: feedForwardNorm.pointer, n: m, c: c, epsilon: epsilon)
        mlp.forward(out: projected, inp: normed, rows: m, scratch: scratch)
        if let postFeedForwardNorm { RMSNorm.forward(out: projected, inp: projected, weight: postFeedForwardNorm.pointer, n: m, c: c, epsilon: epsilon) }
        Residual.forward(out: x, a: x, b: projected, n: m * c)
    }
}
