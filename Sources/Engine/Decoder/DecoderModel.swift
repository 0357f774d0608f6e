/// A decoder-only transformer of the Llama / Gemma 3 family, run for inference on the CPU.
///
/// ```
/// tokens (N) ─ embedding (V,C)[token] · embeddingScale ─> x (N,C)
/// for each of L blocks (DecoderBlock): attention (GQA, RoPE, QK-norm, sliding window) and gated MLP,
///     pre-norms (and Gemma's post-norms) around each, residual adds
/// logits (R,V) = RMSNorm(x) · Wᵀ at the R rows that are scored; W = the embedding when tied (Gemma)
/// ```
///
/// Weights of the blocks are Float (dequantised at load, for sgemm over long chunks) and, when
/// quantised, also kept as stored for fused products of up to 32 rows; the embedding and output
/// matrices exist only in their stored GGUF type (`PackedMatrix`). Immutable after load: every
/// inference call allocates its own cache and scratch, so concurrent calls are safe.
public final class DecoderModel: @unchecked Sendable {
    public let configuration: DecoderConfiguration
    let embedding: PackedMatrix         // (V,C)
    let outputProjection: PackedMatrix  // (V,C); the embedding itself when tied
    let blocks: [DecoderBlock]
    let outputNorm: FloatBuffer         // (C)

    /// Rows run through the blocks at once; longer inputs go in chunks of this many positions
    /// (as llama.cpp's batches), which bounds the activations' memory.
    static let chunkRows = 512

    init(configuration: DecoderConfiguration, embedding: PackedMatrix, outputProjection: PackedMatrix,
         blocks: [DecoderBlock], outputNorm: FloatBuffer) {
        self.configuration = configuration
        self.embedding = embedding
        self.outputProjection = outputProjection
        self.blocks = blocks
        self.outputNorm = outputNorm
    }

    /// Runs `tokens` at positions start..<start+N through every block, chunk by chunk, writing each
    /// layer's keys and values into `cache` rows start..<start+N. Returns the residual stream
    /// (before the final norm) at the token indices `collect` (ascending), as (R,C).
    func run(tokens: [Int], start: Int, cache: DecoderKVCache, collect: [Int]) -> FloatBuffer {
        let cfg = configuration, c = cfg.width
        let hidden = FloatBuffer(count: collect.count * c)
        let scratch = DecoderScratch(configuration: cfg, rows: min(Self.chunkRows, tokens.count), capacity: cache.capacity)
        var next = 0  // index into collect
        for chunkStart in stride(from: 0, to: tokens.count, by: Self.chunkRows) {
            let m = min(Self.chunkRows, tokens.count - chunkStart)
            embed(tokens[chunkStart..<(chunkStart + m)], into: scratch)
            runBlocks(segments: [DecoderSegment(rows: 0..<m, start: start + chunkStart, configuration: cfg)], rows: m, cache: cache, scratch: scratch)
            while next < collect.count, collect[next] < chunkStart + m {
                (hidden.pointer + next * c).update(from: scratch.x.pointer + (collect[next] - chunkStart) * c, count: c)
                next += 1
            }
        }
        return hidden
    }

    /// Branches that each continue the cache at position `start` (the continuations of one
    /// context, the remainders of one prefix), each as if run alone after the cache's first
    /// `start` rows; returns every row of each branch's residual stream, (count_b, C) per branch.
    /// `trunk`, when given, is those first `start` tokens, not yet run: it goes first in the first
    /// pass (in each layer its keys and values are in the cache before any branch attends), and its
    /// rows are returned too. Sequences of together at most `branchRowsPerPass` rows share one pass
    /// through the blocks (one read of the weights); a row's values are then the same bits as in a
    /// pass of its own sequence alone (fused products, attention per sequence). Longer ones run alone.
    func runBranches(_ branches: [[Int]], start: Int, cache: DecoderKVCache, trunk: [Int] = []) -> (trunk: FloatBuffer, branches: [FloatBuffer]) {
        precondition(trunk.isEmpty || trunk.count == start, "the trunk is the cache's first `start` positions")
        let cfg = configuration, c = cfg.width
        let sequences: [(tokens: [Int], start: Int)] = [(trunk, 0)] + branches.map { ($0, start) }
        var hidden = sequences.map { FloatBuffer(count: $0.tokens.count * c) }
        var pass: [Int] = [], passRows = 0
        func flush() {
            guard passRows > 0 else { return }
            let scratch = DecoderScratch(configuration: cfg, rows: passRows, capacity: cache.capacity)
            embed(pass.flatMap { sequences[$0].tokens }[...], into: scratch)
            var segments: [DecoderSegment] = [], first = 0
            for s in pass {
                let count = sequences[s].tokens.count
                segments.append(DecoderSegment(rows: first..<(first + count), start: sequences[s].start, configuration: cfg))
                first += count
            }
            runBlocks(segments: segments, rows: passRows, cache: cache, scratch: scratch)
            for (s, segment) in zip(pass, segments) {
                hidden[s].pointer.update(from: scratch.x.pointer + segment.rows.lowerBound * c, count: segment.rows.count * c)
            }
            pass = []
            passRows = 0
        }
        for (s, sequence) in sequences.enumerated() where !sequence.tokens.isEmpty {
            guard sequence.tokens.count <= branchRowsPerPass else {
                flush()  // the trunk, if pending, must be in the cache first
                hidden[s] = run(tokens: sequence.tokens, start: sequence.start, cache: cache, collect: Array(sequence.tokens.indices))
                continue
            }
            if passRows + sequence.tokens.count > branchRowsPerPass { flush() }
            pass.append(s)
            passRows += sequence.tokens.count
        }
        flush()
        return (hidden[0], Array(hidden.dropFirst()))
    }

