/// Dequantisation of ggml block formats to `Float`, bit-exact with ggml's reference
/// (`dequantize_row_*` in ggml-quants.c) and the PyPI `gguf` package's `quants.py`: the same
/// float32 operations in the same order (no fused multiply-add).
///
/// All multi-byte fields are little-endian; `d`, `m`, `dmin` are binary16 scales.
public enum GGMLDequantization {
    /// Dequantises whole blocks.
    ///
    /// - Parameters:
    ///   - blocks: `output.count / type.blockSize` consecutive blocks of `type` (exactly that many bytes).
    ///   - type: must be one of `GGMLType.dequantizable`.
    ///   - output: receives `output.count` floats; `output.count` must be a multiple of `type.blockSize`.
    /// - Returns: `false` (writing nothing) if the type is unsupported or the sizes disagree.
    @discardableResult
    public static func dequantize(_ blocks: UnsafeRawBufferPointer, type: GGMLType,
                                  into output: UnsafeMutableBufferPointer<Float>) -> Bool {
        let blockSize = type.blockSize
        guard type.isDequantizable, blockSize > 0, output.count % blockSize == 0,
              blocks.count == output.count / blockSize * type.blockByteCount else { return false }
        dequantize(blocks, type: type, blockSize: blockSize, blockByteCount: type.blockByteCount, into: output)
        return true
    }

    /// `dequantize(_:type:into:)` without its checks, for loops that convert a matrix row by row:
    /// the caller has checked once that `type` is dequantisable, that `blockSize` and
    /// `blockByteCount` are its geometry, and that the sizes agree (the checks look the type up in
    /// a table, which per row of a 262,144-row matrix costs more than the row's conversion).
    public static func dequantize(_ blocks: UnsafeRawBufferPointer, type: GGMLType, blockSize: Int, blockByteCount stride: Int,
                                  into output: UnsafeMutableBufferPointer<Float>) {
        let blockCount = output.count / blockSize
        switch type {
        case .f32, .f16, .bf16, .f64, .i8, .i16, .i32, .i64:
            plain(blocks, type: type, into: output)
        case .q8_0:
            for b in 0..<blockCount { q8_0(blocks, at: b * stride, output, b * blockSize) }
        case .q4_0:
            for b in 0..<blockCount { q4_0(blocks, at: b * stride, output, b * blockSize) }
        case .q4_1:
            for b in 0..<blockCount { q4_1(blocks, at: b * stride, output, b * blockSize) }
        case .q5_0:
            for b in 0..<blockCount { q5(blocks, at: b * stride, output, b * blockSize, hasMinimum: false) }
        case .q5_1:
            for b in 0..<blockCount { q5(blocks, at: b * stride, output, b * blockSize, hasMinimum: true) }
        case .q4_K:
            for b in 0..<blockCount { q4_K(blocks, at: b * stride, output, b * blockSize) }
        case .q5_K:
            for b in 0..<blockCount { q5_K(blocks, at: b * stride, output, b * blockSize) }
        case .q6_K:
            for b in 0..<blockCount { q6_K(blocks, at: b * stride, output, b * blockSize) }
        default:
            preconditionFailure("GGMLDequantization: \(type.name) is not dequantisable")
        }
    }

