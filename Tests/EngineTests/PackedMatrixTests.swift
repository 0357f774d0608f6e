import Engine
import Foundation
import ModelFormats
import SeededRandom
import Testing

/// The fused products of quantised matrices (`PackedMatrix`): equal, within the input's rounding to
/// Int16, to dequantising the matrix and multiplying in float64; each value the same bits however
/// many rows are multiplied at once and on however many threads.
@Suite struct PackedMatrixTests {
    /// Random blocks of `type` whose f16 scale fields hold small finite values (random bits there
    /// could be NaN or huge); every other byte random.
    static func blocks(_ type: GGMLType, rows: Int, columns: Int, seed: UInt64) -> Data {
        var generator = Xoshiro256(seed: seed)
        let blockCount = rows * columns / type.blockSize, stride = type.blockByteCount
        var bytes = (0..<(blockCount * stride)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        // Offsets of the f16 scales within a block, per layout (ggml-common.h).
        let scaleOffsets: [Int]
        switch type {
        case .q8_0, .q4_0, .q5_0: scaleOffsets = [0]
        case .q4_1, .q5_1, .q4_K, .q5_K: scaleOffsets = [0, 2]
        case .q6_K: scaleOffsets = [208]
        default: scaleOffsets = []
        }
        for b in 0..<blockCount {
            for offset in scaleOffsets {
                let bits = Float16(Float.random(in: 0.001...0.05, using: &generator)).bitPattern
                bytes[b * stride + offset] = UInt8(bits & 0xFF)
                bytes[b * stride + offset + 1] = UInt8(bits >> 8)
            }
        }
        if type == .f16 || type == .bf16 {
            for i in 0..<(rows * columns) {
                let value = Float.random(in: -1...1, using: &generator)
                let bits = type == .f16 ? Float16(value).bitPattern : UInt16(value.bitPattern >> 16)
                bytes[2 * i] = UInt8(bits & 0xFF)
                bytes[2 * i + 1] = UInt8(bits >> 8)
            }
        }
        return Data(bytes)
    }

    static let types: [GGMLType] = [.q8_0, .q4_0, .q4_1, .q5_0, .q5_1, .q4_K, .q5_K, .q6_K, .f16, .bf16]

    @Test(arguments: types)
    func fusedProductEqualsDequantisedProduct(type: GGMLType) throws {
        // 130 rows: more than one thread's share, and not a multiple of anything.
        let rows = 130, columns = 512, m = 7
        let data = Self.blocks(type, rows: rows, columns: columns, seed: 11)
        let matrix = PackedMatrix(rows: rows, columns: columns, type: type, data: data)
        var weights = [Float](repeating: 0, count: rows * columns)
        let converted = data.withUnsafeBytes { bytes in
            weights.withUnsafeMutableBufferPointer { GGMLDequantization.dequantize(bytes, type: type, into: $0) }
        }
        #expect(converted)
        var generator = Xoshiro256(seed: 5)
        let input = (0..<(m * columns)).map { _ in Float.random(in: -2...2, using: &generator) }
        let output = matrix.multiplyTransposed(input, rows: m, threads: 2)
        var worst = 0.0
        for i in 0..<m {
            for r in 0..<rows {
                var exact = 0.0, magnitude = 0.0
                for j in 0..<columns {
                    exact += Double(input[i * columns + j]) * Double(weights[r * columns + j])
                    magnitude += abs(Double(input[i * columns + j]) * Double(weights[r * columns + j]))
                }
                worst = max(worst, abs(Double(output[i * rows + r]) - exact) / max(magnitude, 1e-30))
            }
        }
        // F16 / BF16 (float path): Float32 sums of 512 products, a few ulps relative to Σ|products|.
        // Quantised types (integer kernels): the input rounded to Int16 per 32 values, at most half a
        // step of max|x| / 32,767 each — with |x| ≤ 2 spread evenly, about 3e-5 of Σ|products| at worst.
        let tolerance = type.isQuantized ? 1e-4 : 1e-6
        #expect(worst < tolerance, "\(type.name): worst relative error \(worst)")
        if type.isQuantized { #expect(worst > 1e-9, "\(type.name): the integer path should round the input") }
    }

    @Test(arguments: [GGMLType.q8_0, .q4_K, .q6_K])
    func eachValueIsTheSameBitsWhateverTheRowsAndThreads(type: GGMLType) {
        let rows = 300, columns = 640, m = 11
        let matrix = PackedMatrix(rows: rows, columns: columns, type: type, data: Self.blocks(type, rows: rows, columns: columns, seed: 3))
        var generator = Xoshiro256(seed: 9)
        let input = (0..<(m * columns)).map { _ in Float.random(in: -3...3, using: &generator) }
        let together = matrix.multiplyTransposed(input, rows: m, threads: 2)
        #expect(matrix.multiplyTransposed(input, rows: m, threads: 1) == together)
        #expect(matrix.multiplyTransposed(input, rows: m, threads: 3) == together)
        // Row i alone (one row: the matrix-vector path) and rows 5..<9 (a block of four) give the same bits.
        for i in [0, 6, 10] {
            let alone = matrix.multiplyTransposed(Array(input[(i * columns)..<((i + 1) * columns)]), rows: 1, threads: 2)
            #expect(alone == Array(together[(i * rows)..<((i + 1) * rows)]), "row \(i)")
        }
        let four = matrix.multiplyTransposed(Array(input[(5 * columns)..<(9 * columns)]), rows: 4, threads: 2)
        #expect(four == Array(together[(5 * rows)..<(9 * rows)]))
    }

    /// A quantised matrix regrouped sixteen rows at a time (`prepareRowProducts`, the form the loader
    /// gives every quantised weight on CPUs with AVX-512 VNNI or AVX2) gives the row-by-row bits for every
    /// quantised type: 1 to 11, 16 and 37 input rows (the kernel takes them eight at a time, four with
    /// AVX2), 1,037 weight rows (a last group of 13), a NaN input and a zero input, 1 to 3 threads.
    /// Runs the AVX-512 form natively and the AVX2 form under EVALKIT_AVX512=0 (`scripts/test` does
    /// both); without either `prepareRowProducts` does nothing and the test is skipped.
    @Test(.enabled(if: PackedMatrix.servesEveryRowCount(.q8_0)), arguments: types.filter(\.isQuantized))
    func regroupedRowsGiveTheRowByRowBits(type: GGMLType) throws {
        let rows = 1_037, columns = 512
        let matrix = PackedMatrix(rows: rows, columns: columns, type: type, data: Self.blocks(type, rows: rows, columns: columns, seed: 31))
        var generator = Xoshiro256(seed: 8)
        var input = (0..<(37 * columns)).map { _ in Float.random(in: -3...3, using: &generator) * (Bool.random(using: &generator) ? 1 : 100) }
        input[2 * columns + 100] = .nan
        for j in 0..<columns { input[5 * columns + j] = 0 }
        let reference = matrix.multiplyTransposed(input, rows: 37, threads: 1, path: .rowByRow)
        matrix.prepareRowProducts()
        func same(_ a: [Float], _ b: ArraySlice<Float>) -> Bool { zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern } }
        for m in Array(1...11) + [16, 37] {
            let grouped = matrix.multiplyTransposed(Array(input[0..<(m * columns)]), rows: m, threads: 1 + m % 3)
            #expect(same(grouped, reference[0..<(m * rows)]), "\(type.name), \(m) input rows")
        }
        #expect(reference[2 * rows + 5].isNaN && reference[5 * rows + 1036] == 0 && reference[1036] != 0)
    }

    /// Concurrent callers: one holds the worker pool, the others run their rows themselves; thread
    /// counts change from call to call. Every result is the reference's bits.
    @Test func concurrentCallersAndChangingThreadCountsGiveTheSameBits() async {
        let rows = 256, columns = 256, m = 3
        let matrix = PackedMatrix(rows: rows, columns: columns, type: .q8_0, data: Self.blocks(.q8_0, rows: rows, columns: columns, seed: 21))
        var generator = Xoshiro256(seed: 4)
        let input = (0..<(m * columns)).map { _ in Float.random(in: -1...1, using: &generator) }
        let reference = matrix.multiplyTransposed(input, rows: m, threads: 1)
        let mismatches = await withTaskGroup(of: Int.self) { group in
            for task in 0..<4 {
                group.addTask {
                    var wrong = 0
                    for call in 0..<50 where matrix.multiplyTransposed(input, rows: m, threads: 2 + (task + call) % 3) != reference { wrong += 1 }
                    return wrong
                }
            }
            return await group.reduce(0, +)
        }
        #expect(mismatches == 0)
    }
}
