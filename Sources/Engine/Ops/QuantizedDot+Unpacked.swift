import CKernels
import ModelFormats

/// The integer matrix product for many input rows (`CKernels.evk_integer_gemm`): weight rows are
/// unpacked once into Int16 values plus one Float factor (and minimum) per segment, input rows are
/// rounded as for the one-row kernels and laid out 16 to a tile, and the product vectorises over
/// input rows. Each segment is one Int32 sum of the one-row kernels above and enters the total with
/// the same Float expression in the same order, so every output has the bits `dot`/`dot4` give it —
/// a row's value never depends on how many rows were projected beside it.
extension QuantizedDot {
    /// Whether the CPU runs the AVX-512 VNNI form of the matrix product (read once).
    static let hasVNNI = evk_cpu_has_vnni512() != 0

    /// How a type's rows split into segments (one exact integer sum each) and how each enters the
    /// total (`EVKWeights.mode`).
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

    /// Input rows rounded as `Input` rounds them, each row's values, scales and sums contiguous, the
    /// rows split between the threads; the pointer arrays are what `evk_group_products` takes.
    final class RoundedRows {
        let values: [UnsafePointer<Int16>?]
        let scales: [UnsafePointer<Float>?]
        let sums: [UnsafePointer<Float>?]
        private let storage: UnsafeMutableRawPointer

        init(_ rows: [UnsafePointer<Float>], count: Int, threads: Int) {
            let blocks = count / 32, rowBytes = 2 * count + 8 * blocks
            let storage = UnsafeMutableRawPointer.allocate(byteCount: max(1, rows.count * rowBytes), alignment: 64)
            self.storage = storage
            func row(_ r: Int) -> (UnsafeMutablePointer<Int16>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) {
                let base = storage + r * rowBytes
                let scales = (base + 2 * count).bindMemory(to: Float.self, capacity: 2 * blocks)
                return (base.bindMemory(to: Int16.self, capacity: count), scales, scales + blocks)
            }
            let pointers = (0..<rows.count).map(row)
            values = pointers.map { UnsafePointer($0.0) }
            scales = pointers.map { UnsafePointer($0.1) }
            sums = pointers.map { UnsafePointer($0.2) }
            ParallelRows.forEach(count: rows.count, minimumPerThread: 16, threads: threads) { range in
                for r in range { evk_round_inputs(rows[r], Int32(count), pointers[r].0, pointers[r].1, pointers[r].2, 1) }
            }
        }

        deinit { storage.deallocate() }
    }

    /// Input rows rounded (as `Input` rounds them) and laid out for `evk_integer_gemm`: 16 rows to a
    /// tile, an even number of tiles (missing rows are zeros and are never written out).
    final class PackedInputs {
        let tiles: Int
        let count: Int
        let pairs: UnsafeMutablePointer<Int32>
        let scales: UnsafeMutablePointer<Float>
        let sums: UnsafeMutablePointer<Float>

        /// Rounds and lays out `rows` (each `count` floats), the rows split between `threads`.
        init(_ rows: [UnsafePointer<Float>], count: Int, threads: Int) {
            let pairCount = count / 2, blocks = count / 32
            tiles = 2 * ((rows.count + 31) / 32)
            self.count = count
            let pairs = Self.allocate(Int32.self, tiles * pairCount * 16)
            let scales = Self.allocate(Float.self, tiles * blocks * 16)
            let sums = Self.allocate(Float.self, tiles * blocks * 16)
            (self.pairs, self.scales, self.sums) = (pairs, scales, sums)
            // The lanes past the last row are zeros (computed by the kernel, never written out).
            for r in rows.count..<(tiles * 16) {
                let tile = r / 16, lane = r % 16
                for j in 0..<pairCount { pairs[(tile * pairCount + j) * 16 + lane] = 0 }
                for b in 0..<blocks {
                    scales[(tile * blocks + b) * 16 + lane] = 0
                    sums[(tile * blocks + b) * 16 + lane] = 0
                }
            }
            rows.withUnsafeBufferPointer { rows in
                guard let first = rows.baseAddress else { return }
                ParallelRows.forEach(count: rows.count, minimumPerThread: 16, threads: threads) { range in
                    // Room for the row's Int16 values and its block scales and sums (see evk_pack_inputs).
                    let scratch = UnsafeMutablePointer<Int16>.allocate(capacity: count + count / 4)
                    defer { scratch.deallocate() }
                    first.withMemoryRebound(to: UnsafePointer<Float>?.self, capacity: rows.count) { rowPointers in
                        evk_pack_inputs(rowPointers, Int32(range.lowerBound), Int32(range.count), Int32(count), scratch,
                                        pairs, scales, sums, 1)
                    }
                }
            }
        }

