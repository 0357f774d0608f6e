import CKernels
import Foundation
import ModelFormats

/// A dense layer's weight in the orientation of PyTorch and GGUF: (outputs, inputs), row-major:
/// in its stored quantised form (`packed`, memory-mapped) when the file stores it so, and as Float
/// for sgemm when some row counts need it.
struct Linear: @unchecked Sendable {
    /// The Float copy (dequantised once at load) for sgemm; nil when the stored form serves every
    /// row count (`PackedMatrix.servesEveryRowCount`), which saves 4 bytes per weight.
    let weight: FloatBuffer?
    let inputs: Int
    let outputs: Int
    /// The stored quantised form. Up to `packedMaximumRows` rows (generation, short continuations)
    /// read it, fused, instead of the Float copy: about a sixth of the bytes, and no sgemm packing
    /// of the whole Float matrix on every call (profiled: 37% of short-request scoring), nor BLAS
    /// thread hand-offs. With the regrouped rows (AVX-512 VNNI or AVX2) every row count reads it.
    var packed: PackedMatrix? = nil

    /// Without the regrouped rows (neither AVX-512 VNNI nor AVX2), above this many rows sgemm on the Float copy is faster
    /// than the fused product.
    static let packedMaximumRows = 32

    /// out(M, outputs) = inp(M, inputs) · weightᵀ: on the stored form when there is no Float copy
    /// or up to `packedMaximumRows` rows, else sgemm (sgemv for one row) on the Float copy.
    func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, rows m: Int) {
        guard let weight, m > Self.packedMaximumRows || packed == nil else {
            return packed!.multiplyTransposed([.init(inp: inp, m: m, out: out)])
        }
        if m == 1 { return BLAS.gemv(m: outputs, n: inputs, a: weight.pointer, lda: inputs, x: inp, y: out) }
        BLAS.gemm(transposeA: false, transposeB: true, m: m, n: outputs, k: inputs, a: inp, lda: inputs,
                  b: weight.pointer, ldb: inputs, beta: 0, c: out, ldc: outputs)
    }
}

/// A (rows, columns) matrix kept exactly as the GGUF file stores it (Q8_0, Q4_K, F16, …) in the
/// file's memory mapping: the token embedding, which Gemma also uses as the output projection
/// (262,144 × 640: 178 MB as Q8_0 against 671 MB as Float), and the stored form of each block
/// weight, which products of up to `Linear.packedMaximumRows` rows read instead of the Float copy.
///
/// Products are fused, the weight rows split between the engine's threads (`ParallelRows`):
/// quantised types through `QuantizedDot`'s integer kernels (input rounded to Int16 per 32 values,
/// exact Int32 block sums); F16 / BF16 by dequantising each weight row into a small buffer (it
/// stays in L1) and dotting it with every input row (`VectorMath.dot`). Either way every output
/// value is computed from its input row and its weight row alone in a fixed order, so it never
/// depends on how many rows are projected together, on the products computed beside it, or on
/// the thread count.
public final class PackedMatrix: @unchecked Sendable {
    public let rows: Int
    public let columns: Int
    public let type: GGMLType
    let rowByteCount: Int
    private let blockSize: Int
    private let blockByteCount: Int
    /// The integer kernel for the type, nil for F32 (sgemm) and F16 / BF16 (float path).
    private let kernel: QuantizedDot.Kernel?
    /// Shares the file's memory mapping (no copy); immutable.
    private let data: Data
    /// The rows regrouped sixteen at a time for products of a few rows (`prepareRowProducts`) and
    /// their segments, nil until then.
    private var groupedRows: (arena: LargePageArena, rows: UnsafeMutableRawPointer, layout: QuantizedDot.Segments)?