    /// Rows of branches that may share a pass, so that each row's values are independent of the
    /// pass: a chunk when every block weight is served in its stored form at any row count (the
    /// regrouped rows), else the fused products' limit when every block weight has its stored
    /// form, else 1 (sgemm shapes would change with the pass, so each branch runs alone).
    var branchRowsPerPass: Int {
        guard blocks.allSatisfy(\.hasFusedProducts) else { return 1 }
        return blocks.allSatisfy(\.hasOnlyStoredForms) ? Self.chunkRows : Linear.packedMaximumRows
    }

    /// scratch.x rows 0..<tokens.count = the tokens' embedding rows × embeddingScale.
    private func embed(_ tokens: ArraySlice<Int>, into scratch: DecoderScratch) {
        let c = configuration.width
        for (r, token) in tokens.enumerated() {
            embedding.dequantizeRow(token, into: scratch.x.pointer + r * c, scale: configuration.embeddingScale)
        }
    }

    /// Every block over scratch.x rows 0..<m.
    private func runBlocks(segments: [DecoderSegment], rows m: Int, cache: DecoderKVCache, scratch: DecoderScratch) {
        for (l, block) in blocks.enumerated() {
            block.forward(segments: segments, rows: m, layer: l, configuration: configuration, cache: cache, scratch: scratch)
        }
    }

    /// Rows of one group projected as one product (V = 262,144 makes a row of logits 1 MB); it
    /// matters only for an F32 output matrix, whose products are sgemm shapes.
    static let logitsChunkRows = 16
    /// Rows projected in one pass over the output matrix (one read of it for all): 64 MB of logits.
    static let logitsRowsPerPass = 64

    /// log p(target) and whether it is the argmax, for each row of each group: group g's hidden rows
    /// (R_g, C) predict its targets (R_g). The final RMSNorm, then the output projection (`projectLogits`).
    func logProbabilities(_ groups: [(hidden: FloatBuffer, targets: [Int])]) -> [[(Double, Bool)]] {
        let v = configuration.vocabularySize
        var results = groups.map { [(Double, Bool)](repeating: (0, false), count: $0.targets.count) }
        projectLogits(groups.map { ($0.hidden, $0.targets.count) }) { g, i, row in
            results[g][i] = LogSoftmax.logProbability(of: groups[g].targets[i], row: row, v: v)
        }
        return results
    }

    /// The final RMSNorm and the output projection of each group's hidden rows (R_g, C), handing
    /// `visit(g, i, logits)` row i of group g's logits (V), valid during the call.
    ///
    /// A group's rows are cut into chunks of `logitsChunkRows` counted from its own first row, and
    /// each chunk is its own product (fused products are row-independent anyway; an F32 matrix's
    /// sgemm shapes are then the group's own), so a group's values do not depend on the other
    /// groups; several chunks share one pass over the output matrix.
    func projectLogits(_ groups: [(hidden: FloatBuffer, rows: Int)], visit: (Int, Int, UnsafePointer<Float>) -> Void) {
        let c = configuration.width, v = configuration.vocabularySize
        var chunks: [(group: Int, first: Int, count: Int)] = []
        var normed: [FloatBuffer] = []
        for (g, group) in groups.enumerated() {
            let buffer = FloatBuffer(count: group.rows * c)
            RMSNorm.forward(out: buffer.pointer, inp: group.hidden.pointer, weight: outputNorm.pointer, n: group.rows, c: c, epsilon: configuration.normEpsilon)
            normed.append(buffer)
            for first in stride(from: 0, to: group.rows, by: Self.logitsChunkRows) { chunks.append((g, first, min(Self.logitsChunkRows, group.rows - first))) }
        }
        let totalRows = chunks.reduce(0) { $0 + $1.count }
        let logits = FloatBuffer(count: min(totalRows, Self.logitsRowsPerPass) * v)
        var p0 = 0
        while p0 < chunks.count {
            var p1 = p0, rows = 0
            while p1 < chunks.count, rows + chunks[p1].count <= Self.logitsRowsPerPass {
                rows += chunks[p1].count
                p1 += 1
            }
            let pass = chunks[p0..<p1]
            p0 = p1
            var offset = 0
            var products: [PackedMatrix.Product] = []
            for chunk in pass {
                products.append(.init(inp: normed[chunk.group].pointer + chunk.first * c, m: chunk.count, out: logits.pointer + offset * v))
                offset += chunk.count
            }
            outputProjection.multiplyTransposed(products)
            offset = 0
            for chunk in pass {
                for i in 0..<chunk.count { visit(chunk.group, chunk.first + i, logits.pointer + (offset + i) * v) }
                offset += chunk.count
            }
        }
    }

    /// Logits (V) of one hidden row (1,C), for generation.
    func logits(hidden: FloatBuffer) -> FloatBuffer {
        let c = configuration.width
        let normed = FloatBuffer(count: c)
        RMSNorm.forward(out: normed.pointer, inp: hidden.pointer, weight: outputNorm.pointer, n: 1, c: c, epsilon: configuration.normEpsilon)
        let logits = FloatBuffer(count: configuration.vocabularySize)
        outputProjection.multiplyTransposed([.init(inp: normed.pointer, m: 1, out: logits.pointer)])
        return logits
    }
}
