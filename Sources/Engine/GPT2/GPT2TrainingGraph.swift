/// The activations and gradients of one GPT-2 forward/backward pass over a (B,T) batch,
/// allocated once and reused every step (llm.c's `gpt2_forward` / `gpt2_backward`).
///
/// `forward` keeps what `backward` needs; `backward` *accumulates* into `gradients`
/// (same layout as the parameters), so gradient accumulation is repeated forward/backward
/// calls followed by one optimizer step. Call `zeroGradients()` before a new step.
public final class GPT2TrainingGraph {
    public let model: GPT2Model
    public let batchSize: Int
    public let sequenceLength: Int
    /// d loss / d parameters, in `model.layout`.
    public let gradients: FloatBuffer

    let tokens: UnsafeMutablePointer<Int32>    // (B,T)
    let targets: UnsafeMutablePointer<Int32>   // (B,T)
    let positions: UnsafeMutablePointer<Int32> // (B,T)
    // Forward activations; L-stacked ones are indexed [layer][b][t][...].
    let encoded: FloatBuffer        // (B,T,C)
    let ln1, ln2: FloatBuffer       // (L,B,T,C)
    let ln1Mean, ln1Rstd, ln2Mean, ln2Rstd: FloatBuffer // (L,B,T)
    let qkv: FloatBuffer            // (L,B,T,3C)
    let attentionOut: FloatBuffer   // (L,B,T,C) attention output before its projection
    let attention: FloatBuffer      // (L,B,NH,T,T) softmax weights
    let residual2, residual3: FloatBuffer // (L,B,T,C)
    let fch, fchGelu: FloatBuffer   // (L,B,T,4C)
    let lnf: FloatBuffer            // (B,T,C)
    let lnfMean, lnfRstd: FloatBuffer // (B,T)
    let probs: FloatBuffer          // (B,T,V) probabilities, then dlogits during backward
    let losses: FloatBuffer         // (B,T)
    // Backward scratch, reused by every layer.
    let projection: FloatBuffer     // (B,T,C) forward scratch for c_proj outputs
    let dResidual, dLn, dAttentionOut: FloatBuffer // (B,T,C)
    let dQKV: FloatBuffer           // (B,T,3C)
    let dFch, dFchGelu: FloatBuffer // (B,T,4C)
    let dAttentionScratch: FloatBuffer // (T,T)
    private var hasTargets = false

    public init(model: GPT2Model, batchSize: Int, sequenceLength: Int) throws {
        let cfg = model.configuration
        guard batchSize > 0, sequenceLength > 0, sequenceLength <= cfg.positionCount else {
            throw EngineError.invalidArgument("training batch (B=\(batchSize), T=\(sequenceLength)) must be positive with T <= n_positions \(cfg.positionCount)")
        }
        self.model = model
        self.batchSize = batchSize
        self.sequenceLength = sequenceLength
        let n = batchSize * sequenceLength, c = cfg.width, l = cfg.layerCount
        gradients = FloatBuffer(count: model.layout.totalCount)
        tokens = .allocate(capacity: n); tokens.initialize(repeating: 0, count: n)
        targets = .allocate(capacity: n); targets.initialize(repeating: 0, count: n)
        positions = .allocate(capacity: n)
        for i in 0..<n { positions[i] = Int32(i % sequenceLength) }
        encoded = FloatBuffer(count: n * c)
        ln1 = FloatBuffer(count: l * n * c); ln2 = FloatBuffer(count: l * n * c)
        ln1Mean = FloatBuffer(count: l * n); ln1Rstd = FloatBuffer(count: l * n)
        ln2Mean = FloatBuffer(count: l * n); ln2Rstd = FloatBuffer(count: l * n)
        qkv = FloatBuffer(count: l * n * 3 * c)
        attentionOut = FloatBuffer(count: l * n * c)
        attention = FloatBuffer(count: l * batchSize * cfg.headCount * sequenceLength * sequenceLength)
        residual2 = FloatBuffer(count: l * n * c); residual3 = FloatBuffer(count: l * n * c)
        fch = FloatBuffer(count: l * n * 4 * c); fchGelu = FloatBuffer(count: l * n * 4 * c)
        lnf = FloatBuffer(count: n * c); lnfMean = FloatBuffer(count: n); lnfRstd = FloatBuffer(count: n)
        probs = FloatBuffer(count: n * cfg.vocabularySize)
        losses = FloatBuffer(count: n)
        projection = FloatBuffer(count: n * c)
        dResidual = FloatBuffer(count: n * c); dLn = FloatBuffer(count: n * c); dAttentionOut = FloatBuffer(count: n * c)
        dQKV = FloatBuffer(count: n * 3 * c)
        dFch = FloatBuffer(count: n * 4 * c); dFchGelu = FloatBuffer(count: n * 4 * c)
        dAttentionScratch = FloatBuffer(count: sequenceLength * sequenceLength)
    }

    deinit {
        tokens.deallocate()
        targets.deallocate()
        positions.deallocate()
    }

