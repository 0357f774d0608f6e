/// GPT-2's pre-tokenisation, written by hand over UTF-8 bytes (no regex engine).
///
/// It splits text exactly as the pattern
///
///     's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
///
/// does under leftmost-first alternation: contractions (ASCII, case-sensitive), then an optional
/// single U+0020 space followed by a run of letters, of numbers, or of other non-space characters,
/// then whitespace runs, which leave their last whitespace character to the next piece when a
/// non-space follows (so " hello" keeps its space). `\s` is Unicode White_Space, `\p{L}` and
/// `\p{N}` are the general categories L* and N*, as in Oniguruma, which Hugging Face uses.
enum GPT2PreTokenizer {
    enum CharacterClass: UInt8 {
        case letter, number, whitespace, other
    }

    /// Calls `body` with the byte range of each piece of `bytes[range]`, in order; the pieces tile the range.
    /// - Parameter bytes: valid UTF-8 (as produced by `String.utf8`).
    @inline(__always)
    static func split(_ bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>, _ body: (Range<Int>) -> Void) {
        var position = range.lowerBound
        let end = range.upperBound
        while position < end {
            let pieceEnd = pieceEnd(bytes, at: position, end: end)
            body(position..<pieceEnd)
            position = pieceEnd
        }
    }

    /// End of the piece that starts at `start` (always `> start`).
    @inline(__always)
    static func pieceEnd(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int, end: Int) -> Int {
        let first = bytes[start]
        // 's 't 're 've 'm 'll 'd
        if first == UInt8(ascii: "'"), start + 1 < end {
            let second = bytes[start + 1]
            switch second {
            case UInt8(ascii: "s"), UInt8(ascii: "t"), UInt8(ascii: "m"), UInt8(ascii: "d"):
                return start + 2
            case UInt8(ascii: "r"), UInt8(ascii: "v"):
                if start + 2 < end, bytes[start + 2] == UInt8(ascii: "e") { return start + 3 }
            case UInt8(ascii: "l"):
                if start + 2 < end, bytes[start + 2] == UInt8(ascii: "l") { return start + 3 }
            default:
                break
            }
        }
        // Optional single space, then a run of one class.
        var runStart = start
        if first == 0x20, start + 1 < end { runStart = start + 1 }
        let (value, length) = decodeScalar(bytes, at: runStart, end: end)
        let runClass = classify(value)
        if runClass != .whitespace {
            var position = runStart + length
            while position < end {
                let (next, nextLength) = decodeScalar(bytes, at: position, end: end)
                if classify(next) != runClass { break }
                position += nextLength
            }
            return position
        }
        // Whitespace: `\s+(?!\S)` then `\s+`. Here `runStart` may be start + 1 (a space followed by
        // whitespace), so restart the run at `start`.
        var position = start
        var lastScalarStart = start
        var scalarCount = 0
        while position < end {
            let (next, nextLength) = decodeScalar(bytes, at: position, end: end)
            if classify(next) != .whitespace { break }
            lastScalarStart = position
            position += nextLength
            scalarCount += 1
        }
        if position == end || scalarCount == 1 { return position }
        return lastScalarStart
    }

    /// The scalar value starting at `index` and its length in bytes (input is valid UTF-8).
    @inline(__always)
    static func decodeScalar(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int, end: Int) -> (UInt32, Int) {
        let lead = UInt32(bytes[index])
        if lead < 0x80 { return (lead, 1) }
        if lead < 0xE0, index + 1 < end {
            return (((lead & 0x1F) << 6) | (UInt32(bytes[index + 1]) & 0x3F), 2)
        }
        if lead < 0xF0, index + 2 < end {
            return (((lead & 0x0F) << 12) | ((UInt32(bytes[index + 1]) & 0x3F) << 6) | (UInt32(bytes[index + 2]) & 0x3F), 3)
        }
        if index + 3 < end {
            return (((lead & 0x07) << 18) | ((UInt32(bytes[index + 1]) & 0x3F) << 12)
                    | ((UInt32(bytes[index + 2]) & 0x3F) << 6) | (UInt32(bytes[index + 3]) & 0x3F), 4)
        }
        // Truncated sequence (cannot happen for String.utf8): treat the byte as a lone "other" character.
        return (0xFFFD, 1)
    }

    @inline(__always)
    static func classify(_ value: UInt32) -> CharacterClass {
        if value < 0x80 {
            if (value >= 0x61 && value <= 0x7A) || (value >= 0x41 && value <= 0x5A) { return .letter }
            if value >= 0x30 && value <= 0x39 { return .number }
            if value == 0x20 || (value >= 0x09 && value <= 0x0D) { return .whitespace }
            return .other
        }
        guard let scalar = Unicode.Scalar(value) else { return .other }
        let properties = scalar.properties
        if properties.isWhitespace { return .whitespace }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return .letter
        case .decimalNumber, .letterNumber, .otherNumber:
            return .number
        default:
            return .other
        }
    }
}

extension ByteLevelBPETokenizer {
    /// The pieces a pre-tokenisation pattern cuts `text` into (no special-token handling); for tests and debugging.
    public static func preTokenize(_ text: String, pattern: PreTokenizerPattern = .gpt2) -> [String] {
        var text = text
        return text.withUTF8 { bytes in
            var pieces: [String] = []
            pattern.split(bytes, range: 0..<bytes.count) { piece in
                pieces.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[piece]), as: UTF8.self))
            }
            return pieces
        }
    }
}
