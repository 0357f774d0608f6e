import Foundation
import ModelFormats

/// A dense layer's weight in the orientation of PyTorch and GGUF: (outputs, inputs), row-major,
/// dequantised to Float once at load.
struct Linear: @unchecked Sendable {
    let weight: FloatBuffer
    let inputs: Int
    let outputs: Int

    /// out(M, outputs) = inp(M, inputs) · weightᵀ; one row (generation) as a matrix-vector product.
    func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, rows m: Int) {
        if m == 1 { return BLAS.gemv(m: outputs, n: inputs, a: weight.pointer, lda: inputs, x: inp, y: out) }
        BLAS.gemm(transposeA: false, transposeB: true, m: m, n: outputs, k: inputs, a: inp, lda: inputs,
                  b: weight.pointer, ldb: inputs, beta: 0, c: out, ldc: outputs)
    }
}

/// A large (rows, columns) matrix — the token embedding, which Gemma also uses as the output
/// projection — kept exactly as the GGUF file stores it (Q8_0 blocks, F16, …) in the file's memory
/// mapping. Gemma 3 270M's 262,144 × 640 embedding is 178 MB as Q8_0 against 671 MB as Float.
///
/// Rows are dequantised on use: single rows for embedding lookups, tiles of rows for the output
/// projection, which then runs as one sgemm per tile. Each output value depends only on its input
/// row and weight row (the tiling is fixed), never on how many rows are projected together.
final class PackedMatrix: @unchecked Sendable {
    let rows: Int
    let columns: Int
    let type: GGMLType
    let rowByteCount: Int
    /// Shares the file's memory mapping (no copy); immutable.
    private let data: Data

    /// Weight rows per tile of the output projection (128 × 640 floats = 320 KB, inside L2).
    static let tileRows = 128

    init(rows: Int, columns: Int, type: GGMLType, data: Data) {
        self.rows = rows
        self.columns = columns
        self.type = type
        self.rowByteCount = columns / type.blockSize * type.blockByteCount
        self.data = data
    }

    /// Dequantises row `row` into `out` (columns floats), times `scale`.
    func dequantizeRow(_ row: Int, into out: UnsafeMutablePointer<Float>, scale: Float = 1) {
        data.withUnsafeBytes { bytes in
            let start = row * rowByteCount
            GGMLDequantization.dequantize(UnsafeRawBufferPointer(rebasing: bytes[start..<(start + rowByteCount)]), type: type,
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

    /// Computes every product, tile by tile of `tileRows` weight rows: each tile is dequantised
    /// once and multiplied into every product by its own sgemm, so a product's values depend only
    /// on its own input rows (the sgemm shapes are its own), never on the other products.
    func multiplyTransposed(_ products: [Product]) {
        let c = columns, tile = Self.tileRows
        data.withUnsafeBytes { bytes in
            if type == .f32, let base = bytes.baseAddress {
                for product in products {
                    Self.multiply(product, by: base.assumingMemoryBound(to: Float.self), rows: rows, columns: c, ldc: rows)
                }
                return
            }
            let scratch = FloatBuffer(count: tile * c)
            for r0 in stride(from: 0, to: rows, by: tile) {
                let count = min(tile, rows - r0)
                let start = r0 * rowByteCount
                GGMLDequantization.dequantize(UnsafeRawBufferPointer(rebasing: bytes[start..<(start + count * rowByteCount)]), type: type,
                                              into: UnsafeMutableBufferPointer(start: scratch.pointer, count: count * c))
                for product in products {
                    Self.multiply(Product(inp: product.inp, m: product.m, out: product.out + r0), by: scratch.pointer, rows: count, columns: c, ldc: rows)
                }
            }
        }
    }

    /// product.out(m, rows) (row stride ldc) = product.inp(m, columns) · weightᵀ, weight (rows, columns):
    /// sgemm, or a matrix-vector product for a single row (sgemm would pack the tile for one row).
    private static func multiply(_ product: Product, by weight: UnsafePointer<Float>, rows: Int, columns c: Int, ldc: Int) {
        if product.m == 1 { return BLAS.gemv(m: rows, n: c, a: weight, lda: c, x: product.inp, y: product.out) }
        BLAS.gemm(transposeA: false, transposeB: true, m: product.m, n: rows, k: c, a: product.inp, lda: c,
                  b: weight, ldb: c, beta: 0, c: product.out, ldc: ldc)
    }
}