        /// 64-byte aligned (the kernel's aligned loads), not initialised.
        private static func allocate<T>(_ type: T.Type, _ count: Int) -> UnsafeMutablePointer<T> {
            UnsafeMutableRawPointer.allocate(byteCount: max(1, count) * MemoryLayout<T>.stride, alignment: 64)
                .bindMemory(to: T.self, capacity: count)
        }

        deinit {
            UnsafeMutableRawPointer(pairs).deallocate()
            UnsafeMutableRawPointer(scales).deallocate()
            UnsafeMutableRawPointer(sums).deallocate()
        }
    }

    /// Weight rows unpacked for the product: a panel of 16 reused by one thread while it goes through
    /// its rows. Three rows of zeros follow the last slot, so a product may always read whole fours.
    final class UnpackedRows {
        static let panel = 16
        private let capacity = panel
        let weights: UnsafeMutablePointer<Int16>
        let factors: UnsafeMutablePointer<Float>
        let minimums: UnsafeMutablePointer<Float>
        let count: Int
        let segments: Int

        init(count: Int, segments: Int) {
            self.count = count
            self.segments = segments
            weights = .allocate(capacity: (capacity + 3) * count)
            factors = .allocate(capacity: (capacity + 3) * segments)
            minimums = .allocate(capacity: (capacity + 3) * segments)
            (weights + capacity * count).initialize(repeating: 0, count: 3 * count)
            (factors + capacity * segments).initialize(repeating: 0, count: 3 * segments)
            (minimums + capacity * segments).initialize(repeating: 0, count: 3 * segments)
        }

        deinit {
            weights.deallocate()
            factors.deallocate()
            minimums.deallocate()
        }

        /// Unpacks `rows` weight rows (`rowAt(i)`: the stored bytes of row i) into slots 0..<rows, and
        /// zeros up to the next multiple of 4.
        func unpack(_ kernel: Kernel, rows: Int, rowAt: (Int) -> UnsafeRawPointer) {
            for i in 0..<rows {
                QuantizedDot.unpack(kernel, row: rowAt(i), count: count, weights: weights + i * count,
                                    factors: factors + i * segments, minimums: minimums + i * segments)
            }
            let padded = min(capacity, (rows + 3) / 4 * 4)
            if padded > rows {
                (weights + rows * count).update(repeating: 0, count: (padded - rows) * count)
                (factors + rows * segments).update(repeating: 0, count: (padded - rows) * segments)
                (minimums + rows * segments).update(repeating: 0, count: (padded - rows) * segments)
            }
        }

        /// out[r][first + i] for every input row r and the weight rows in slots `slots`, which go to
        /// outputs first..<first + slots.count.
        func multiply(_ layout: Segments, slots: Range<Int>, first: Int, inputs: PackedInputs, inputRows: Int,
                      out: UnsafePointer<UnsafeMutablePointer<Float>?>, vnni: Bool) {
            let s = slots.lowerBound
            layout.starts.withUnsafeBufferPointer { starts in
                var w = EVKWeights(weights: weights + s * count, factors: factors + s * segments, minimums: minimums + s * segments,
                                   segmentStarts: starts.baseAddress, rows: Int32((slots.count + 3) / 4 * 4), k: Int32(count),
                                   segments: Int32(segments), segmentLength: Int32(layout.length), mode: layout.mode)
                var x = EVKInputs(pairs: inputs.pairs, scales: inputs.scales, sums: inputs.sums, tiles: Int32(inputs.tiles), k: Int32(count))
                evk_integer_gemm(&w, &x, out, Int32(first), Int32(inputRows), Int32(slots.count), vnni ? 1 : 0)
            }
        }
    }
}