    @inline(__always)
    private static func half(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> Float {
        HalfPrecision.float(fromHalfBits: UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self)))
    }

    private static func plain(_ bytes: UnsafeRawBufferPointer, type: GGMLType, into output: UnsafeMutableBufferPointer<Float>) {
        let dtype: TensorDType
        switch type {
        case .f32: dtype = .f32
        case .f16: dtype = .f16
        case .bf16: dtype = .bf16
        case .f64: dtype = .f64
        case .i8: dtype = .i8
        case .i16: dtype = .i16
        case .i32: dtype = .i32
        default: dtype = .i64
        }
        TensorConversion.widen(bytes, dtype: dtype, into: output)
    }

    /// Q8_0, 34 bytes per 32 values: d (f16), 32 × int8 q. value = q × d.
    private static func q8_0(_ x: UnsafeRawBufferPointer, at o: Int, _ y: UnsafeMutableBufferPointer<Float>, _ start: Int) {
        let d = half(x, o)
        for j in 0..<32 { y[start + j] = Float(Int8(bitPattern: x[o + 2 + j])) * d }
    }

    /// Q4_0, 18 bytes per 32 values: d (f16), 16 bytes of nibbles. Byte j holds value j in its low
    /// nibble and value j+16 in its high nibble; value = (nibble − 8) × d.
    private static func q4_0(_ x: UnsafeRawBufferPointer, at o: Int, _ y: UnsafeMutableBufferPointer<Float>, _ start: Int) {
        let d = half(x, o)
        for j in 0..<16 {
            let byte = x[o + 2 + j]
            y[start + j] = Float(Int32(byte & 0x0F) - 8) * d
            y[start + j + 16] = Float(Int32(byte >> 4) - 8) * d
        }
    }

    /// Q4_1, 20 bytes per 32 values: d, m (f16), 16 bytes of nibbles as in Q4_0; value = nibble × d + m.
    private static func q4_1(_ x: UnsafeRawBufferPointer, at o: Int, _ y: UnsafeMutableBufferPointer<Float>, _ start: Int) {
        let d = half(x, o)
        let m = half(x, o + 2)
        for j in 0..<16 {
            let byte = x[o + 4 + j]
            y[start + j] = Float(byte & 0x0F) * d + m
            y[start + j + 16] = Float(byte >> 4) * d + m
        }
    }

    /// Q5_0 (22 bytes: d, uint32 qh, 16 nibble bytes) and Q5_1 (24 bytes: d, m, qh, nibbles).
    /// The 5th bit of value j is bit j of qh. Q5_0: value = (q − 16) × d; Q5_1: value = q × d + m.
    private static func q5(_ x: UnsafeRawBufferPointer, at o: Int, _ y: UnsafeMutableBufferPointer<Float>, _ start: Int, hasMinimum: Bool) {
        let d = half(x, o)
        let m: Float = hasMinimum ? half(x, o + 2) : 0
        let qhOffset = o + (hasMinimum ? 4 : 2)
        let qh = UInt32(littleEndian: x.loadUnaligned(fromByteOffset: qhOffset, as: UInt32.self))
        let qs = qhOffset + 4
        for j in 0..<16 {
            let byte = x[qs + j]
            let low = UInt32(byte & 0x0F) | ((qh >> UInt32(j)) & 1) << 4
            let high = UInt32(byte >> 4) | ((qh >> UInt32(j + 16)) & 1) << 4
            if hasMinimum {
                y[start + j] = Float(low) * d + m
                y[start + j + 16] = Float(high) * d + m
            } else {
                y[start + j] = Float(Int32(low) - 16) * d
                y[start + j + 16] = Float(Int32(high) - 16) * d
            }
        }
    }

    /// The 6-bit scale and minimum of sub-block `j` (0..<8) from the 12 packed bytes at `s`:
    /// bytes 0–3 hold scales 0–3 (low 6 bits), bytes 4–7 minimums 0–3; sub-blocks 4–7 take their
    /// low 4 bits from bytes 8–11 and their top 2 bits from the spare top bits of bytes 0–7.
    @inline(__always)
    private static func scaleAndMinimum(_ x: UnsafeRawBufferPointer, _ s: Int, _ j: Int) -> (Float, Float) {
        if j < 4 {
            return (Float(x[s + j] & 63), Float(x[s + j + 4] & 63))
        }
        let scale = (x[s + j + 4] & 0x0F) | ((x[s + j - 4] >> 6) << 4)
        let minimum = (x[s + j + 4] >> 4) | ((x[s + j] >> 6) << 4)
        return (Float(scale), Float(minimum))
    }

    /// Q4_K, 144 bytes per 256 values: d, dmin (f16), 12 packed scale bytes, 128 nibble bytes.
    /// Eight sub-blocks of 32; sub-blocks 2i and 2i+1 use the low and high nibbles of bytes
    /// 32i..<32i+32. value = (d × scale) × q − (dmin × min).
    private static func q4_K(_ x: UnsafeRawBufferPointer, at o: Int, _ y: UnsafeMutableBufferPointer<Float>, _ start: Int) {
        let d = half(x, o)
        let dmin = half(x, o + 2)
        let qs = o + 16
        for pair in 0..<4 {
            let (scaleLow, minLow) = scaleAndMinimum(x, o + 4, 2 * pair)
            let (scaleHigh, minHigh) = scaleAndMinimum(x, o + 4, 2 * pair + 1)
            let d1 = d * scaleLow, m1 = dmin * minLow
            let d2 = d * scaleHigh, m2 = dmin * minHigh
            let out = start + 64 * pair
            for l in 0..<32 {
                let byte = x[qs + 32 * pair + l]
                y[out + l] = d1 * Float(byte & 0x0F) - m1
                y[out + 32 + l] = d2 * Float(byte >> 4) - m2
            }
        }
    }

    /// Q5_K, 176 bytes per 256 values: d, dmin, 12 scale bytes, 32 qh bytes, 128 nibble bytes.
    /// As Q4_K, with the 5th bit of value l of sub-block s in bit s of qh[l].
    private static func q5_K(_ x: UnsafeRawBufferPointer, at o: Int, _ y: UnsafeMutableBufferPointer<Float>, _ start: Int) {
        let d = half(x, o)
        let dmin = half(x, o + 2)
        let qh = o + 16
        let qs = o + 48
        for pair in 0..<4 {
            let (scaleLow, minLow) = scaleAndMinimum(x, o + 4, 2 * pair)
            let (scaleHigh, minHigh) = scaleAndMinimum(x, o + 4, 2 * pair + 1)
            let d1 = d * scaleLow, m1 = dmin * minLow
            let d2 = d * scaleHigh, m2 = dmin * minHigh
            let out = start + 64 * pair
            for l in 0..<32 {
                let byte = x[qs + 32 * pair + l]
                let high = x[qh + l]
                let q1 = (byte & 0x0F) | (((high >> UInt8(2 * pair)) & 1) << 4)
                let q2 = (byte >> 4) | (((high >> UInt8(2 * pair + 1)) & 1) << 4)
                y[out + l] = d1 * Float(q1) - m1
                y[out + 32 + l] = d2 * Float(q2) - m2
            }
        }
    }

    /// Q6_K, 210 bytes per 256 values: ql (128 bytes of low nibbles), qh (64 bytes of 2-bit high
    /// parts), 16 int8 scales, d (f16). Two halves of 128 values; in half h, value r (0..<128)
    /// takes nibble (r / 64) of ql[64h + r % 64] and bits 2·(r / 32) of qh[32h + r % 32].
    /// value = (d × scale[index / 16]) × (q − 32).
    private static func q6_K(_ x: UnsafeRawBufferPointer, at o: Int, _ y: UnsafeMutableBufferPointer<Float>, _ start: Int) {
        let d = half(x, o + 208)
        for h in 0..<2 {
            let ql = o + 64 * h, qh = o + 128 + 32 * h, scales = o + 192 + 8 * h
            let out = start + 128 * h
            // Value r of this half for r = l, l+32, l+64, l+96: the four share qh[l]; values
            // 16g..<16g+16 of each 32 share a scale (hoisted, so the loop vectorises).
            for group in 0..<2 {
                let s1 = d * Float(Int8(bitPattern: x[scales + group])), s2 = d * Float(Int8(bitPattern: x[scales + group + 2]))
                let s3 = d * Float(Int8(bitPattern: x[scales + group + 4])), s4 = d * Float(Int8(bitPattern: x[scales + group + 6]))
                for l in (16 * group)..<(16 * group + 16) {
                    let low = x[ql + l], lowNext = x[ql + l + 32], high = x[qh + l]
                    let q1 = Int32((low & 0x0F) | ((high & 0x03) << 4)) - 32
                    let q2 = Int32((lowNext & 0x0F) | (((high >> 2) & 0x03) << 4)) - 32
                    let q3 = Int32((low >> 4) | (((high >> 4) & 0x03) << 4)) - 32
                    let q4 = Int32((lowNext >> 4) | (((high >> 6) & 0x03) << 4)) - 32
                    y[out + l] = s1 * Float(q1)
                    y[out + l + 32] = s2 * Float(q2)
                    y[out + l + 64] = s3 * Float(q3)
                    y[out + l + 96] = s4 * Float(q4)
                }
            }
        }
    }
}
