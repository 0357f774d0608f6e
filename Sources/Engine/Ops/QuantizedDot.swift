import CKernels
import ModelFormats

/// Dot products of a quantised weight row (ggml blocks, as stored) with an input row rounded to
/// 16-bit integers, summed exactly in Int32 block by block — the way ggml's `vec_dot` kernels work,
/// with 16-bit instead of ggml's 8-bit activations (256 times finer).
///
/// The input is rounded per 32 values: x ≈ scale · q with q = x · (1 / scale) rounded half away from
/// zero, in −32,767…32,767, and scale = max|x| / 32,767 over the 32 values (`evk_round_inputs` in
/// CKernels, which also says what NaN and infinity become), an error of at most half a step (relative 1.5e-5 of
/// the 32 values' largest magnitude). Weight values are used exactly as stored: for each block the
/// integer sum Σ q_w·q_x is exact and becomes Float once, times the block's scales. The integer loops
/// vectorise (vpmaddwd / vpdpwssd on x86-64), where the float path had to convert every weight to
/// Float and multiply it by its scale first — about 3x fewer instructions per weight.
///
/// Values are summed block after block in a fixed order, so a row's result depends only on the two
/// rows. Block layouts are ggml's (see `GGMLDequantization` for each type's description).
enum QuantizedDot {
    /// The weight types with an integer kernel here (other types use the float path), resolved
    /// once per matrix: switching on this is cheap, where comparing `GGMLType`s calls accessors.
    enum Kernel {
        case q8_0, q4_0, q4_1, q5_0, q5_1, q4_K, q5_K, q6_K

        init?(_ type: GGMLType) {
            switch type {
            case .q8_0: self = .q8_0
            case .q4_0: self = .q4_0
            case .q4_1: self = .q4_1
            case .q5_0: self = .q5_0
            case .q5_1: self = .q5_1
            case .q4_K: self = .q4_K
            case .q5_K: self = .q5_K
            case .q6_K: self = .q6_K
            default: return nil
            }
        }
    }

    /// An input row rounded for the kernels: `values` (count) as Int16, and per 32 values the
    /// scale and the sum of the rounded values times the scale (for the types with a minimum).
    /// A view into a `RoundedRows`, valid while it lives.
    struct Input {
        let values: UnsafeMutablePointer<Int16>
        let scales: UnsafeMutablePointer<Float>
        let sums: UnsafeMutablePointer<Float>
        let count: Int
    }

    /// Input rows rounded for the kernels (`evk_round_inputs`, in C: AVX-512 where the CPU has it; the
    /// Swift loop it replaced took 7% of prompt processing), each row's values, scales and sums in one
    /// allocation, the rows split between the threads.
    final class RoundedRows {
        let inputs: [Input]
        private let storage: UnsafeMutableRawPointer

        /// Rounds `rows` (each `count` floats, a multiple of 32).
        init(_ rows: [UnsafePointer<Float>], count: Int, threads: Int) {
            let blocks = count / 32, rowBytes = 2 * count + 8 * blocks
            let storage = UnsafeMutableRawPointer.allocate(byteCount: max(1, rows.count * rowBytes), alignment: 64)
            self.storage = storage
            let inputs = (0..<rows.count).map { r in
                let base = storage + r * rowBytes
                let scales = (base + 2 * count).bindMemory(to: Float.self, capacity: 2 * blocks)
                return Input(values: base.bindMemory(to: Int16.self, capacity: count), scales: scales, sums: scales + blocks, count: count)
            }
            self.inputs = inputs
            ParallelRows.forEach(count: rows.count, minimumPerThread: 16, threads: threads) { range in
                for r in range { evk_round_inputs(rows[r], Int32(count), inputs[r].values, inputs[r].scales, inputs[r].sums, 1) }
            }
        }

        deinit { storage.deallocate() }
    }

