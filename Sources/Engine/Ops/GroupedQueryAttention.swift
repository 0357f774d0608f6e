/// Causal grouped-query attention over a key/value cache, with an optional sliding window
/// (inference path of the Llama / Gemma decoders).
public enum GroupedQueryAttention {
    /// Query rows that share each key and value load (`VectorMath.dot4`, and four output rows
    /// updated per value row).
    static let rowsPerTask = 4

    /// out(M, NH·hd) = softmax(scale · q kᵀ + mask) v, per query head h reading key/value head
    /// h / (NH/KVH).
    ///
    /// Every row is computed as if alone: score j = scale · `VectorMath.dot`(query, key j), the
    /// softmax over the keys the row sees, then out = Σ_j p_j · v_j accumulated over j in ascending
    /// order. So a row's result is the same bits whatever rows run beside it (prefix sharing, chunk
    /// lengths, prompt batching), as its projections are. Rows go four at a time per head (each key
    /// and value row loaded once for four), the (head, four rows) tasks split between the engine's
    /// threads, early and late rows alternating so that each thread gets as many keys as the other.
    ///
    /// - Parameters:
    ///   - query: (M, NH·hd), row r at position start + r.
    ///   - keys, values: (≥ start+M, KVH·hd): rows 0..<start+M filled (the chunk's own rows included).
    ///   - slidingWindow: a query at position p sees keys p − window + 1 … p; nil: 0 … p.
    public static func forward(
        out: UnsafeMutablePointer<Float>, query q: UnsafePointer<Float>, keys: UnsafePointer<Float>, values: UnsafePointer<Float>,
        rows m: Int, start: Int, heads nh: Int, keyValueHeads kvh: Int, headDimension hd: Int,
        scale: Float, slidingWindow: Int?, threads: Int = BLAS.threadCount
    ) {
        let blocks = (m + rowsPerTask - 1) / rowsPerTask, tasks = blocks * nh
        // Split only when each thread gets ~0.5M multiply-adds (~50 µs): a generated token's attention
        // (one row, a short context) stays on the calling thread, where the hand-off would cost more.
        let work = m * nh * hd * 2 * min(start + m, slidingWindow ?? (start + m))
        let minimumPerThread = work >= 2 * 500_000 ? 1 : tasks
        ParallelRows.forEach(count: tasks, minimumPerThread: minimumPerThread, threads: threads) { range in
            let scores = FloatBuffer(count: rowsPerTask * (start + m))
            for task in range {
                // Tasks 0, 1, 2, … are row blocks 0, last, 1, last − 1, …: halves of equal cost.
                let pair = task / nh, h = task % nh
                let block = pair % 2 == 0 ? pair / 2 : blocks - 1 - pair / 2
                fourRows(out: out, query: q, keys: keys, values: values, rows: (rowsPerTask * block)..<min(m, rowsPerTask * (block + 1)),
                         start: start, head: h, heads: nh, keyValueHeads: kvh, headDimension: hd, scale: scale,
                         slidingWindow: slidingWindow, scores: scores.pointer)
            }
        }
    }

