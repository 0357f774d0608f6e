/// A tokenizer whose every token stands for a fixed byte string, so text can be decoded token by
/// token (streaming generation) without waiting for the whole sequence.
public protocol ByteTokenizer: Tokenizer {
    /// The bytes token `id` contributes to decoded text ([] for control tokens), nil if out of range.
    func tokenBytes(_ id: Int) -> [UInt8]?
}

extension ByteLevelBPETokenizer: ByteTokenizer {}
extension SentencePieceTokenizer: ByteTokenizer {}

/// Decodes token ids one at a time into text, holding back the bytes of a UTF-8 character that a
/// token boundary cut in two (byte-level BPE and byte-fallback tokens often do), so that every piece
/// returned is valid text and the pieces join up to `decode` of all ids.
public struct StreamingDecoder: Sendable {
    public let tokenizer: any ByteTokenizer
    /// Bytes of an incomplete character at the end of what was seen so far (at most 3).
    private var pending: [UInt8] = []
    private var removesLeadingSpace: Bool

    /// - Parameters:
    ///   - removingLeadingSpace: drop one space at the very start of the output — set it to
    ///     `SentencePieceTokenizer.addsSpacePrefix` when the stream starts a text (SentencePiece's
    ///     dummy prefix), leave it false when the stream continues a prompt.
    public init(tokenizer: any ByteTokenizer, removingLeadingSpace: Bool = false) {
        self.tokenizer = tokenizer
        self.removesLeadingSpace = removingLeadingSpace
    }

    /// The text that `id` completes (possibly empty). Unknown ids add nothing.
    public mutating func append(_ id: Int) -> String {
        guard let bytes = tokenizer.tokenBytes(id), !bytes.isEmpty else { return "" }
        pending += bytes
        if removesLeadingSpace {
            if pending.first == 0x20 { pending.removeFirst() }
            removesLeadingSpace = false
        }
        let complete = Self.completeLength(pending)
        let text = String(decoding: pending[0..<complete], as: UTF8.self)
        pending.removeFirst(complete)
        return text
    }

    /// Whatever is still held back (an incomplete character decodes as U+FFFD); the decoder is then empty.
    public mutating func finish() -> String {
        defer { pending.removeAll() }
        return String(decoding: pending, as: UTF8.self)
    }

    /// Length of the longest prefix of `bytes` that does not end inside a UTF-8 character which the
    /// following bytes could still complete.
    static func completeLength(_ bytes: [UInt8]) -> Int {
        // Look back over at most 3 trailing bytes for the lead byte of an unfinished sequence.
        var index = bytes.count - 1
        var continuationCount = 0
        while index >= 0, continuationCount < 3, bytes[index] & 0xC0 == 0x80 {
            continuationCount += 1
            index -= 1
        }
        guard index >= 0 else { return bytes.count }
        let lead = bytes[index]
        let needed = lead >= 0xF0 && lead < 0xF8 ? 4 : lead >= 0xE0 && lead < 0xF0 ? 3 : lead >= 0xC2 && lead < 0xE0 ? 2 : 1
        // A sequence still short of its length is held back; anything else (complete, ASCII or
        // invalid) is released now.
        if needed > 1, continuationCount + 1 < needed { return index }
        return bytes.count
    }
}