    public func zeroGradients() { gradients.zero() }

    /// Runs the model on inputs (B·T token ids, row-major (B,T)); with targets (same shape) it
    /// also computes the mean cross-entropy, which it returns. Throws on out-of-range ids.
    @discardableResult
    public func forward(inputs: [Int], targets targetIDs: [Int]?) throws -> Float {
        let cfg = model.configuration
        let b = batchSize, t = sequenceLength, c = cfg.width, nh = cfg.headCount, v = cfg.vocabularySize
        let n = b * t
        guard inputs.count == n, targetIDs.map({ $0.count == n }) ?? true else {
            throw EngineError.invalidArgument("forward expects \(n) input ids (B=\(b) x T=\(t)), got \(inputs.count)")
        }
        for (i, id) in inputs.enumerated() {
            guard id >= 0, id < v else { throw EngineError.invalidArgument("token id \(id) at position \(i) is outside the vocabulary 0..<\(v)") }
            tokens[i] = Int32(id)
        }
        if let targetIDs {
            for (i, id) in targetIDs.enumerated() {
                guard id >= 0, id < v else { throw EngineError.invalidArgument("target id \(id) at position \(i) is outside the vocabulary 0..<\(v)") }
                targets[i] = Int32(id)
            }
        }
        hasTargets = targetIDs != nil
        let p = model.parameters.pointer, layout = model.layout
        let epsilon = Float(cfg.layerNormEpsilon)
        Embedding.forward(out: encoded.pointer, tokens: tokens, positions: positions, wte: p + layout.wte, wpe: p + layout.wpe, n: n, c: c)
        for l in 0..<cfg.layerCount {
            let w = layout.layers[l]
            let input = l == 0 ? encoded.pointer : residual3.pointer + (l - 1) * n * c
            let ln1 = self.ln1.pointer + l * n * c, ln2 = self.ln2.pointer + l * n * c
            let qkv = self.qkv.pointer + l * n * 3 * c, atty = attentionOut.pointer + l * n * c
            let att = attention.pointer + l * b * nh * t * t
            let res2 = residual2.pointer + l * n * c, res3 = residual3.pointer + l * n * c
            let fch = self.fch.pointer + l * n * 4 * c, gelu = fchGelu.pointer + l * n * 4 * c
            LayerNorm.forward(out: ln1, mean: ln1Mean.pointer + l * n, rstd: ln1Rstd.pointer + l * n, inp: input, weight: p + w.ln1Weight, bias: p + w.ln1Bias, n: n, c: c, epsilon: epsilon)
            Matmul.forward(out: qkv, inp: ln1, weight: p + w.qkvWeight, bias: p + w.qkvBias, n: n, c: c, oc: 3 * c)
            Attention.forward(out: atty, att: att, inp: qkv, b: b, t: t, c: c, nh: nh)
            Matmul.forward(out: projection.pointer, inp: atty, weight: p + w.attnProjWeight, bias: p + w.attnProjBias, n: n, c: c, oc: c)
            Residual.forward(out: res2, a: input, b: projection.pointer, n: n * c)
            LayerNorm.forward(out: ln2, mean: ln2Mean.pointer + l * n, rstd: ln2Rstd.pointer + l * n, inp: res2, weight: p + w.ln2Weight, bias: p + w.ln2Bias, n: n, c: c, epsilon: epsilon)
            Matmul.forward(out: fch, inp: ln2, weight: p + w.fcWeight, bias: p + w.fcBias, n: n, c: c, oc: 4 * c)
            GELU.forward(out: gelu, inp: fch, n: n * 4 * c)
            Matmul.forward(out: projection.pointer, inp: gelu, weight: p + w.fcProjWeight, bias: p + w.fcProjBias, n: n, c: 4 * c, oc: c)
            Residual.forward(out: res3, a: res2, b: projection.pointer, n: n * c)
        }
        let last = residual3.pointer + (cfg.layerCount - 1) * n * c
        LayerNorm.forward(out: lnf.pointer, mean: lnfMean.pointer, rstd: lnfRstd.pointer, inp: last, weight: p + layout.lnfWeight, bias: p + layout.lnfBias, n: n, c: c, epsilon: epsilon)
        // logits(N,V) = lnf(N,C) · wte(V,C)ᵀ
        BLAS.gemm(transposeA: false, transposeB: true, m: n, n: v, k: c, a: lnf.pointer, lda: c, b: p + layout.wte, ldb: c, beta: 0, c: probs.pointer, ldc: v)
        guard hasTargets else { return .nan }
        SoftmaxCrossEntropy.forward(probs: probs.pointer, losses: losses.pointer, targets: targets, n: n, v: v)
        var sum: Double = 0
        for i in 0..<n { sum += Double(losses.pointer[i]) }
        return Float(sum / Double(n))
    }

    /// The logits (B,T,V) of the last `forward(inputs:targets: nil)` call.
    public var logits: UnsafePointer<Float> { UnsafePointer(probs.pointer) }