    /// Rows `rows` (at most four) of head `head`, each exactly as alone (see `forward`).
    @inline(__always)
    private static func fourRows(
        out: UnsafeMutablePointer<Float>, query q: UnsafePointer<Float>, keys: UnsafePointer<Float>, values: UnsafePointer<Float>,
        rows: Range<Int>, start: Int, head h: Int, heads nh: Int, keyValueHeads kvh: Int, headDimension hd: Int,
        scale: Float, slidingWindow: Int?, scores: UnsafeMutablePointer<Float>
    ) {
        let qw = nh * hd, kvw = kvh * hd, kvHead = h / (nh / kvh)
        let key = keys + kvHead * hd, value = values + kvHead * hd
        // Keys [lo, hi) cover every row of the block; row k sees [first(k), start + rows.lowerBound + k].
        func first(_ r: Int) -> Int { slidingWindow.map { max(0, start + r - $0 + 1) } ?? 0 }
        let lo = first(rows.lowerBound), hi = start + rows.upperBound, width = hi - lo
        let query = q + rows.lowerBound * qw + h * hd
        // scores row k (width floats): scale · q_k · key j for j in [lo, hi); entries a row does not see are not used.
        if rows.count == rowsPerTask {
            for j in lo..<hi {
                let v = VectorMath.dot4(key + j * kvw, query, stride: qw, count: hd)
                scores[j - lo] = scale * v.0
                scores[width + j - lo] = scale * v.1
                scores[2 * width + j - lo] = scale * v.2
                scores[3 * width + j - lo] = scale * v.3
            }
        } else {
            for k in 0..<rows.count {
                for j in lo..<hi { scores[k * width + j - lo] = scale * VectorMath.dot(query + k * qw, key + j * kvw, count: hd) }
            }
        }
        var visible: [Range<Int>] = []
        for (k, r) in rows.enumerated() {
            let seen = first(r)..<(start + r + 1)
            visible.append(seen)
            Attention.causalSoftmaxRow(scores + k * width + (seen.lowerBound - lo), visible: seen.count, width: seen.count)
            (out + r * qw + h * hd).update(repeating: 0, count: hd)
        }
        // out_k += p_kj · v_j, j ascending; each value row loaded once for the rows that see it.
        let o = out + rows.lowerBound * qw + h * hd
        func some(_ keys: Range<Int>) {
            for j in keys {
                for k in visible.indices where visible[k].contains(j) {
                    let weight = scores[k * width + j - lo], v = value + j * kvw, ok = o + k * qw
                    for d in 0..<hd { ok[d] += weight * v[d] }
                }
            }
        }
        guard rows.count == rowsPerTask else { return some(lo..<hi) }
        // Keys every row sees, four rows at once; before them (a sliding window's start) and after
        // them (the later rows' own positions) each row takes the keys it sees, so each goes in order.
        let all = visible[3].lowerBound..<max(visible[3].lowerBound, visible[0].upperBound)
        some(lo..<all.lowerBound)
        addAll(all, out: o, rowStride: qw, scores: scores, width: width, firstKey: lo, values: value, valueStride: kvw, count: hd)
        some(all.upperBound..<hi)
    }

    /// out_k[d] += p_kj · v_j[d] for the four rows k and keys j in `keys` (ascending), 32 values of
    /// d at a time held in registers (eight accumulators) across all the keys: the same operations
    /// per value as one row's loop, without storing the four rows after every key.
    @inline(__always)
    private static func addAll(_ keys: Range<Int>, out o: UnsafeMutablePointer<Float>, rowStride: Int, scores: UnsafePointer<Float>,
                               width: Int, firstKey lo: Int, values: UnsafePointer<Float>, valueStride: Int, count hd: Int) {
        typealias Wide = VectorMath.Wide
        let p0 = scores - lo, p1 = p0 + width, p2 = p1 + width, p3 = p2 + width
        var d = 0
        while d + 32 <= hd {
            let r0 = UnsafeMutableRawPointer(o + d), r1 = r0 + 4 * rowStride, r2 = r1 + 4 * rowStride, r3 = r2 + 4 * rowStride
            var a0 = r0.loadUnaligned(as: Wide.self), b0 = r0.loadUnaligned(fromByteOffset: 64, as: Wide.self)
            var a1 = r1.loadUnaligned(as: Wide.self), b1 = r1.loadUnaligned(fromByteOffset: 64, as: Wide.self)
            var a2 = r2.loadUnaligned(as: Wide.self), b2 = r2.loadUnaligned(fromByteOffset: 64, as: Wide.self)
            var a3 = r3.loadUnaligned(as: Wide.self), b3 = r3.loadUnaligned(fromByteOffset: 64, as: Wide.self)
            for j in keys {
                let v = UnsafeRawPointer(values + j * valueStride + d)
                let x = v.loadUnaligned(as: Wide.self), y = v.loadUnaligned(fromByteOffset: 64, as: Wide.self)
                let w0 = p0[j], w1 = p1[j], w2 = p2[j], w3 = p3[j]
                a0 += x * w0
                b0 += y * w0
                a1 += x * w1
                b1 += y * w1
                a2 += x * w2
                b2 += y * w2
                a3 += x * w3
                b3 += y * w3
            }
            r0.storeBytes(of: a0, as: Wide.self)
            r0.storeBytes(of: b0, toByteOffset: 64, as: Wide.self)
            r1.storeBytes(of: a1, as: Wide.self)
            r1.storeBytes(of: b1, toByteOffset: 64, as: Wide.self)
            r2.storeBytes(of: a2, as: Wide.self)
            r2.storeBytes(of: b2, toByteOffset: 64, as: Wide.self)
            r3.storeBytes(of: a3, as: Wide.self)
            r3.storeBytes(of: b3, toByteOffset: 64, as: Wide.self)
            d += 32
        }
        // The remaining values (head dimensions that are not a multiple of 32), one by one.
        for k in 0..<4 {
            let ok = o + k * rowStride, pk = p0 + k * width
            for j in keys {
                let v = values + j * valueStride
                for e in d..<hd { ok[e] += pk[j] * v[e] }
            }
        }
    }
}