    /// `data`: the matrix as stored, rows × (columns / type.blockSize) blocks; `columns` must be a
    /// multiple of the type's block size and `type` dequantisable (the loaders check both).
    public init(rows: Int, columns: Int, type: GGMLType, data: Data) {
        self.rows = rows
        self.columns = columns
        self.type = type
        self.blockSize = type.blockSize
        self.blockByteCount = type.blockByteCount
        self.rowByteCount = columns / blockSize * blockByteCount
        self.kernel = QuantizedDot.Kernel(type)
        self.data = data
    }

    /// Whether a matrix stored as `type` multiplies any number of rows at least as fast as sgemm on
    /// its Float copy (the regrouped rows: quantised types, AVX-512 VNNI or AVX2), so needs no copy.
    public static func servesEveryRowCount(_ type: GGMLType) -> Bool { QuantizedDot.Kernel(type) != nil && QuantizedDot.hasGroupedKernel }

    /// Dequantises row `row` into `out` (columns floats), times `scale`.
    func dequantizeRow(_ row: Int, into out: UnsafeMutablePointer<Float>, scale: Float = 1) {
        data.withUnsafeBytes { bytes in
            let start = row * rowByteCount
            GGMLDequantization.dequantize(UnsafeRawBufferPointer(rebasing: bytes[start..<(start + rowByteCount)]), type: type,
                                          blockSize: blockSize, blockByteCount: blockByteCount,
                                          into: UnsafeMutableBufferPointer(start: out, count: columns))
        }
        if scale != 1 { for j in 0..<columns { out[j] *= scale } }
    }

    /// One product of `multiplyTransposed(_:)`: out(m, rows) = inp(m, columns) · selfᵀ.
    struct Product {
        let inp: UnsafePointer<Float>
        let m: Int
        let out: UnsafeMutablePointer<Float>
    }

    /// Weight rows below which a product is not split between threads (the hand-off costs more).
    static let rowsPerThread = 64

    /// How the integer kernels run: both paths give the same bits (tests compare them).
    public enum ProductPath: Sendable {
        /// The regrouped rows (`prepareRowProducts`) where they were prepared, else row by row.
        case automatic
        /// `QuantizedDot.dot4` / `dot` per weight row.
        case rowByRow
    }

