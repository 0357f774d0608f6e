import Foundation
import ModelFormats
import Testing

@Suite("Safetensors round trips")
struct SafetensorsRoundTripTests {
    @Test("F32 round trip is exact, keeps order, shapes and metadata")
    func float32RoundTrip() throws {
        let folder = try TestSupport.temporaryFolder()
        let url = folder.appendingPathComponent("model.safetensors")
        let weight = TestSupport.values(count: 6, seed: 1, scale: 3)
        let bias: [Float] = [0, -0.0, .infinity, -.infinity, .leastNonzeroMagnitude]
        try SafetensorsWriter.write(
            [("w", [2, 3], weight), ("b", [5], bias), ("s", [], [42]), ("e", [0, 4], [])],
            metadata: ["format": "pt", "quote\"d": "line\nbreak"], to: url)

        let file = try SafetensorsFile(contentsOf: url)
        #expect(file.tensorNames == ["b", "e", "s", "w"])
        #expect(file.metadata == ["format": "pt", "quote\"d": "line\nbreak"])
        #expect(file.info("w") == SafetensorsTensorInfo(name: "w", dtype: .f32, shape: [2, 3]))
        #expect(file.info("s")?.shape == [])
        #expect(file.info("missing") == nil)
        #expect(try file.floats("w").map(\.bitPattern) == weight.map(\.bitPattern))
        #expect(try file.floats("b").map(\.bitPattern) == bias.map(\.bitPattern))
        #expect(try file.floats("s") == [42])
        #expect(try file.floats("e") == [])

        // Header is 8-byte aligned and tensors are laid out in the order given.
        let bytes = try Data(contentsOf: url)
        let headerLength = bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect(headerLength % 8 == 0)
        let header = String(decoding: bytes[8..<(8 + headerLength)], as: UTF8.self)
        let wPosition = try #require(header.range(of: "\"w\""))
        let bPosition = try #require(header.range(of: "\"b\""))
        #expect(wPosition.lowerBound < bPosition.lowerBound)
        #expect(header.contains("\"data_offsets\":[0,24]"))
    }

    @Test("F16 and BF16 round trips equal the rounded values", arguments: [TensorDType.f16, .bf16])
    func halfRoundTrip(dtype: TensorDType) throws {
        let folder = try TestSupport.temporaryFolder("half\(dtype.rawValue)")
        let url = folder.appendingPathComponent("model.safetensors")
        let values = TestSupport.values(count: 1000, seed: 7, scale: 100)
        try SafetensorsWriter.write([("x", [10, 100], values)], dtype: dtype, to: url)
        let file = try SafetensorsFile(contentsOf: url)
        #expect(file.info("x")?.dtype == dtype)
        let readBack = try file.floats("x")
        #expect(readBack.count == 1000)
        // Relative error at most half a unit in the last place: 2^-11 (F16) or 2^-8 (BF16).
        let bound: Float = dtype == .f16 ? 0x1p-11 : 0x1p-8
        for (original, rounded) in zip(values, readBack) {
            #expect(abs(original - rounded) <= bound * abs(original) + 0x1p-24)
        }
        // Writing what was read back is lossless.
        try SafetensorsWriter.write([("x", [10, 100], readBack)], dtype: dtype, to: url)
        #expect(try SafetensorsFile(contentsOf: url).floats("x") == readBack)
    }

    @Test("F16 rounding: ties to even, subnormals, overflow")
    func halfRoundingCases() {
        #expect(HalfPrecision.halfBits(from: 1 + 0x1p-11) == 0x3C00)       // tie, even stays
        #expect(HalfPrecision.halfBits(from: 1 + 3 * 0x1p-11) == 0x3C02)   // tie, odd rounds up
        #expect(HalfPrecision.halfBits(from: 65504) == 0x7BFF)
        #expect(HalfPrecision.halfBits(from: 65519.99) == 0x7BFF)
        #expect(HalfPrecision.halfBits(from: 65520) == 0x7C00)             // rounds to infinity
        #expect(HalfPrecision.halfBits(from: 0x1p-24) == 0x0001)           // smallest subnormal
        #expect(HalfPrecision.halfBits(from: 0x1p-25) == 0x0000)           // tie to even zero
        #expect(HalfPrecision.halfBits(from: 0x1.8p-25) == 0x0001)
        #expect(HalfPrecision.halfBits(from: -0.0) == 0x8000)
        #expect(HalfPrecision.halfBits(from: .nan) & 0x7E00 == 0x7E00)
        #expect(HalfPrecision.float(fromHalfBits: 0x0001) == 0x1p-24)
        #expect(HalfPrecision.float(fromHalfBits: 0xFBFF) == -65504)
        #expect(HalfPrecision.float(fromHalfBits: 0x7E00).isNaN)
        // Every finite half survives widening and narrowing.
        for bits in UInt16(0)...UInt16.max where bits & 0x7C00 != 0x7C00 {
            #expect(HalfPrecision.halfBits(from: HalfPrecision.float(fromHalfBits: bits)) == bits)
        }
    }

    @Test("BF16 rounding: ties to even, overflow, NaN")
    func bfloat16RoundingCases() {
        #expect(HalfPrecision.bfloat16Bits(from: 1 + 0x1p-8) == 0x3F80)
        #expect(HalfPrecision.bfloat16Bits(from: 1 + 3 * 0x1p-8) == 0x3F82)
        #expect(HalfPrecision.bfloat16Bits(from: .greatestFiniteMagnitude) == 0x7F80)
        #expect(HalfPrecision.bfloat16Bits(from: .nan) == 0x7FC0)
        #expect(HalfPrecision.float(fromBFloat16Bits: 0xC040) == -3)
    }

    @Test("writer rejects bad input and leaves no temporary file")
    func writerErrors() throws {
        let folder = try TestSupport.temporaryFolder()
        let url = folder.appendingPathComponent("bad.safetensors")
        #expect(throws: ModelFormatError.self) { try SafetensorsWriter.write([("x", [2, 2], [1, 2, 3])], to: url) }
        #expect(throws: ModelFormatError.self) { try SafetensorsWriter.write([("x", [1], [1]), ("x", [1], [2])], to: url) }
        #expect(throws: ModelFormatError.self) { try SafetensorsWriter.write([("x", [1], [1])], dtype: .i32, to: url) }
        #expect(throws: ModelFormatError.self) { try SafetensorsWriter.write([("x", [Int.max, 4], [1])], to: url) }
        #expect(throws: ModelFormatError.self) { try SafetensorsWriter.write([("x", [-1], [])], to: url) }
        do {
            try SafetensorsWriter.write([("weight", [2, 2], [1, 2, 3])], to: url)
        } catch let error as ModelFormatError {
            #expect(error.description.contains("tensor 'weight'"))
            #expect(error.description.contains("needs 4 values, got 3"))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }
}
