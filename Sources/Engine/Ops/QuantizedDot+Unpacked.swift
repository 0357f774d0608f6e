import CKernels
import ModelFormats

/// The integer kernels' C form (`CKernels.evk_group_products`): weight rows unpacked into Int16 values
/// plus one Float factor (and minimum) per segment, then regrouped sixteen rows to a vector
/// (`PackedMatrix.prepareRowProducts`); input rows rounded as for the one-row kernels. Each segment is
/// one Int32 sum of the one-row kernels above and enters the total with the same Float expression in
/// the same order, so every output has the bits `dot`/`dot4` give it — a row's value never depends
/// on how many rows were projected beside it.
extension QuantizedDot {
    /// Whether the CPU runs `evk_group_products` (AVX-512 VNNI or AVX2; read once).
    static let hasGroupedKernel = evk_group_kernel() != 0

    /// How a type's rows split into segments (one exact integer sum each) and how each enters the
    /// total (`mode`, as `evk_group_products` describes it).
    struct Segments {
        /// First value of each segment, in the order the one-row kernel adds them.
        let starts: [Int32]
        let length: Int
        let mode: Int32

        init(_ kernel: Kernel, count: Int) {
            switch kernel {
            case .q8_0, .q4_0, .q5_0:
                (length, mode) = (32, 0)
                starts = (0..<(count / 32)).map { Int32(32 * $0) }
            case .q4_1, .q5_1:
                (length, mode) = (32, 1)
                starts = (0..<(count / 32)).map { Int32(32 * $0) }
            case .q4_K, .q5_K:
                (length, mode) = (32, 2)
                starts = (0..<(count / 32)).map { Int32(32 * $0) }
            case .q6_K:
                // Per 128-value half: 16-value groups at 0, 32, 64, 96, then at 16, 48, 80, 112 (the kernel's order).
                (length, mode) = (16, 0)
                starts = (0..<(count / 128)).flatMap { half in
                    [0, 32, 64, 96, 16, 48, 80, 112].map { Int32(128 * half + $0) }
                }
            }
        }
    }

    /// Writes weight row `row`'s values (count of them) to `weights` as Int16 and each segment's
    /// factor and minimum (in `Segments` order) to `factors` and `minimums`: the values and Float
    /// expressions the one-row kernels use.
    static func unpack(_ kernel: Kernel, row: UnsafeRawPointer, count: Int, weights w: UnsafeMutablePointer<Int16>,
                       factors f: UnsafeMutablePointer<Float>, minimums m: UnsafeMutablePointer<Float>) {
        switch kernel {
        case .q8_0:
            for b in 0..<(count / 32) {
                let block = row + 34 * b, q = (block + 2).assumingMemoryBound(to: Int8.self)
                for j in 0..<32 { w[32 * b + j] = Int16(q[j]) }
                f[b] = half(block, 0)
                m[b] = 0
            }
        case .q4_0, .q4_1:
            let hasMinimum = kernel == .q4_1
            let stride = hasMinimum ? 20 : 18, offset = hasMinimum ? 4 : 2, bias: Int16 = hasMinimum ? 0 : 8
            for b in 0..<(count / 32) {
                let block = row + stride * b, q = (block + offset).assumingMemoryBound(to: UInt8.self)
                for j in 0..<16 {
                    w[32 * b + j] = Int16(q[j] & 0x0F) - bias
                    w[32 * b + j + 16] = Int16(q[j] >> 4) - bias
                }
                f[b] = half(block, 0)
                m[b] = hasMinimum ? half(block, 2) : 0
            }
        case .q5_0, .q5_1:
            let hasMinimum = kernel == .q5_1
            let stride = hasMinimum ? 24 : 22, qhOffset = hasMinimum ? 4 : 2, bias: Int16 = hasMinimum ? 0 : 16
            for b in 0..<(count / 32) {
                let block = row + stride * b
                let qh = UInt32(littleEndian: block.loadUnaligned(fromByteOffset: qhOffset, as: UInt32.self))
                let q = (block + qhOffset + 4).assumingMemoryBound(to: UInt8.self)
                for j in 0..<16 {
                    w[32 * b + j] = (Int16(q[j] & 0x0F) | Int16((qh >> UInt32(j)) & 1) << 4) - bias
                    w[32 * b + j + 16] = (Int16(q[j] >> 4) | Int16((qh >> UInt32(j + 16)) & 1) << 4) - bias
                }
                f[b] = half(block, 0)
                m[b] = hasMinimum ? half(block, 2) : 0
            }
        case .q4_K, .q5_K:
            let hasHighBits = kernel == .q5_K
            let stride = hasHighBits ? 176 : 144, qsOffset = hasHighBits ? 48 : 16
            for b in 0..<(count / 256) {
                let block = row + stride * b
                let d = half(block, 0), dmin = half(block, 2)
                let scales = (block + 4).assumingMemoryBound(to: UInt8.self)
                let qh = (block + 16).assumingMemoryBound(to: UInt8.self)
                for pair in 0..<4 {
                    let q = (block + qsOffset + 32 * pair).assumingMemoryBound(to: UInt8.self)
                    let low = w + 256 * b + 64 * pair, high = low + 32
                    for l in 0..<32 {
                        low[l] = Int16(q[l] & 0x0F)
                        high[l] = Int16(q[l] >> 4)
                        if hasHighBits {
                            low[l] |= Int16((qh[l] >> UInt8(2 * pair)) & 1) << 4
                            high[l] |= Int16((qh[l] >> UInt8(2 * pair + 1)) & 1) << 4
                        }
                    }
                    for j in [2 * pair, 2 * pair + 1] {
                        let (scale, minimum) = scaleAndMinimum(scales, j)
                        f[8 * b + j] = d * scale
                        m[8 * b + j] = dmin * minimum
                    }
                }
            }
        case .q6_K:
            for b in 0..<(count / 256) {
                let block = row + 210 * b
                let d = half(block, 208)
                for h in 0..<2 {
                    let ql = (block + 64 * h).assumingMemoryBound(to: UInt8.self)
                    let qh = (block + 128 + 32 * h).assumingMemoryBound(to: UInt8.self)
                    let scales = (block + 192 + 8 * h).assumingMemoryBound(to: Int8.self)
                    let v = w + 256 * b + 128 * h
                    for l in 0..<32 {
                        v[l] = Int16((ql[l] & 0x0F) | ((qh[l] & 0x03) << 4)) - 32
                        v[l + 32] = Int16((ql[l + 32] & 0x0F) | (((qh[l] >> 2) & 0x03) << 4)) - 32
                        v[l + 64] = Int16((ql[l] >> 4) | (((qh[l] >> 4) & 0x03) << 4)) - 32
                        v[l + 96] = Int16((ql[l + 32] >> 4) | (((qh[l] >> 6) & 0x03) << 4)) - 32
                    }
                    // Segments in `Segments` order: group 0's four sums (scales 0, 2, 4, 6), then group 1's (1, 3, 5, 7).
                    let s = 16 * b + 8 * h
                    for group in 0..<2 {
                        for k in 0..<4 {
                            f[s + 4 * group + k] = d * Float(scales[group + 2 * k])
                            m[s + 4 * group + k] = 0
                        }
                    }
                }
            }
        }
    }
}