    /// A binary16 scale (hardware conversion, F16C on x86-64; the same value as `HalfPrecision`'s table).
    @inline(__always)
    static func half(_ p: UnsafeRawPointer, _ offset: Int) -> Float {
        Float(Float16(bitPattern: UInt16(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt16.self))))
    }

    /// Σ_j weight[j] · x[j] for the weight row at `row` (x.count values in blocks of the kernel's type).
    @inline(__always)
    static func dot(_ kernel: Kernel, row: UnsafeRawPointer, _ x: Input) -> Float {
        switch kernel {
        case .q8_0: return q8_0(row, x)
        case .q4_0: return q4(row, x, hasMinimum: false)
        case .q4_1: return q4(row, x, hasMinimum: true)
        case .q5_0: return q5(row, x, hasMinimum: false)
        case .q5_1: return q5(row, x, hasMinimum: true)
        case .q4_K: return q45_K(row, x, hasHighBits: false)
        case .q5_K: return q45_K(row, x, hasHighBits: true)
        case .q6_K: return q6_K(row, x)
        }
    }

    /// `dot(kernel, row, x[k])` for k = 0..<4 in one pass over the weight row (its bits unpacked once
    /// for four inputs): the same integer sums, so the same Float operations and the same bits.
    @inline(__always)
    static func dot4(_ kernel: Kernel, row: UnsafeRawPointer, _ x: (Input, Input, Input, Input)) -> (Float, Float, Float, Float) {
        switch kernel {
        case .q8_0: return q8_0(row, x)
        case .q5_0: return q5_0(row, x)
        case .q4_K: return q4_K(row, x)
        case .q6_K: return q6_K(row, x)
        default: return (dot(kernel, row: row, x.0), dot(kernel, row: row, x.1), dot(kernel, row: row, x.2), dot(kernel, row: row, x.3))
        }
    }

    /// Q8_0: d, 32 × int8.
    private static func q8_0(_ row: UnsafeRawPointer, _ x: Input) -> Float {
        var total: Float = 0
        for b in 0..<(x.count / 32) {
            let block = row + 34 * b
            let q = (block + 2).assumingMemoryBound(to: Int8.self), xq = x.values + 32 * b
            var sum: Int32 = 0
            for j in 0..<32 { sum &+= Int32(q[j]) &* Int32(xq[j]) }
            total += half(block, 0) * x.scales[b] * Float(sum)
        }
        return total
    }

    /// Q4_0 (d, 16 nibble bytes; q − 8) and Q4_1 (d, m, nibbles; q·d + m). Byte j: values j and j+16.
    private static func q4(_ row: UnsafeRawPointer, _ x: Input, hasMinimum: Bool) -> Float {
        let stride = hasMinimum ? 20 : 18, offset = hasMinimum ? 4 : 2, bias: Int32 = hasMinimum ? 0 : 8
        var total: Float = 0
        for b in 0..<(x.count / 32) {
            let block = row + stride * b
            let q = (block + offset).assumingMemoryBound(to: UInt8.self), xq = x.values + 32 * b
            var sum: Int32 = 0
            for j in 0..<16 {
                sum &+= (Int32(q[j] & 0x0F) - bias) &* Int32(xq[j]) &+ (Int32(q[j] >> 4) - bias) &* Int32(xq[j + 16])
            }
            total += half(block, 0) * x.scales[b] * Float(sum)
            if hasMinimum { total += half(block, 2) * x.sums[b] }
        }
        return total
    }

    /// Q5_0 (d, qh, nibbles; q − 16) and Q5_1 (d, m, qh, nibbles; q·d + m): bit j of qh is value j's 5th bit.
    private static func q5(_ row: UnsafeRawPointer, _ x: Input, hasMinimum: Bool) -> Float {
        let stride = hasMinimum ? 24 : 22, qhOffset = hasMinimum ? 4 : 2, bias: Int32 = hasMinimum ? 0 : 16
        var total: Float = 0
        for b in 0..<(x.count / 32) {
            let block = row + stride * b
            let qh = UInt32(littleEndian: block.loadUnaligned(fromByteOffset: qhOffset, as: UInt32.self))
            let q = (block + qhOffset + 4).assumingMemoryBound(to: UInt8.self), xq = x.values + 32 * b
            var sum: Int32 = 0
            for j in 0..<16 {
                let low = Int32(q[j] & 0x0F) | Int32((qh >> UInt32(j)) & 1) << 4
                let high = Int32(q[j] >> 4) | Int32((qh >> UInt32(j + 16)) & 1) << 4
                sum &+= (low - bias) &* Int32(xq[j]) &+ (high - bias) &* Int32(xq[j + 16])
            }
            total += half(block, 0) * x.scales[b] * Float(sum)
            if hasMinimum { total += half(block, 2) * x.sums[b] }
        }
        return total
    }

    /// The 6-bit scale and minimum of sub-block `j` from the 12 packed bytes at `s` (as in `GGMLDequantization`).
    @inline(__always)
    static func scaleAndMinimum(_ s: UnsafePointer<UInt8>, _ j: Int) -> (Float, Float) {
        if j < 4 { return (Float(s[j] & 63), Float(s[j + 4] & 63)) }
        return (Float((s[j + 4] & 0x0F) | ((s[j - 4] >> 6) << 4)), Float((s[j + 4] >> 4) | ((s[j] >> 6) << 4)))
    }

    /// Q4_K (d, dmin, 12 scale bytes, 128 nibble bytes) and Q5_K (… 32 qh bytes before the nibbles):
    /// 8 sub-blocks of 32; value = d·scale·q − dmin·min.
    private static func q45_K(_ row: UnsafeRawPointer, _ x: Input, hasHighBits: Bool) -> Float {
        let stride = hasHighBits ? 176 : 144, qsOffset = hasHighBits ? 48 : 16
        var total: Float = 0
        for b in 0..<(x.count / 256) {
            let block = row + stride * b
            let d = half(block, 0), dmin = half(block, 2)
            let scales = (block + 4).assumingMemoryBound(to: UInt8.self)
            let qh = (block + 16).assumingMemoryBound(to: UInt8.self)
            for pair in 0..<4 {
                let q = (block + qsOffset + 32 * pair).assumingMemoryBound(to: UInt8.self)
                let s1 = 8 * b + 2 * pair, s2 = s1 + 1
                let xLow = x.values + 32 * s1, xHigh = x.values + 32 * s2
                var low: Int32 = 0, high: Int32 = 0
                if hasHighBits {
                    let shift = UInt8(2 * pair)
                    for l in 0..<32 {
                        low &+= Int32((q[l] & 0x0F) | (((qh[l] >> shift) & 1) << 4)) &* Int32(xLow[l])
                        high &+= Int32((q[l] >> 4) | (((qh[l] >> (shift + 1)) & 1) << 4)) &* Int32(xHigh[l])
                    }
                } else {
                    for l in 0..<32 {
                        low &+= Int32(q[l] & 0x0F) &* Int32(xLow[l])
                        high &+= Int32(q[l] >> 4) &* Int32(xHigh[l])
                    }
                }
                let (scaleLow, minLow) = scaleAndMinimum(scales, 2 * pair)
                let (scaleHigh, minHigh) = scaleAndMinimum(scales, 2 * pair + 1)
                total += d * scaleLow * x.scales[s1] * Float(low) - dmin * minLow * x.sums[s1]
                total += d * scaleHigh * x.scales[s2] * Float(high) - dmin * minHigh * x.sums[s2]
            }
        }
        return total
    }

    /// Q6_K (ql 128, qh 64, 16 int8 scales, d): two halves of 128; value = d·scale[r/16]·(q − 32).
    private static func q6_K(_ row: UnsafeRawPointer, _ x: Input) -> Float {
        var total: Float = 0
        for b in 0..<(x.count / 256) {
            let block = row + 210 * b
            let d = half(block, 208)
            for h in 0..<2 {
                let ql = (block + 64 * h).assumingMemoryBound(to: UInt8.self)
                let qh = (block + 128 + 32 * h).assumingMemoryBound(to: UInt8.self)
                let scales = (block + 192 + 8 * h).assumingMemoryBound(to: Int8.self)
                let base = 256 * b + 128 * h  // input index of this half's value 0
                // Values r = l, l+32, l+64, l+96 of the half for l in 0..<32; 16-value groups share a scale.
                for group in 0..<2 {
                    var s1: Int32 = 0, s2: Int32 = 0, s3: Int32 = 0, s4: Int32 = 0
                    for l in (16 * group)..<(16 * group + 16) {
                        let q1 = Int32((ql[l] & 0x0F) | ((qh[l] & 0x03) << 4)) - 32
                        let q2 = Int32((ql[l + 32] & 0x0F) | (((qh[l] >> 2) & 0x03) << 4)) - 32
                        let q3 = Int32((ql[l] >> 4) | (((qh[l] >> 4) & 0x03) << 4)) - 32
                        let q4 = Int32((ql[l + 32] >> 4) | (((qh[l] >> 6) & 0x03) << 4)) - 32
                        s1 &+= q1 &* Int32(x.values[base + l])
                        s2 &+= q2 &* Int32(x.values[base + l + 32])
                        s3 &+= q3 &* Int32(x.values[base + l + 64])
                        s4 &+= q4 &* Int32(x.values[base + l + 96])
                    }
                    // Input scales are per 32 values: value l + 32k of the half is in 32-block base/32 + k.
                    let xb = base / 32
                    total += d * Float(scales[group]) * x.scales[xb] * Float(s1)
                    total += d * Float(scales[group + 2]) * x.scales[xb + 1] * Float(s2)
                    total += d * Float(scales[group + 4]) * x.scales[xb + 2] * Float(s3)
                    total += d * Float(scales[group + 6]) * x.scales[xb + 3] * Float(s4)
                }
            }
        }
        return total
    }

    // Four inputs at once. Each mirrors its one-input kernel above: integer sums (exact, so their
    // order is free) then the same Float expression per block, in the same block order.

    private static func q8_0(_ row: UnsafeRawPointer, _ x: (Input, Input, Input, Input)) -> (Float, Float, Float, Float) {
        blocksOf32(row, x, blockBytes: 34) { block, w in
            let q = (block + 2).assumingMemoryBound(to: Int8.self)
            for j in 0..<32 { w[j] = Int16(q[j]) }
            return half(block, 0)
        }
    }

    private static func q5_0(_ row: UnsafeRawPointer, _ x: (Input, Input, Input, Input)) -> (Float, Float, Float, Float) {
        blocksOf32(row, x, blockBytes: 22) { block, w in
            let qh = UInt32(littleEndian: block.loadUnaligned(fromByteOffset: 2, as: UInt32.self))
            let q = (block + 6).assumingMemoryBound(to: UInt8.self)
            for j in 0..<16 {
                w[j] = Int16(q[j] & 0x0F) | Int16((qh >> UInt32(j)) & 1) << 4 - 16
                w[j + 16] = Int16(q[j] >> 4) | Int16((qh >> UInt32(j + 16)) & 1) << 4 - 16
            }
            return half(block, 0)
        }
    }

    /// The four-input loop of a type with 32-value blocks and one scale each: `unpack(block, w)`
    /// writes the block's 32 weights to `w` as Int16 and returns its scale d; each input then adds
    /// d · scale_x · Σ w·q_x, as the one-input kernel does.
    @inline(__always)
    private static func blocksOf32(_ row: UnsafeRawPointer, _ x: (Input, Input, Input, Input), blockBytes: Int,
                                   _ unpack: (UnsafeRawPointer, UnsafeMutablePointer<Int16>) -> Float) -> (Float, Float, Float, Float) {
        var t0: Float = 0, t1: Float = 0, t2: Float = 0, t3: Float = 0
        withUnsafeTemporaryAllocation(of: Int16.self, capacity: 32) { buffer in
            let w = buffer.baseAddress!
            for b in 0..<(x.0.count / 32) {
                let d = unpack(row + blockBytes * b, w)
                t0 += d * x.0.scales[b] * Float(sum32(w, x.0.values + 32 * b))
                t1 += d * x.1.scales[b] * Float(sum32(w, x.1.values + 32 * b))
                t2 += d * x.2.scales[b] * Float(sum32(w, x.2.values + 32 * b))
                t3 += d * x.3.scales[b] * Float(sum32(w, x.3.values + 32 * b))
            }
        }
        return (t0, t1, t2, t3)
    }

    /// Σ w[j]·x[j] over 32 Int16 pairs, exactly, in Int32 (the vpmaddwd idiom).
    @inline(__always)
    private static func sum32(_ w: UnsafePointer<Int16>, _ x: UnsafePointer<Int16>) -> Int32 {
        var sum: Int32 = 0
        for j in 0..<32 { sum &+= Int32(w[j]) &* Int32(x[j]) }
        return sum
    }

    private static func q4_K(_ row: UnsafeRawPointer, _ x: (Input, Input, Input, Input)) -> (Float, Float, Float, Float) {
        var t0: Float = 0, t1: Float = 0, t2: Float = 0, t3: Float = 0
        withUnsafeTemporaryAllocation(of: Int16.self, capacity: 64) { buffer in
            let wl = buffer.baseAddress!, wh = wl + 32
            for b in 0..<(x.0.count / 256) {
                let block = row + 144 * b
                let d = half(block, 0), dmin = half(block, 2)
                let scales = (block + 4).assumingMemoryBound(to: UInt8.self)
                for pair in 0..<4 {
                    let q = (block + 16 + 32 * pair).assumingMemoryBound(to: UInt8.self)
                    for l in 0..<32 {
                        wl[l] = Int16(q[l] & 0x0F)
                        wh[l] = Int16(q[l] >> 4)
                    }
                    let s1 = 8 * b + 2 * pair, s2 = s1 + 1
                    let (scaleLow, minLow) = scaleAndMinimum(scales, 2 * pair)
                    let (scaleHigh, minHigh) = scaleAndMinimum(scales, 2 * pair + 1)
                    func add(_ t: inout Float, _ input: Input) {
                        let low = sum32(wl, input.values + 32 * s1), high = sum32(wh, input.values + 32 * s2)
                        t += d * scaleLow * input.scales[s1] * Float(low) - dmin * minLow * input.sums[s1]
                        t += d * scaleHigh * input.scales[s2] * Float(high) - dmin * minHigh * input.sums[s2]
                    }
                    add(&t0, x.0)
                    add(&t1, x.1)
                    add(&t2, x.2)
                    add(&t3, x.3)
                }
            }
        }
        return (t0, t1, t2, t3)
    }

    private static func q6_K(_ row: UnsafeRawPointer, _ x: (Input, Input, Input, Input)) -> (Float, Float, Float, Float) {
        var t0: Float = 0, t1: Float = 0, t2: Float = 0, t3: Float = 0
        // Each 128-value half unpacked once into Int16 (q − 32), then four integer sums per 16-value group and input.
        withUnsafeTemporaryAllocation(of: Int16.self, capacity: 128) { buffer in
            let w = buffer.baseAddress!
            for b in 0..<(x.0.count / 256) {
                let block = row + 210 * b
                let d = half(block, 208)
                for h in 0..<2 {
                    let ql = (block + 64 * h).assumingMemoryBound(to: UInt8.self)
                    let qh = (block + 128 + 32 * h).assumingMemoryBound(to: UInt8.self)
                    let scales = (block + 192 + 8 * h).assumingMemoryBound(to: Int8.self)
                    let base = 256 * b + 128 * h, xb = base / 32
                    for l in 0..<32 {
                        w[l] = Int16((ql[l] & 0x0F) | ((qh[l] & 0x03) << 4)) - 32
                        w[l + 32] = Int16((ql[l + 32] & 0x0F) | (((qh[l] >> 2) & 0x03) << 4)) - 32
                        w[l + 64] = Int16((ql[l] >> 4) | (((qh[l] >> 4) & 0x03) << 4)) - 32
                        w[l + 96] = Int16((ql[l + 32] >> 4) | (((qh[l] >> 6) & 0x03) << 4)) - 32
                    }
                    func add(_ t: inout Float, _ input: Input) {
                        for group in 0..<2 {
                            let o = 16 * group
                            let s1 = sum16(w + o, input.values + base + o), s2 = sum16(w + o + 32, input.values + base + o + 32)
                            let s3 = sum16(w + o + 64, input.values + base + o + 64), s4 = sum16(w + o + 96, input.values + base + o + 96)
                            t += d * Float(scales[group]) * input.scales[xb] * Float(s1)
                            t += d * Float(scales[group + 2]) * input.scales[xb + 1] * Float(s2)
                            t += d * Float(scales[group + 4]) * input.scales[xb + 2] * Float(s3)
                            t += d * Float(scales[group + 6]) * input.scales[xb + 3] * Float(s4)
                        }
                    }
                    add(&t0, x.0)
                    add(&t1, x.1)
                    add(&t2, x.2)
                    add(&t3, x.3)
                }
            }
        }
        return (t0, t1, t2, t3)
    }

    /// Σ w[j]·x[j] over 16 Int16 pairs, exactly, in Int32.
    @inline(__always)
    private static func sum16(_ w: UnsafePointer<Int16>, _ x: UnsafePointer<Int16>) -> Int32 {
        var sum: Int32 = 0
        for j in 0..<16 { sum &+= Int32(w[j]) &* Int32(x[j]) }
        return sum
    }
}
