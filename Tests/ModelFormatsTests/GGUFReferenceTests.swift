import Foundation
import ModelFormats
import Testing

/// Reads `Fixtures/gguf-types.gguf`, written by the PyPI `gguf` package's GGUFWriter
/// (scripts/gguf-reference.py), and compares with `gguf.quants.dequantize`'s output stored as
/// float32 in `gguf-reference.f32` (indexed by `gguf-reference.json`).
@Suite("GGUF against the Python gguf package")
struct GGUFReferenceTests {
    struct Reference: Decodable {
        struct Tensor: Decodable {
            let type: String
            let shape: [Int]
            let offset: Int
            let count: Int
        }
        let tensors: [String: Tensor]
    }

    static func load() throws -> (GGUFFile, Reference, [UInt32]) {
        let folder = try TestSupport.fixtures
        let file = try GGUFFile(contentsOf: folder.appendingPathComponent("gguf-types.gguf"))
        let reference = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: folder.appendingPathComponent("gguf-reference.json")))
        let raw = try Data(contentsOf: folder.appendingPathComponent("gguf-reference.f32"))
        let bits = (0..<raw.count / 4).map { i in
            raw[raw.startIndex + 4 * i..<raw.startIndex + 4 * i + 4].enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * $1.offset) }
        }
        return (file, reference, bits)
    }

    @Test("header: version, alignment, tensor infos in file order")
    func header() throws {
        let (file, reference, _) = try Self.load()
        #expect(file.version == 3)
        #expect(file.alignment == 32)
        #expect(file.dataOffset % 32 == 0)
        #expect(file.tensorInfos.map(\.name) == [
            "plain.f32", "plain.f16", "plain.bf16", "legacy.q8_0", "legacy.q4_0", "legacy.q4_1", "legacy.q5_0",
            "legacy.q5_1", "k.q4_k", "k.q5_k", "k.q6_k", "unsupported.q2_k",
        ])
        for (name, expected) in reference.tensors {
            let info = try #require(file.tensor(named: name))
            #expect(info.type.name == expected.type)
            #expect(info.shape == expected.shape)
            #expect(info.dimensions == expected.shape.reversed())
            #expect(info.elementCount == expected.count)
        }
        let q4k = try #require(file.tensor(named: "k.q4_k"))
        #expect(q4k.rowLength == 512 && q4k.rowCount == 3 && q4k.rowByteCount == 2 * 144 && q4k.byteCount == 864)
        #expect(file.tensor(named: "nope") == nil)
    }

    @Test("metadata: every value type")
    func metadata() throws {
        let (file, _, _) = try Self.load()
        let m = file.metadata
        #expect(m["general.architecture"] == .string("testarch"))
        #expect(m["test.u8"] == .uint8(200))
        #expect(m["test.i8"] == .int8(-100))
        #expect(m["test.u16"] == .uint16(60000))
        #expect(m["test.i16"] == .int16(-30000))
        #expect(m["test.u32"] == .uint32(4_000_000_000))
        #expect(m["test.i32"] == .int32(-2_000_000_000))
        #expect(m["test.u64"] == .uint64(18_000_000_000_000_000_000))
        #expect(m["test.u64"]?.int == nil)  // does not fit in Int
        #expect(m["test.i64"] == .int64(-9_000_000_000_000_000_000))
        #expect(m["test.f32"] == .float32(0.15625))
        #expect(m["test.f64"] == .float64(1e-300))
        #expect(m["test.true"] == .bool(true))
        #expect(m["test.false"]?.bool == false)
        #expect(m["test.string"]?.string == "héllo\nwörld ✓")
        #expect(m["test.strings"]?.strings == ["<pad>", "<eos>", "▁the", ""])
        #expect(m["test.int32s"] == .array(.int32, [.int32(1), .int32(-2), .int32(3)]))
        #expect(m["test.int32s"]?.ints == [1, -2, 3])
        #expect(m["test.f32s"]?.floats == [0.5, -1.25])
        #expect(m["test.nested"] == .array(.array, [.array(.int32, [.int32(1), .int32(2)]), .array(.int32, [.int32(3)])]))
        #expect(file.metadataKeys.first == "general.architecture")
        #expect(file.metadataKeys.count == m.count)
        #expect(try file.requiredInt("testarch.context_length") == 128)
        #expect(try file.requiredString("general.name") == "types fixture")
        #expect(try file.requiredFloat("test.f32") == 0.15625)
    }

    @Test("dequantisation is bit-exact for every supported type")
    func dequantisation() throws {
        let (file, reference, bits) = try Self.load()
        for (name, expected) in reference.tensors {
            let values = try file.floats(name)
            let want = Array(bits[expected.offset..<expected.offset + expected.count])
            let mismatches = zip(values.map(\.bitPattern), want).filter { $0 != $1 }.count
            #expect(values.count == expected.count, "\(name)")
            #expect(mismatches == 0, "\(name) (\(expected.type)): \(mismatches) values differ")
        }
    }

    @Test("row dequantisation equals the matching slice of the whole tensor")
    func rows() throws {
        let (file, reference, _) = try Self.load()
        for name in reference.tensors.keys {
            let info = try #require(file.tensor(named: name))
            let whole = try file.floats(name)
            for row in 0..<info.rowCount {
                let expected = Array(whole[row * info.rowLength..<(row + 1) * info.rowLength])
                #expect(try file.dequantizeRow(row, of: name).map(\.bitPattern) == expected.map(\.bitPattern), "\(name) row \(row)")
            }
            #expect(throws: ModelFormatError.self) { try file.dequantizeRow(info.rowCount, of: name) }
            var tooSmall = [Float](repeating: 0, count: info.rowLength - 1)
            #expect(throws: ModelFormatError.self) {
                try tooSmall.withUnsafeMutableBufferPointer { try file.dequantizeRow(0, of: name, into: $0) }
            }
        }
    }

    @Test("raw block bytes are exposed without copying and match the blocks' dequantisation")
    func rawBytes() throws {
        let (file, _, _) = try Self.load()
        let info = try #require(file.tensor(named: "k.q6_k"))
        let data = try file.rawData(of: "k.q6_k")
        #expect(data.count == info.byteCount)
        let viaClosure = try file.withRawData(of: "k.q6_k") { Data($0) }
        #expect(data == viaClosure)
        var output = [Float](repeating: 0, count: info.elementCount)
        let ok = data.withUnsafeBytes { bytes in
            output.withUnsafeMutableBufferPointer { GGMLDequantization.dequantize(bytes, type: .q6_K, into: $0) }
        }
        #expect(ok)
        #expect(output == (try file.floats("k.q6_k")))
        // Size mismatch is refused rather than read out of bounds.
        let refused = data.withUnsafeBytes { bytes in
            output.withUnsafeMutableBufferPointer { GGMLDequantization.dequantize(UnsafeRawBufferPointer(rebasing: bytes.dropLast()), type: .q6_K, into: $0) }
        }
        #expect(!refused)
    }

    @Test("a known but unsupported type opens, and dequantising it names the tensor and the supported types")
    func unsupportedType() throws {
        let (file, _, _) = try Self.load()
        #expect(file.tensor(named: "unsupported.q2_k")?.type == .q2_K)
        #expect(try file.rawData(of: "unsupported.q2_k").count == 84)
        let error = try #require(throws: ModelFormatError.self) { try file.floats("unsupported.q2_k") }
        #expect(error.location == "tensor 'unsupported.q2_k'")
        #expect(error.what.contains("unsupported tensor type Q2_K"))
        #expect(error.what.contains("Q4_K, Q5_K, Q6_K"))
    }

    @Test("general.alignment is honoured")
    func alignment() throws {
        let file = try GGUFFile(contentsOf: try TestSupport.fixtures.appendingPathComponent("gguf-aligned.gguf"))
        #expect(file.alignment == 64)
        #expect(file.dataOffset % 64 == 0)
        #expect(file.tensor(named: "b")?.offset == 64)
        #expect(try file.floats("a") == [0, 1, 2])
        #expect(try file.floats("b") == [-0.0, -1, -2, -3, -4])
        #expect(file.tensor(named: "b")?.shape == [1, 5])
    }

    @Test("missing and mistyped keys give clear errors")
    func requiredKeys() throws {
        let (file, _, _) = try Self.load()
        let missing = try #require(throws: ModelFormatError.self) { try file.requiredInt("gemma3.block_count") }
        #expect(missing.location == "key 'gemma3.block_count'")
        #expect(missing.what == "required metadata key is missing")
        let mistyped = try #require(throws: ModelFormatError.self) { try file.requiredString("test.u8") }
        #expect(mistyped.what == "expected a string, found uint8 200")
        #expect(throws: ModelFormatError.self) { try file.floats("nope") }
    }
}