    /// Computes every product. F32 matrices go to sgemm (or sgemv for one row); the others are fused
    /// (see the type's documentation), each weight row read once for all products.
    func multiplyTransposed(_ products: [Product], threads: Int = BLAS.threadCount, path: ProductPath = .automatic) {
        let c = columns, n = rows
        data.withUnsafeBytes { bytes in
            guard let base = bytes.baseAddress else { return }
            if type == .f32 {
                let weight = base.assumingMemoryBound(to: Float.self)
                for product in products {
                    if product.m == 1 {
                        BLAS.gemv(m: n, n: c, a: weight, lda: c, x: product.inp, y: product.out)
                    } else {
                        BLAS.gemm(transposeA: false, transposeB: true, m: product.m, n: n, k: c, a: product.inp, lda: c,
                                  b: weight, ldb: c, beta: 0, c: product.out, ldc: n)
                    }
                }
                return
            }
            let rowBytes = rowByteCount, type = type, blockSize = blockSize, blockByteCount = blockByteCount
            if let kernel {
                // Every input row of every product, rounded once; four at a time against each weight
                // row (each value is exact integer sums and one fixed Float expression per block, so
                // which rows share a pass cannot change it).
                var inputRows: [UnsafePointer<Float>] = [], outputs: [UnsafeMutablePointer<Float>] = []
                for product in products {
                    for i in 0..<product.m {
                        inputRows.append(product.inp + i * c)
                        outputs.append(product.out + i * n)
                    }
                }
                let rounded = QuantizedDot.RoundedRows(inputRows, count: c, threads: threads)
                // The regrouped rows where prepared (only on CPUs with AVX-512 VNNI or AVX2): faster than the
                // row-by-row kernels at every row count, and than the matrix product they replaced.
                if case .automatic = path, let groupedRows {
                    return multiplyGrouped(groupedRows, inputs: rounded, outputs: outputs, threads: threads)
                }
                let inputs = rounded.inputs, count = inputs.count
                defer { withExtendedLifetime(rounded) {} }  // owns the rows `inputs` view
                ParallelRows.forEach(count: n, minimumPerThread: Self.rowsPerThread, threads: threads) { range in
                    for r in range {
                        let row = base + r * rowBytes
                        var i = 0
                        while i + 4 <= count {
                            let v = QuantizedDot.dot4(kernel, row: row, (inputs[i], inputs[i + 1], inputs[i + 2], inputs[i + 3]))
                            outputs[i][r] = v.0
                            outputs[i + 1][r] = v.1
                            outputs[i + 2][r] = v.2
                            outputs[i + 3][r] = v.3
                            i += 4
                        }
                        for i in i..<count { outputs[i][r] = QuantizedDot.dot(kernel, row: row, inputs[i]) }
                    }
                }
                return
            }
            ParallelRows.forEach(count: n, minimumPerThread: Self.rowsPerThread, threads: threads) { range in
                // Weight rows four at a time (dequantised into L1), so that even one input row keeps
                // eight independent sums going; every value is `VectorMath.dot` of its two rows
                // (multiplication commutes, so dot4 may take either side as the shared one).
                let weights = FloatBuffer(count: 4 * c)
                var r = range.lowerBound
                while r < range.upperBound {
                    let group = min(4, range.upperBound - r)
                    for k in 0..<group {
                        GGMLDequantization.dequantize(UnsafeRawBufferPointer(start: base + (r + k) * rowBytes, count: rowBytes), type: type,
                                                      blockSize: blockSize, blockByteCount: blockByteCount,
                                                      into: UnsafeMutableBufferPointer(start: weights.pointer + k * c, count: c))
                    }
                    for product in products {
                        var i = 0
                        if group == 4 {
                            // Four input rows per weight row while they last, then each input row against the four weight rows.
                            while i + 4 <= product.m {
                                for k in 0..<4 {
                                    let v = VectorMath.dot4(weights.pointer + k * c, product.inp + i * c, stride: c, count: c)
                                    let out = product.out + i * n + r + k
                                    out[0] = v.0
                                    out[n] = v.1
                                    out[2 * n] = v.2
                                    out[3 * n] = v.3
                                }
                                i += 4
                            }
                            while i < product.m {
                                let v = VectorMath.dot4(product.inp + i * c, weights.pointer, stride: c, count: c)
                                let out = product.out + i * n + r
                                out[0] = v.0
                                out[1] = v.1
                                out[2] = v.2
                                out[3] = v.3
                                i += 1
                            }
                        } else {
                            for i in 0..<product.m {
                                for k in 0..<group {
                                    product.out[i * n + r + k] = VectorMath.dot(weights.pointer + k * c, product.inp + i * c, count: c)
                                }
                            }
                        }
                    }
                    r += group
                }
            }
        }
    }

    /// Regroups the rows of a quantised matrix sixteen at a time (`evk_group_rows`: each value as
    /// Int8, each segment's factor and minimum as Float, the 16 rows' segments interleaved) so products
    /// run with a weight row per vector lane and up to eight input rows per load of the weights: the
    /// one-row kernels' bits with no horizontal sum per segment. A copy (the stored form stays for
    /// embedding lookups): 1 byte per weight and 4–8 bytes per 16 or 32.
    /// Does nothing for unquantised types or without AVX-512 VNNI or AVX2. Call before the matrix is shared
    /// between threads.
    public func prepareRowProducts() { prepareRowProducts(in: LargePageArena()) }

