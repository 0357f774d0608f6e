/// Vectorised exp and tanh for the elementwise ops (libm's `expf`/`tanhf` are scalar calls and
/// were ~20% of inference time). Accuracy: relative error of `exp` below 3e-7 (about 2 ulp) over the clamped
/// range [-87, 88] (degree-6 Taylor polynomial on |r| ≤ ln2/2 after range reduction), `tanh`
/// absolute error below 3e-7; both are checked against libm in the tests.
public enum VectorMath {
    public typealias Vector = SIMD8<Float>

    @inline(__always)
    public static func exp(_ x: Vector) -> Vector {
        // Clamp with masks: `clamped(lowerBound:upperBound:)` is a non-inlined generic call.
        let low = Vector(repeating: -87), high = Vector(repeating: 88)
        let clamped = x.replacing(with: low, where: x .< low).replacing(with: high, where: x .> high)
        // Round x·log2(e) to the nearest integer n with the 1.5·2²³ trick: the sum's low mantissa
        // bits then hold n, which also gives 2ⁿ's exponent bits without a generic int conversion.
        let shifted = clamped * 1.442_695_04 + 12_582_912
        let n = shifted - 12_582_912
        // Cody–Waite: ln 2 split into a part exact in Float and a small correction.
        let r = clamped - n * 0.693_145_75 - n * 1.428_606_8e-6
        var p = Vector(repeating: 1.0 / 720)
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        let exponent = (unsafeBitCast(shifted, to: SIMD8<UInt32>.self) &- 0x4B40_0000 &+ 127) &<< 23
        return p * unsafeBitCast(exponent, to: Vector.self)
    }

    @inline(__always)
    public static func tanh(_ x: Vector) -> Vector {
        // tanh|x| = (1 − e^{−2|x|}) / (1 + e^{−2|x|}), sign restored afterwards.
        let magnitude = abs(x)
        let e = exp(-2 * magnitude)
        let t = (1 - e) / (1 + e)
        return t.replacing(with: -t, where: x .< 0)
    }

    @inline(__always)
    static func abs(_ x: Vector) -> Vector { x.replacing(with: -x, where: x .< 0) }

    /// Σ w[j]·x[j] for j < count, always summed in the same order (two 16-lane accumulators over
    /// alternate 16-float steps, then the one's lanes plus the other's, then the tail), so equal
    /// inputs give equal values wherever the call is made from. Multiply and add stay separate (no
    /// fused multiply-add, which a portable build would have to call as a function).
    @inline(__always)
    static func dot(_ w: UnsafePointer<Float>, _ x: UnsafePointer<Float>, count n: Int) -> Float {
        let wr = UnsafeRawPointer(w), xr = UnsafeRawPointer(x)
        var s0 = Wide(), s1 = Wide()
        var j = 0
        while j + 32 <= n {
            s0 += wr.loadUnaligned(fromByteOffset: 4 * j, as: Wide.self) * xr.loadUnaligned(fromByteOffset: 4 * j, as: Wide.self)
            s1 += wr.loadUnaligned(fromByteOffset: 4 * j + 64, as: Wide.self) * xr.loadUnaligned(fromByteOffset: 4 * j + 64, as: Wide.self)
            j += 32
        }
        if j + 16 <= n {
            s0 += wr.loadUnaligned(fromByteOffset: 4 * j, as: Wide.self) * xr.loadUnaligned(fromByteOffset: 4 * j, as: Wide.self)
            j += 16
        }
        return finish(s0, s1, w, x, from: j, count: n)
    }

