import Foundation
import Engine
import Testing

/// Each op's backward against central finite differences of its forward (see `GradientCheck`).
/// Bound: relative error of the whole gradient vector below 1e-2 (observed ~1e-4).
@Suite struct OpsGradientTests {
    let bound = 1e-2

    @Test func layerNormGradients() {
        let n = 3, c = 8
        let x = GradientCheck.randomValues(n * c, seed: 1), w = GradientCheck.randomValues(c, seed: 2), bias = GradientCheck.randomValues(c, seed: 3)
        let probe = GradientCheck.randomValues(n * c, seed: 4)
        func run(_ x: [Float], _ w: [Float], _ bias: [Float]) -> Double {
            var out = [Float](repeating: 0, count: n * c)
            LayerNorm.forward(out: &out, mean: nil, rstd: nil, inp: x, weight: w, bias: bias, n: n, c: c, epsilon: 1e-5)
            return GradientCheck.dot(out, probe)
        }
        var out = [Float](repeating: 0, count: n * c), mean = [Float](repeating: 0, count: n), rstd = mean
        LayerNorm.forward(out: &out, mean: &mean, rstd: &rstd, inp: x, weight: w, bias: bias, n: n, c: c, epsilon: 1e-5)
        var dx = [Float](repeating: 0, count: n * c), dw = [Float](repeating: 0, count: c), db = dw
        LayerNorm.backward(dinp: &dx, dweight: &dw, dbias: &db, dout: probe, inp: x, weight: w, mean: mean, rstd: rstd, n: n, c: c)
        #expect(GradientCheck.relativeError(dx, GradientCheck.numerical(x, step: 1e-2) { run($0, w, bias) }) < bound)
        #expect(GradientCheck.relativeError(dw, GradientCheck.numerical(w, step: 1e-2) { run(x, $0, bias) }) < bound)
        #expect(GradientCheck.relativeError(db, GradientCheck.numerical(bias, step: 1e-2) { run(x, w, $0) }) < bound)
    }

    @Test func matmulGradients() {
        let n = 3, c = 4, oc = 5
        let x = GradientCheck.randomValues(n * c, seed: 5), w = GradientCheck.randomValues(c * oc, seed: 6), bias = GradientCheck.randomValues(oc, seed: 7)
        let probe = GradientCheck.randomValues(n * oc, seed: 8)
        func run(_ x: [Float], _ w: [Float], _ bias: [Float]) -> Double {
            var out = [Float](repeating: 0, count: n * oc)
            Matmul.forward(out: &out, inp: x, weight: w, bias: bias, n: n, c: c, oc: oc)
            return GradientCheck.dot(out, probe)
        }
        var dx = [Float](repeating: 0, count: n * c), dw = [Float](repeating: 0, count: c * oc), db = [Float](repeating: 0, count: oc)
        Matmul.backward(dinp: &dx, dweight: &dw, dbias: &db, dout: probe, inp: x, weight: w, n: n, c: c, oc: oc)
        #expect(GradientCheck.relativeError(dx, GradientCheck.numerical(x, step: 1e-2) { run($0, w, bias) }) < bound)
        #expect(GradientCheck.relativeError(dw, GradientCheck.numerical(w, step: 1e-2) { run(x, $0, bias) }) < bound)
        #expect(GradientCheck.relativeError(db, GradientCheck.numerical(bias, step: 1e-2) { run(x, w, $0) }) < bound)
        // The forward value itself: out[0][0] = Σ_k x[0][k]·w[k][0] + bias[0].
        var out = [Float](repeating: 0, count: n * oc)
        Matmul.forward(out: &out, inp: x, weight: w, bias: bias, n: n, c: c, oc: oc)
        let expected = (0..<c).reduce(Double(bias[0])) { $0 + Double(x[$1]) * Double(w[$1 * oc]) }
        #expect(abs(Double(out[0]) - expected) < 1e-5)
    }

