/// GPT-2's reversible map between the 256 byte values and 256 printable Unicode scalars.
///
/// Bytes that are already printable and not whitespace (`!`…`~`, `¡`…`¬`, `®`…`ÿ`) map to
/// themselves; the remaining 68 bytes map, in increasing byte order, to U+0100, U+0101, …
/// (so the space 0x20 becomes `Ġ` U+0120 and the newline 0x0A becomes `Ċ` U+010A).
/// Token strings in vocabularies are written in this alphabet.
public enum ByteLevelAlphabet {
    /// The printable bytes in the order GPT-2 lists them; byte token `i` of a GPT-2 vocabulary is
    /// `orderedBytes[i]` (the printable bytes first, then the rest).
    public static let orderedBytes: [UInt8] = {
        var printable: [UInt8] = []
        printable += Array(UInt8(ascii: "!")...UInt8(ascii: "~"))
        printable += Array(UInt8(0xA1)...UInt8(0xAC))
        printable += Array(UInt8(0xAE)...UInt8(0xFF))
        let printableSet = Set(printable)
        let rest = (0...255).map { UInt8($0) }.filter { !printableSet.contains($0) }
        return printable + rest
    }()

    /// `scalarForByte[b]` is the Unicode scalar that stands for byte `b`.
    public static let scalarForByte: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: "\0", count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            let isPrintable = (33...126).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
            if isPrintable {
                table[byte] = Unicode.Scalar(UInt8(byte))
            } else {
                // All values in 256..<324 are valid scalars.
                table[byte] = Unicode.Scalar(next) ?? "?"
                next += 1
            }
        }
        return table
    }()

    /// Inverse of `scalarForByte`: scalar value → byte, for scalars below U+0144 (others are absent).
    static let byteForScalarValue: [Int16] = {
        var table = [Int16](repeating: -1, count: 324)
        for byte in 0..<256 { table[Int(scalarForByte[byte].value)] = Int16(byte) }
        return table
    }()

    /// The byte a scalar stands for, or nil if it is not in the alphabet.
    @inline(__always)
    public static func byte(for scalar: Unicode.Scalar) -> UInt8? {
        let value = Int(scalar.value)
        guard value < byteForScalarValue.count else { return nil }
        let byte = byteForScalarValue[value]
        return byte < 0 ? nil : UInt8(byte)
    }

    /// `bytes` written in the byte-level alphabet (one scalar per byte).
    public static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var scalars = String.UnicodeScalarView()
        for byte in bytes { scalars.append(scalarForByte[Int(byte)]) }
        return String(scalars)
    }

    /// The bytes a byte-level string stands for, or nil if any scalar is outside the alphabet.
    public static func decode(_ string: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(string.unicodeScalars.count)
        for scalar in string.unicodeScalars {
            guard let byte = byte(for: scalar) else { return nil }
            bytes.append(byte)
        }
        return bytes
    }
}