    /// `dot(w, x + k·stride, count)` for k = 0..<4 in one pass over `w` (w is loaded once for four
    /// rows), each value summed exactly as `dot` sums it.
    @inline(__always)
    static func dot4(_ w: UnsafePointer<Float>, _ x: UnsafePointer<Float>, stride: Int, count n: Int) -> (Float, Float, Float, Float) {
        let wr = UnsafeRawPointer(w)
        let x0 = UnsafeRawPointer(x), x1 = x0 + 4 * stride, x2 = x1 + 4 * stride, x3 = x2 + 4 * stride
        var a0 = Wide(), a1 = Wide(), b0 = Wide(), b1 = Wide(), c0 = Wide(), c1 = Wide(), d0 = Wide(), d1 = Wide()
        var j = 0
        while j + 32 <= n {
            let w0 = wr.loadUnaligned(fromByteOffset: 4 * j, as: Wide.self)
            let w1 = wr.loadUnaligned(fromByteOffset: 4 * j + 64, as: Wide.self)
            a0 += w0 * x0.loadUnaligned(fromByteOffset: 4 * j, as: Wide.self)
            a1 += w1 * x0.loadUnaligned(fromByteOffset: 4 * j + 64, as: Wide.self)
            b0 += w0 * x1.loadUnaligned(fromByteOffset: 4 * j, as: Wide.self)
            b1 += w1 * x1.loadUnaligned(fromByteOffset: 4 * j + 64, as: Wide.self)
            c0 += w0 * x2.loadUnaligned(fromByteOffset: 4 * j, as: Wide.self)
            c1 += w1 * x2.loadUnaligned(fromByteOffset: 4 * j + 64, as: Wide.self)
            d0 += w0 * x3.loadUnaligned(fromByteOffset: 4 * j, as: Wide.self)
            d1 += w1 * x3.loadUnaligned(fromByteOffset: 4 * j + 64, as: Wide.self)
            j += 32
        }
        if j + 16 <= n {
            let w0 = wr.loadUnaligned(fromByteOffset: 4 * j, as: Wide.self)
            a0 += w0 * x0.loadUnaligned(fromByteOffset: 4 * j, as: Wide.self)
            b0 += w0 * x1.loadUnaligned(fromByteOffset: 4 * j, as: Wide.self)
            c0 += w0 * x2.loadUnaligned(fromByteOffset: 4 * j, as: Wide.self)
            d0 += w0 * x3.loadUnaligned(fromByteOffset: 4 * j, as: Wide.self)
            j += 16
        }
        let xs = x.advanced(by: stride)
        return (finish(a0, a1, w, x, from: j, count: n), finish(b0, b1, w, xs, from: j, count: n),
                finish(c0, c1, w, xs + stride, from: j, count: n), finish(d0, d1, w, xs + 2 * stride, from: j, count: n))
    }

    typealias Wide = SIMD16<Float>

    /// The end of `dot`: the accumulators' lanes, then the tail j..<n one by one.
    @inline(__always)
    private static func finish(_ s0: Wide, _ s1: Wide, _ w: UnsafePointer<Float>, _ x: UnsafePointer<Float>, from j: Int, count n: Int) -> Float {
        // The lanes in a fixed order, written out: SIMD16's generic `sum()` is not inlined.
        let s = s0 + s1
        let h8 = s.lowHalf + s.highHalf, h4 = h8.lowHalf + h8.highHalf, h2 = h4.lowHalf + h4.highHalf
        var total = h2[0] + h2[1]
        for k in j..<n { total += w[k] * x[k] }
        return total
    }

    /// Loads up to 8 floats (missing lanes are 0).
    @inline(__always)
    static func load(_ p: UnsafePointer<Float>, count: Int) -> Vector {
        if count >= 8 { return UnsafeRawPointer(p).loadUnaligned(as: Vector.self) }
        var v = Vector()
        for i in 0..<count { v[i] = p[i] }
        return v
    }

    /// Stores the first `count` (≤ 8) lanes.
    @inline(__always)
    static func store(_ v: Vector, _ p: UnsafeMutablePointer<Float>, count: Int) {
        if count >= 8 {
            UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vector.self)
            return
        }
        for i in 0..<count { p[i] = v[i] }
    }

    /// row[j] = exp(row[j] − maximum) for j < n; returns Σ row[j] (Float, fixed lane order).
    @inline(__always)
    static func expSubtractingMaximum(_ row: UnsafeMutablePointer<Float>, n: Int, maximum: Float) -> Float {
        var sums = Vector()
        var j = 0
        while j < n {
            let count = min(8, n - j)
            var e = exp(load(row + j, count: count) - maximum)
            if count < 8 { for lane in count..<8 { e[lane] = 0 } }
            store(e, row + j, count: count)
            sums += e
            j += 8
        }
        return sums.sum()
    }
}