    @Test func attentionGradientsAndCausality() {
        let b = 2, t = 4, c = 8, nh = 2
        let x = GradientCheck.randomValues(b * t * 3 * c, seed: 9)
        let probe = GradientCheck.randomValues(b * t * c, seed: 10)
        func run(_ x: [Float]) -> [Float] {
            var out = [Float](repeating: 0, count: b * t * c), att = [Float](repeating: 0, count: b * nh * t * t)
            Attention.forward(out: &out, att: &att, inp: x, b: b, t: t, c: c, nh: nh)
            return out
        }
        var out = [Float](repeating: 0, count: b * t * c), att = [Float](repeating: 0, count: b * nh * t * t)
        Attention.forward(out: &out, att: &att, inp: x, b: b, t: t, c: c, nh: nh)
        var dx = [Float](repeating: 0, count: b * t * 3 * c), scratch = [Float](repeating: 0, count: t * t)
        Attention.backward(dinp: &dx, dout: probe, inp: x, att: att, scratch: &scratch, b: b, t: t, c: c, nh: nh)
        let numerical = GradientCheck.numerical(x, step: 1e-2) { GradientCheck.dot(run($0), probe) }
        #expect(GradientCheck.relativeError(dx, numerical) < bound)
        // Position 0 attends only to itself: its output is its own value vector.
        for j in 0..<c { #expect(abs(out[j] - x[2 * c + j]) < 1e-6) }
        // Changing the last token must not change earlier outputs.
        var later = x
        for j in 0..<(3 * c) { later[(t - 1) * 3 * c + j] += 1 }
        let changed = run(later)
        #expect(Array(changed[0..<((t - 1) * c)]) == Array(out[0..<((t - 1) * c)]))
    }

    /// Causal blocking (blocks of 2 rows over T = 5, so the last block is partial) gives the same
    /// outputs as one block and correct gradients.
    @Test func blockedAttentionMatchesUnblocked() {
        let b = 1, t = 5, c = 8, nh = 2
        let x = GradientCheck.randomValues(b * t * 3 * c, seed: 14)
        let probe = GradientCheck.randomValues(b * t * c, seed: 15)
        func run(_ x: [Float], blockSize: Int) -> ([Float], [Float]) {
            var out = [Float](repeating: 0, count: b * t * c), att = [Float](repeating: 0, count: b * nh * t * t)
            Attention.forward(out: &out, att: &att, inp: x, b: b, t: t, c: c, nh: nh, blockSize: blockSize)
            return (out, att)
        }
        let (whole, _) = run(x, blockSize: 64)
        let (blocked, att) = run(x, blockSize: 2)
        for (p, q) in zip(whole, blocked) { #expect(abs(p - q) < 1e-6) }
        var dx = [Float](repeating: 0, count: b * t * 3 * c), scratch = [Float](repeating: 0, count: t * t)
        Attention.backward(dinp: &dx, dout: probe, inp: x, att: att, scratch: &scratch, b: b, t: t, c: c, nh: nh, blockSize: 2)
        let numerical = GradientCheck.numerical(x, step: 1e-2) { GradientCheck.dot(run($0, blockSize: 2).0, probe) }
        #expect(GradientCheck.relativeError(dx, numerical) < bound)
    }

    @Test func geluGradientsAndValues() {
        let n = 16
        let x = GradientCheck.randomValues(n, seed: 11, scale: 2)
        let probe = GradientCheck.randomValues(n, seed: 12)
        func run(_ x: [Float]) -> [Float] {
            var out = [Float](repeating: 0, count: n)
            GELU.forward(out: &out, inp: x, n: n)
            return out
        }
        var dx = [Float](repeating: 0, count: n)
        GELU.backward(dinp: &dx, inp: x, dout: probe, n: n)
        #expect(GradientCheck.relativeError(dx, GradientCheck.numerical(x, step: 1e-3) { GradientCheck.dot(run($0), probe) }) < bound)
        // gelu_new(1) = 0.8411919906 (PyTorch gelu(approximate="tanh")).
        #expect(abs(run([1] + [Float](repeating: 0, count: n - 1))[0] - 0.8411919906) < 1e-6)
    }

    @Test func crossEntropyGradientsAndValues() {
        let n = 3, v = 7
        let logits = GradientCheck.randomValues(n * v, seed: 13)
        let targets: [Int32] = [0, 6, 3]
        func loss(_ logits: [Float]) -> Double {
            var probs = logits, losses = [Float](repeating: 0, count: n)
            SoftmaxCrossEntropy.forward(probs: &probs, losses: &losses, targets: targets, n: n, v: v)
            return losses.reduce(0) { $0 + Double($1) } / Double(n)
        }
        var probs = logits, losses = [Float](repeating: 0, count: n)
        SoftmaxCrossEntropy.forward(probs: &probs, losses: &losses, targets: targets, n: n, v: v)
        SoftmaxCrossEntropy.backward(probsToGradient: &probs, targets: targets, dloss: 1 / Float(n), n: n, v: v)
        #expect(GradientCheck.relativeError(probs, GradientCheck.numerical(logits, step: 1e-2, objective: loss)) < bound)
        // Uniform logits give loss log V.
        #expect(abs(loss([Float](repeating: 0.5, count: n * v)) - log(7.0)) < 1e-6)
    }

    @Test func embeddingGradients() {
        let c = 3
        var out = [Float](repeating: 0, count: 2 * c)
        let wte: [Float] = [1, 2, 3, 4, 5, 6], wpe: [Float] = [10, 20, 30, 40, 50, 60]
        Embedding.forward(out: &out, tokens: [1, 1], positions: [0, 1], wte: wte, wpe: wpe, n: 2, c: c)
        #expect(out == [14, 25, 36, 44, 55, 66])
        var dwte = [Float](repeating: 0, count: 6), dwpe = dwte
        Embedding.backward(dwte: &dwte, dwpe: &dwpe, dout: [1, 1, 1, 2, 2, 2], tokens: [1, 1], positions: [0, 1], n: 2, c: c)
        #expect(dwte == [0, 0, 0, 3, 3, 3])
        #expect(dwpe == [1, 1, 1, 2, 2, 2])
    }
}

@Suite struct VectorMathTests {
    @Test func expAndTanhMatchLibm() {
        var worstExp = 0.0, worstTanh = 0.0
        for i in -400...400 {
            let x = Float(i) * 0.2  // −80 … 80
            let e = VectorMath.exp(VectorMath.Vector(repeating: x))[3]
            worstExp = max(worstExp, abs(Double(e) - Foundation.exp(Double(x))) / Foundation.exp(Double(x)))
            let t = VectorMath.tanh(VectorMath.Vector(repeating: x / 8))[5]
            worstTanh = max(worstTanh, abs(Double(t) - Foundation.tanh(Double(x / 8))))
        }
        #expect(worstExp < 3e-7, "exp relative error \(worstExp)")
        #expect(worstTanh < 3e-7, "tanh absolute error \(worstTanh)")
    }
}
