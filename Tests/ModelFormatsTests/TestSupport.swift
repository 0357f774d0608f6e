import Foundation
import ModelFormats

/// Helpers shared by the ModelFormats tests.
enum TestSupport {
    static var fixtures: URL {
        get throws {
            guard let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
                throw ModelFormatError(file: "Fixtures", what: "test fixtures folder not found in the bundle")
            }
            return url
        }
    }

    /// A fresh empty folder under the system temporary directory.
    static func temporaryFolder(_ label: String = #function) throws -> URL {
        let safe = label.filter { $0.isLetter || $0.isNumber }
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("ModelFormatsTests-\(safe)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Deterministic pseudo-random floats (a 64-bit LCG; the tests need reproducible values,
    /// not statistical quality, and this test target does not link SeededRandom).
    static func values(count: Int, seed: UInt64, scale: Float = 1) -> [Float] {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 &+ 1
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let unit = Float(state >> 40) / Float(1 << 24)  // [0, 1)
            return (unit * 2 - 1) * scale
        }
    }

    /// Writes a safetensors file from a raw header string and data bytes, with the header length
    /// optionally overridden (for corrupt-input tests).
    static func writeRawSafetensors(header: String, data: [UInt8], declaredLength: UInt64? = nil, to url: URL) throws {
        let headerBytes = Array(header.utf8)
        var bytes: [UInt8] = []
        withUnsafeBytes(of: (declaredLength ?? UInt64(headerBytes.count)).littleEndian) { bytes.append(contentsOf: $0) }
        bytes += headerBytes + data
        try Data(bytes).write(to: url)
    }
}