    /// Accumulates into `gradients` the gradient of `lossScale` × (mean loss of the last forward).
    /// Use `lossScale = 1 / accumulationSteps` for gradient accumulation.
    public func backward(lossScale: Float = 1) throws {
        guard hasTargets else { throw EngineError.invalidArgument("backward needs a forward pass with targets") }
        let cfg = model.configuration
        let b = batchSize, t = sequenceLength, c = cfg.width, nh = cfg.headCount, v = cfg.vocabularySize
        let n = b * t
        let p = model.parameters.pointer, g = gradients.pointer, layout = model.layout
        SoftmaxCrossEntropy.backward(probsToGradient: probs.pointer, targets: targets, dloss: lossScale / Float(n), n: n, v: v)
        hasTargets = false  // probs now hold dlogits
        // lm_head: dlnf(N,C) = dlogits(N,V)·wte(V,C); dwte += dlogitsᵀ·lnf
        BLAS.gemm(transposeA: false, transposeB: false, m: n, n: c, k: v, a: probs.pointer, lda: v, b: p + layout.wte, ldb: c, beta: 0, c: dLn.pointer, ldc: c)
        BLAS.gemm(transposeA: true, transposeB: false, m: v, n: c, k: n, a: probs.pointer, lda: v, b: lnf.pointer, ldb: c, beta: 1, c: g + layout.wte, ldc: c)
        dResidual.zero()
        let last = residual3.pointer + (cfg.layerCount - 1) * n * c
        LayerNorm.backward(dinp: dResidual.pointer, dweight: g + layout.lnfWeight, dbias: g + layout.lnfBias, dout: dLn.pointer, inp: last, weight: p + layout.lnfWeight, mean: lnfMean.pointer, rstd: lnfRstd.pointer, n: n, c: c)
        // dResidual now holds d loss / d (output of the last block); walk the blocks backwards.
        for l in stride(from: cfg.layerCount - 1, through: 0, by: -1) {
            let w = layout.layers[l]
            let input = l == 0 ? encoded.pointer : residual3.pointer + (l - 1) * n * c
            let ln1 = self.ln1.pointer + l * n * c, ln2 = self.ln2.pointer + l * n * c
            let qkv = self.qkv.pointer + l * n * 3 * c, atty = attentionOut.pointer + l * n * c
            let att = attention.pointer + l * b * nh * t * t
            let res2 = residual2.pointer + l * n * c
            let fch = self.fch.pointer + l * n * 4 * c, gelu = fchGelu.pointer + l * n * 4 * c
            let dres = dResidual.pointer
            // MLP branch: res3 = res2 + c_proj(gelu(c_fc(ln_2(res2))))
            dFchGelu.zero()
            Matmul.backward(dinp: dFchGelu.pointer, dweight: g + w.fcProjWeight, dbias: g + w.fcProjBias, dout: dres, inp: gelu, weight: p + w.fcProjWeight, n: n, c: 4 * c, oc: c)
            dFch.zero()
            GELU.backward(dinp: dFch.pointer, inp: fch, dout: dFchGelu.pointer, n: n * 4 * c)
            dLn.zero()
            Matmul.backward(dinp: dLn.pointer, dweight: g + w.fcWeight, dbias: g + w.fcBias, dout: dFch.pointer, inp: ln2, weight: p + w.fcWeight, n: n, c: c, oc: 4 * c)
            LayerNorm.backward(dinp: dres, dweight: g + w.ln2Weight, dbias: g + w.ln2Bias, dout: dLn.pointer, inp: res2, weight: p + w.ln2Weight, mean: ln2Mean.pointer + l * n, rstd: ln2Rstd.pointer + l * n, n: n, c: c)
            // Attention branch: res2 = input + c_proj(attention(c_attn(ln_1(input))))
            dAttentionOut.zero()
            Matmul.backward(dinp: dAttentionOut.pointer, dweight: g + w.attnProjWeight, dbias: g + w.attnProjBias, dout: dres, inp: atty, weight: p + w.attnProjWeight, n: n, c: c, oc: c)
            dQKV.zero()
            Attention.backward(dinp: dQKV.pointer, dout: dAttentionOut.pointer, inp: qkv, att: att, scratch: dAttentionScratch.pointer, b: b, t: t, c: c, nh: nh)
            dLn.zero()
            Matmul.backward(dinp: dLn.pointer, dweight: g + w.qkvWeight, dbias: g + w.qkvBias, dout: dQKV.pointer, inp: ln1, weight: p + w.qkvWeight, n: n, c: c, oc: 3 * c)
            LayerNorm.backward(dinp: dres, dweight: g + w.ln1Weight, dbias: g + w.ln1Bias, dout: dLn.pointer, inp: input, weight: p + w.ln1Weight, mean: ln1Mean.pointer + l * n, rstd: ln1Rstd.pointer + l * n, n: n, c: c)
        }
        Embedding.backward(dwte: g + layout.wte, dwpe: g + layout.wpe, dout: dResidual.pointer, tokens: tokens, positions: positions, n: n, c: c)
    }
}