    /// `prepareRowProducts()` with the regrouped rows in `arena` (a model's matrices share one).
    func prepareRowProducts(in arena: LargePageArena) {
        guard let kernel, QuantizedDot.hasGroupedKernel, groupedRows == nil else { return }
        let layout = QuantizedDot.Segments(kernel, count: columns), segments = layout.starts.count
        let groups = (rows + 15) / 16, groupBytes = segments * Int(evk_group_segment_bytes(layout.mode, Int32(layout.length)))
        let grouped = arena.allocate(byteCount: groups * groupBytes)
        let (rows, columns, rowBytes) = (rows, columns, rowByteCount)
        data.withUnsafeBytes { bytes in
            guard let base = bytes.baseAddress else { return }
            // Groups between the threads (each group written by one), as products split them.
            ParallelRows.forEach(count: groups, minimumPerThread: Self.rowsPerThread / 16) { range in
                let weights = UnsafeMutablePointer<Int16>.allocate(capacity: 16 * columns)
                let factors = UnsafeMutablePointer<Float>.allocate(capacity: 16 * segments)
                let minimums = UnsafeMutablePointer<Float>.allocate(capacity: 16 * segments)
                defer { weights.deallocate(); factors.deallocate(); minimums.deallocate() }
                for g in range {
                    let count = min(16, rows - 16 * g)
                    for l in 0..<count {
                        QuantizedDot.unpack(kernel, row: base + (16 * g + l) * rowBytes, count: columns, weights: weights + l * columns,
                                            factors: factors + l * segments, minimums: minimums + l * segments)
                    }
                    evk_group_rows(weights, factors, minimums, Int32(count), Int32(columns), layout.starts, Int32(segments),
                                   Int32(layout.length), layout.mode, (grouped + g * groupBytes).assumingMemoryBound(to: UInt8.self))
                }
            }
        }
        groupedRows = (arena, grouped, layout)
    }

    /// The product on the regrouped rows, the weight groups split between the threads.
    private func multiplyGrouped(_ grouped: (arena: LargePageArena, rows: UnsafeMutableRawPointer, layout: QuantizedDot.Segments),
                                 inputs rounded: QuantizedDot.RoundedRows, outputs: [UnsafeMutablePointer<Float>], threads: Int) {
        let inputs = rounded.inputs
        let values: [UnsafePointer<Int16>?] = inputs.map { UnsafePointer($0.values) }
        let scales: [UnsafePointer<Float>?] = inputs.map { UnsafePointer($0.scales) }
        let sums: [UnsafePointer<Float>?] = inputs.map { UnsafePointer($0.sums) }
        let targets: [UnsafeMutablePointer<Float>?] = outputs
        let layout = grouped.layout, outputRows = Int32(rows), rows = UnsafePointer(grouped.rows.assumingMemoryBound(to: UInt8.self))
        layout.starts.withUnsafeBufferPointer { starts in
            ParallelRows.forEach(count: (self.rows + 15) / 16, minimumPerThread: Self.rowsPerThread / 16, threads: threads) { groups in
                let done = evk_group_products(rows, starts.baseAddress, Int32(starts.count), Int32(layout.length), layout.mode,
                                              Int32(groups.lowerBound), Int32(groups.count), values, scales, sums,
                                              Int32(inputs.count), targets, outputRows)
                assert(done == 1, "regrouped rows exist only where the CPU has AVX-512 VNNI or AVX2")
            }
        }
    }

    /// inp (m, columns) · selfᵀ → (m, rows), on `threads` threads (`path`: for tests and benchmarks).
    public func multiplyTransposed(_ inp: [Float], rows m: Int, threads: Int = BLAS.threadCount, path: ProductPath = .automatic) -> [Float] {
        precondition(inp.count == m * columns, "input must be \(m) × \(columns)")
        var out = [Float](repeating: 0, count: m * rows)
        inp.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer { y in
                if let xs = x.baseAddress, let ys = y.baseAddress { multiplyTransposed([Product(inp: xs, m: m, out: ys)], threads: threads, path: path) }
            }
        }
        return out
    }
}
