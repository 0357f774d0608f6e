/// What a checkpoint layout provides to build the blocks: its tensor names and a reader of checked,
/// dequantised tensors. GGUF (`blk.N.attn_q.weight`) and Hugging Face (`model.layers.N.self_attn.q_proj.weight`)
/// layouts differ only here.
protocol DecoderTensorSource {
    /// A weight used as y = W x, stored (outputs, inputs).
    func linear(_ name: String, inputs: Int, outputs: Int) throws -> Linear
    func vector(_ name: String, count: Int) throws -> FloatBuffer
}

/// The names of one block's tensors in a checkpoint layout, for block index N.
struct DecoderTensorNames: Sendable {
    let query, key, value, output: @Sendable (Int) -> String
    let gate, up, down: @Sendable (Int) -> String
    let attentionNorm, feedForwardNorm: @Sendable (Int) -> String
    /// Gemma 3 only (QK-norm, post-norms); unused when the configuration has none.
    let queryNorm, keyNorm, postAttentionNorm, postFeedForwardNorm: @Sendable (Int) -> String

    /// llama.cpp's GGUF names.
    static let gguf = DecoderTensorNames(
        query: { "blk.\($0).attn_q.weight" }, key: { "blk.\($0).attn_k.weight" }, value: { "blk.\($0).attn_v.weight" },
        output: { "blk.\($0).attn_output.weight" }, gate: { "blk.\($0).ffn_gate.weight" }, up: { "blk.\($0).ffn_up.weight" },
        down: { "blk.\($0).ffn_down.weight" }, attentionNorm: { "blk.\($0).attn_norm.weight" }, feedForwardNorm: { "blk.\($0).ffn_norm.weight" },
        queryNorm: { "blk.\($0).attn_q_norm.weight" }, keyNorm: { "blk.\($0).attn_k_norm.weight" },
        postAttentionNorm: { "blk.\($0).post_attention_norm.weight" }, postFeedForwardNorm: { "blk.\($0).post_ffw_norm.weight" })

    /// transformers' Llama names. Its `post_attention_layernorm` is the norm before the MLP (GGUF's ffn_norm).
    static let huggingFaceLlama = DecoderTensorNames(
        query: { "model.layers.\($0).self_attn.q_proj.weight" }, key: { "model.layers.\($0).self_attn.k_proj.weight" },
        value: { "model.layers.\($0).self_attn.v_proj.weight" }, output: { "model.layers.\($0).self_attn.o_proj.weight" },
        gate: { "model.layers.\($0).mlp.gate_proj.weight" }, up: { "model.layers.\($0).mlp.up_proj.weight" },
        down: { "model.layers.\($0).mlp.down_proj.weight" }, attentionNorm: { "model.layers.\($0).input_layernorm.weight" },
        feedForwardNorm: { "model.layers.\($0).post_attention_layernorm.weight" },
        queryNorm: { "model.layers.\($0).self_attn.q_norm.weight" }, keyNorm: { "model.layers.\($0).self_attn.k_norm.weight" },
        postAttentionNorm: { "model.layers.\($0).post_attention_norm.weight" }, postFeedForwardNorm: { "model.layers.\($0).post_feedforward_layernorm.weight" })
}

extension DecoderModel {
    /// Every block of `cfg`, read from `source` under `names`, shapes checked by the source.
    static func blocks(_ cfg: DecoderConfiguration, from source: some DecoderTensorSource, names: DecoderTensorNames) throws -> [DecoderBlock] {
        let c = cfg.width
        return try (0..<cfg.layerCount).map { l in
            let attention = DecoderAttention(
                query: try source.linear(names.query(l), inputs: c, outputs: cfg.queryWidth),
                key: try source.linear(names.key(l), inputs: c, outputs: cfg.keyValueWidth),
                value: try source.linear(names.value(l), inputs: c, outputs: cfg.keyValueWidth),
                output: try source.linear(names.output(l), inputs: cfg.queryWidth, outputs: c),
                queryNorm: cfg.hasQueryKeyNorm ? try source.vector(names.queryNorm(l), count: cfg.headDimension) : nil,
                keyNorm: cfg.hasQueryKeyNorm ? try source.vector(names.keyNorm(l), count: cfg.headDimension) : nil)
            let mlp = DecoderMLP(
                gate: try source.linear(names.gate(l), inputs: c, outputs: cfg.feedForwardWidth),
                up: try source.linear(names.up(l), inputs: c, outputs: cfg.feedForwardWidth),
                down: try source.linear(names.down(l), inputs: cfg.feedForwardWidth, outputs: c),
                activation: cfg.activation)
            return DecoderBlock(
                attentionNorm: try source.vector(names.attentionNorm(l), count: c),
                attention: attention,
                postAttentionNorm: cfg.hasPostNorms ? try source.vector(names.postAttentionNorm(l), count: c) : nil,
                feedForwardNorm: try source.vector(names.feedForwardNorm(l), count: c),
                mlp: mlp,
                postFeedForwardNorm: cfg.hasPostNorms ? try source.vector(names.postFeedForwardNorm(l), count: c) : nil)
        }
    }
}
