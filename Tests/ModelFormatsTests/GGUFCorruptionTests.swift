import Foundation
import ModelFormats
import Testing

/// Corrupt variants of `Fixtures/gguf-aligned.gguf` (tensors "a" F32 [3] and "b" F32 [1, 5],
/// alignment 64), each patched at a known field; every one must throw a clear error.
@Suite("GGUF corrupt inputs")
struct GGUFCorruptionTests {
    static func original() throws -> [UInt8] {
        Array(try Data(contentsOf: try TestSupport.fixtures.appendingPathComponent("gguf-aligned.gguf")))
    }

    /// Byte offset of tensor "b"'s info: its uint64 name length (1) followed by "b".
    static func tensorInfoOffset(_ bytes: [UInt8], name: UInt8 = UInt8(ascii: "b")) throws -> Int {
        let pattern: [UInt8] = [1, 0, 0, 0, 0, 0, 0, 0, name, 2, 0, 0, 0]  // name, then n_dims = 2
        let found = (0...(bytes.count - pattern.count)).first { Array(bytes[$0..<$0 + pattern.count]) == pattern }
        return try #require(found)
    }

    static func put<T: FixedWidthInteger>(_ value: T, at offset: Int, in bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { for (i, byte) in $0.enumerated() { bytes[offset + i] = byte } }
    }

    static func expectError(_ bytes: [UInt8], containing text: String, location: String? = nil, _ label: String = #function) throws {
        let url = try TestSupport.temporaryFolder(label).appendingPathComponent("bad.gguf")
        try Data(bytes).write(to: url)
        let error = try #require(throws: ModelFormatError.self) { try GGUFFile(contentsOf: url) }
        #expect(error.description.contains(text), "\(error)")
        #expect(error.file == url.path)
        if let location { #expect(error.location == location, "\(error)") }
    }

    @Test("bad magic")
    func badMagic() throws {
        var bytes = try Self.original()
        bytes[3] = UInt8(ascii: "X")
        try Self.expectError(bytes, containing: "not a GGUF file: magic is \"GGUX\", expected \"GGUF\"")
        try Self.expectError([0x47, 0x47], containing: "not a GGUF file")
    }

    @Test("versions: 2 reads like 3; 1, 4 and big-endian are refused")
    func versions() throws {
        var bytes = try Self.original()
        Self.put(UInt32(2), at: 4, in: &bytes)
        let url = try TestSupport.temporaryFolder().appendingPathComponent("v2.gguf")
        try Data(bytes).write(to: url)
        let file = try GGUFFile(contentsOf: url)
        #expect(file.version == 2)
        #expect(try file.floats("b") == [-0.0, -1, -2, -3, -4])
        for version: UInt32 in [1, 4] {
            Self.put(version, at: 4, in: &bytes)
            try Self.expectError(bytes, containing: "unsupported GGUF version \(version); supported: 2, 3")
        }
        Self.put(UInt32(3).byteSwapped, at: 4, in: &bytes)
        try Self.expectError(bytes, containing: "big-endian")
    }

    @Test("every truncation throws")
    func truncations() throws {
        let bytes = try Self.original()
        let url = try TestSupport.temporaryFolder().appendingPathComponent("t.gguf")
        // GGUFWriter pads the file after the last tensor; cutting only padding leaves a valid file.
        let whole = try GGUFFile(contentsOf: try TestSupport.fixtures.appendingPathComponent("gguf-aligned.gguf"))
        let last = try #require(whole.tensorInfos.max { $0.offset < $1.offset })
        let end = whole.dataOffset + last.offset + last.byteCount
        #expect(end <= bytes.count)
        for length in 0..<end {
            try Data(bytes.prefix(length)).write(to: url)
            #expect(throws: ModelFormatError.self, "length \(length)") { try GGUFFile(contentsOf: url) }
        }
        try Self.expectError(Array(bytes.prefix(40)), containing: "truncated")
        try Self.expectError(Array(bytes.prefix(end - 4)), containing: "data runs past the end of the file", location: "tensor 'b'")
    }

    @Test("tensor info fields")
    func tensorInfoFields() throws {
        let bytes = try Self.original()
        let info = try Self.tensorInfoOffset(bytes)
        let dims = info + 13, type = dims + 16, offset = type + 4

        var unknownType = bytes
        Self.put(UInt32(99), at: type, in: &unknownType)
        try Self.expectError(unknownType, containing: "unknown tensor type id 99", location: "tensor 'b'")

        var tooLarge = bytes
        Self.put(UInt64(1000), at: dims, in: &tooLarge)
        try Self.expectError(tooLarge, containing: "shape [1, 1000] × F32 needs", location: "tensor 'b'")

        var hugeDimension = bytes
        Self.put(UInt64.max / 2, at: dims + 8, in: &hugeDimension)
        try Self.expectError(hugeDimension, containing: "tensor 'b'")

        // A zero dimension makes the element count 0, but the other dimension must still not overflow sizes.
        var zeroTimesHuge = bytes
        Self.put(UInt64(0), at: dims + 8, in: &zeroTimesHuge)
        Self.put(UInt64.max / 2, at: dims, in: &zeroTimesHuge)
        try Self.expectError(zeroTimesHuge, containing: "overflow the row count or row size", location: "tensor 'b'")

        var blockMismatch = bytes
        Self.put(UInt32(GGMLType.q4_K.rawValue), at: type, in: &blockMismatch)
        try Self.expectError(blockMismatch, containing: "row length 5 is not a multiple of the Q4_K block size 256")

        var misaligned = bytes
        Self.put(UInt64(65), at: offset, in: &misaligned)
        try Self.expectError(misaligned, containing: "not a multiple of the alignment 64")

        var overlapping = bytes
        Self.put(UInt64(0), at: offset, in: &overlapping)
        try Self.expectError(overlapping, containing: "data overlaps tensor 'a'", location: "tensor 'b'")

        var tooManyDimensions = bytes
        Self.put(UInt32(5), at: info + 9, in: &tooManyDimensions)
        try Self.expectError(tooManyDimensions, containing: "has 5 dimensions; GGUF allows 1 to 4")
    }

    @Test("counts, lengths and metadata values")
    func headerFields() throws {
        let bytes = try Self.original()
        var tensorCount = bytes
        Self.put(UInt64(1) << 40, at: 8, in: &tensorCount)
        try Self.expectError(tensorCount, containing: "tensor count 1099511627776 cannot fit")

        var keyLength = bytes
        Self.put(UInt64.max, at: 24, in: &keyLength)  // length of the first key
        try Self.expectError(keyLength, containing: "metadata key #0 length")

        // general.alignment = 3: find the uint32 value 64 right after the key and its type tag (4).
        let key = Array("general.alignment".utf8)
        let keyStart = try #require((0...(bytes.count - key.count)).first { Array(bytes[$0..<$0 + key.count]) == key })
        var badAlignment = bytes
        Self.put(UInt32(3), at: keyStart + key.count + 4, in: &badAlignment)
        try Self.expectError(badAlignment, containing: "must be a uint32 power of two", location: "key 'general.alignment'")

        var badValueType = bytes
        Self.put(UInt32(13), at: keyStart + key.count, in: &badValueType)
        try Self.expectError(badValueType, containing: "unknown metadata value type 13")
    }
}
