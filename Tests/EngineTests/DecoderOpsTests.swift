import Engine
import Foundation
import SeededRandom
import Testing

/// The Llama / Gemma ops against values computed by hand (math in the comments; Python's math
/// module for the transcendental ones).
@Suite struct DecoderOpsTests {
    func close(_ a: [Float], _ b: [Float], _ tolerance: Float = 2e-6) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance }
    }

    @Test func rmsNormScalesByTheRootMeanSquare() {
        // mean(x²) = (1 + 4 + 9 + 16) / 4 = 7.5 → x / √7.5 · weight.
        // Second row: mean(x²) = 4/4 = 1 → x · weight.
        let x: [Float] = [1, 2, 3, 4, -2, 0, 0, 0]
        var out = [Float](repeating: 0, count: 8)
        RMSNorm.forward(out: &out, inp: x, weight: [1, 1, 2, 0.5], n: 2, c: 4, epsilon: 0)
        #expect(close(out, [0.36514837, 0.73029674, 2.19089023, 0.73029674, -2, 0, 0, 0]))
        // ε: mean(x²) = 1, + 3 → x / 2.
        var y = [Float](repeating: 0, count: 4)
        RMSNorm.forward(out: &y, inp: [1, 1, 1, 1], weight: [1, 1, 1, 1], n: 1, c: 4, epsilon: 3)
        #expect(close(y, [0.5, 0.5, 0.5, 0.5]))
    }

    @Test func rotaryEmbeddingTurnsPairsByPositionTimesFrequency() {
        // hd 4, base 100: frequencies 100⁰ = 1 and 100^(−2/4) = 0.1. Position 1: angles 1 and 0.1.
        let x: [Float] = [1, 0, 0, 1]
        for (pairing, expected) in [(RotaryEmbedding.Pairing.halves, [Float(0.54030231), -0.09983342, 0.84147098, 0.99500417]),
                                    (.adjacent, [0.54030231, 0.84147098, -0.09983342, 0.99500417])] {
            let rope = RotaryEmbedding(rotatedDimensions: 4, base: 100, pairing: pairing)
            var rows = x + x  // positions 0 and 1
            rope.apply(&rows, rows: 2, rowStride: 4, heads: 1, headDimension: 4, table: rope.table(start: 0, count: 2))
            #expect(close(Array(rows[0..<4]), x), "position 0 does not turn")
            #expect(close(Array(rows[4..<8]), expected), "\(pairing)")
        }
        // Linear scaling by 1/2 at position 2 equals no scaling at position 1.
        let scaled = RotaryEmbedding(rotatedDimensions: 4, base: 100, pairing: .halves, linearScale: 0.5)
        var row = x
        scaled.apply(&row, rows: 1, rowStride: 4, heads: 1, headDimension: 4, table: scaled.table(start: 2, count: 1))
        #expect(close(row, [0.54030231, -0.09983342, 0.84147098, 0.99500417]))
    }

    @Test func gatedActivationsMultiplyTheActivatedGateByUp() {
        let gate: [Float] = [1, -1, 0, 2], up: [Float] = [2, 3, 5, 1]
        var out = [Float](repeating: 0, count: 4)
        // gelu_tanh(1) = 0.8411920, gelu_tanh(−1) = −0.1588080, gelu_tanh(2) = 1.9545977.
        GatedActivation.geluTanh.forward(out: &out, gate: gate, up: up, n: 4)
        #expect(close(out, [1.68238398, -0.47642403, 0, 1.95459769]))
        // silu(1) = 0.7310586, silu(−1) = −0.2689414, silu(2) = 1.7615942.
        GatedActivation.silu.forward(out: &out, gate: gate, up: up, n: 4)
        #expect(close(out, [1.46211716, -0.80682426, 0, 1.76159416]))
    }

    @Test func groupedQueryAttentionSharesOneKeyValueHeadAndHonoursTheWindow() {
        // 2 query heads, 1 key/value head, hd 2; keys k0 = [1,0], k1 = [0,1]; values v0 = [1,2], v1 = [3,4].
        let keys: [Float] = [1, 0, 0, 1], values: [Float] = [1, 2, 3, 4]
        // Row 0: heads [1,0] and [0,1]; row 1: heads [1,0] and [0,2].
        let query: [Float] = [1, 0, 0, 1, 1, 0, 0, 2]
        var out = [Float](repeating: 0, count: 8)
        GroupedQueryAttention.forward(out: &out, query: query, keys: keys, values: values, rows: 2, start: 0, heads: 2, keyValueHeads: 1,
                                      headDimension: 2, scale: 1, slidingWindow: nil)
        // Row 0 sees only position 0: v0 for both heads. Row 1, head 0: scores [1, 0] → weights
        // [e/(e+1), 1/(e+1)] = [0.7310586, 0.2689414] → [1.5378828, 2.5378828]; head 1: scores [0, 2] →
        // [1/(1+e²), e²/(1+e²)] = [0.1192029, 0.8807971] → [2.7615942, 3.7615942].
        #expect(close(out, [1, 2, 1, 2, 1.5378828, 2.5378828, 2.7615942, 3.7615942]))
        // Window 1: each query sees only its own position.
        GroupedQueryAttention.forward(out: &out, query: query, keys: keys, values: values, rows: 2, start: 0, heads: 2, keyValueHeads: 1,
                                      headDimension: 2, scale: 1, slidingWindow: 1)
        #expect(close(out, [1, 2, 1, 2, 3, 4, 3, 4]))
        // Row 1 alone on top of a cache holding position 0 gives the same as in the full pass.
        var last = [Float](repeating: 0, count: 4)
        GroupedQueryAttention.forward(out: &last, query: Array(query[4...]), keys: keys, values: values, rows: 1, start: 1, heads: 2,
                                      keyValueHeads: 1, headDimension: 2, scale: 1, slidingWindow: nil)
        #expect(close(last, [1.5378828, 2.5378828, 2.7615942, 3.7615942]))
    }

    /// Each row's output is the bits of that row alone on top of the cache, in a pass of any length
    /// (rows in fours, a partial four, both threads), with and without a sliding window, with a
    /// head dimension that is not a multiple of 16 (`VectorMath.dot`'s tail).
    @Test(arguments: [nil, 5] as [Int?])
    func attentionRowsAreTheBitsOfEachRowAlone(window: Int?) {
        let m = 23, start = 6, nh = 4, kvh = 2, hd = 40, qw = nh * hd, kvw = kvh * hd
        var generator = Xoshiro256(seed: 8)
        let keys = (0..<((start + m) * kvw)).map { _ in Float.random(in: -1...1, using: &generator) }
        let values = (0..<((start + m) * kvw)).map { _ in Float.random(in: -1...1, using: &generator) }
        let query = (0..<(m * qw)).map { _ in Float.random(in: -2...2, using: &generator) }
        var together = [Float](repeating: 0, count: m * qw)
        GroupedQueryAttention.forward(out: &together, query: query, keys: keys, values: values, rows: m, start: start, heads: nh,
                                      keyValueHeads: kvh, headDimension: hd, scale: 0.3, slidingWindow: window, threads: 2)
        for r in 0..<m {
            var alone = [Float](repeating: 0, count: qw)
            GroupedQueryAttention.forward(out: &alone, query: Array(query[(r * qw)..<((r + 1) * qw)]), keys: keys, values: values, rows: 1,
                                          start: start + r, heads: nh, keyValueHeads: kvh, headDimension: hd, scale: 0.3,
                                          slidingWindow: window, threads: 1)
            #expect(alone.map(\.bitPattern) == together[(r * qw)..<((r + 1) * qw)].map(\.bitPattern), "row \(r)")
        }
        // Against the definition in Double.
        let r = m - 1, h = 3, p = start + r, first = window.map { max(0, p - $0 + 1) } ?? 0
        let weights = (first...p).map { j in 0.3 * (0..<hd).reduce(0.0) { $0 + Double(query[r * qw + h * hd + $1]) * Double(keys[j * kvw + (h / 2) * hd + $1]) } }
        let largest = weights.max()!, total = weights.reduce(0) { $0 + Foundation.exp($1 - largest) }
        for d in [0, 17, 39] {
            let expected = zip(first...p, weights).reduce(0.0) { $0 + Foundation.exp($1.1 - largest) / total * Double(values[$1.0 * kvw + (h / 2) * hd + d]) }
            #expect(abs(Double(together[r * qw + h * hd + d]) - expected) < 1e-5)
        }
    }
}
