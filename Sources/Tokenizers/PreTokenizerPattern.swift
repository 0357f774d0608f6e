/// Which regular expression cuts text into pieces before byte-level BPE. Each is implemented by
/// hand over UTF-8 (no regex engine); tokenizer.json files name them by their exact pattern text.
public enum PreTokenizerPattern: String, Sendable, CaseIterable {
    /// GPT-2 (also GPT-J, Phi-2, RoBERTa): ByteLevel with `use_regex = true`.
    case gpt2
    /// Llama 3: case-insensitive contractions, a letter run may take one leading non-letter,
    /// digits in runs of up to 3, punctuation keeps trailing newlines, whitespace ending in newlines.
    case llama3
    /// Qwen 2 / 2.5 / 3: as Llama 3 but one digit per piece.
    case qwen2

    /// The regular expression as tokenizer.json and GGUF documentation write it.
    public var regex: String {
        switch self {
        case .gpt2:
            return #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#
        case .llama3:
            return #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
        case .qwen2:
            return #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
        }
    }

    /// The pattern for a GGUF `tokenizer.ggml.pre` value (as llama.cpp maps them), nil if not implemented.
    /// Llama 3's models also need `ignoreMerges: true` (see `ignoresMergesInGGUF`).
    /// - Parameter name: e.g. "gpt-2", "llama-bpe", "qwen2".
    public init?(ggufPreTokenizer name: String) {
        switch name {
        case "gpt-2", "phi-2", "roberta-bpe":
            self = .gpt2
        case "llama-bpe", "llama3", "llama-v3", "falcon3", "pixtral":
            self = .llama3
        case "qwen2", "deepseek-r1-qwen":
            self = .qwen2
        default:
            return nil
        }
    }

    /// Whether llama.cpp turns on `ignore_merges` for GGUF models with this pattern (Llama 3 does).
    public var ignoresMergesInGGUF: Bool { self == .llama3 }

    /// Calls `body` with each piece's byte range; the pieces tile `range`.
    @inline(__always)
    func split(_ bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>, _ body: (Range<Int>) -> Void) {
        switch self {
        case .gpt2:
            GPT2PreTokenizer.split(bytes, range: range, body)
        case .llama3, .qwen2:
            let maximumDigits = self == .llama3 ? 3 : 1
            var position = range.lowerBound
            while position < range.upperBound {
                let end = Llama3PreTokenizer.pieceEnd(bytes, at: position, end: range.upperBound, maximumDigits: maximumDigits)
                body(position..<end)
                position = end
            }
        }
    }
}

/// The Llama 3 / Qwen 2 pattern, alternative by alternative (leftmost-first, as Oniguruma matches):
///
///     (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
enum Llama3PreTokenizer {
    typealias CharacterClass = GPT2PreTokenizer.CharacterClass

    @inline(__always)
    static func scalar(_ bytes: UnsafeBufferPointer<UInt8>, _ index: Int, _ end: Int) -> (value: UInt32, length: Int, kind: CharacterClass) {
        let (value, length) = GPT2PreTokenizer.decodeScalar(bytes, at: index, end: end)
        return (value, length, GPT2PreTokenizer.classify(value))
    }

    @inline(__always)
    static func isNewline(_ value: UInt32) -> Bool { value == 0x0A || value == 0x0D }

    /// End of the piece starting at `start` (always `> start`).
    static func pieceEnd(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int, end: Int, maximumDigits: Int) -> Int {
        if let contractionEnd = contraction(bytes, at: start, end: end) { return contractionEnd }
        let first = scalar(bytes, start, end)
        // [^\r\n\p{L}\p{N}]?\p{L}+
        var letterStart = -1
        if first.kind == .letter {
            letterStart = start
        } else if first.kind != .number, !isNewline(first.value), start + first.length < end,
                  scalar(bytes, start + first.length, end).kind == .letter {
            letterStart = start + first.length
        }
        if letterStart >= 0 { return run(bytes, from: letterStart, end: end, of: .letter, limit: Int.max) }
        // \p{N}{1,3}
        if first.kind == .number { return run(bytes, from: start, end: end, of: .number, limit: maximumDigits) }
        // ` ?[^\s\p{L}\p{N}]+[\r\n]*`
        var otherStart = -1
        if first.kind == .other {
            otherStart = start
        } else if first.value == 0x20, start + 1 < end, scalar(bytes, start + 1, end).kind == .other {
            otherStart = start + 1
        }
        if otherStart >= 0 {
            var position = run(bytes, from: otherStart, end: end, of: .other, limit: Int.max)
            while position < end, bytes[position] == 0x0A || bytes[position] == 0x0D { position += 1 }
            return position
        }
        // Whitespace from here on: \s*[\r\n]+ ends after the run's last newline, if it has one.
        var position = start
        var lastScalarStart = start
        var afterLastNewline = -1
        var scalarCount = 0
        while position < end {
            let next = scalar(bytes, position, end)
            if next.kind != .whitespace { break }
            lastScalarStart = position
            position += next.length
            scalarCount += 1
            if isNewline(next.value) { afterLastNewline = position }
        }
        if afterLastNewline > 0 { return afterLastNewline }
        // \s+(?!\S) then \s+
        if position == end || scalarCount == 1 { return position }
        return lastScalarStart
    }

    /// `(?i:'s|'t|'re|'ve|'m|'ll|'d)`, with Unicode simple case folding (ſ U+017F folds to s).
    static func contraction(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int, end: Int) -> Int? {
        guard bytes[start] == UInt8(ascii: "'"), start + 1 < end else { return nil }
        func folded(_ index: Int) -> (UInt32, Int)? {
            guard index < end else { return nil }
            let (value, length) = GPT2PreTokenizer.decodeScalar(bytes, at: index, end: end)
            if value == 0x17F { return (UInt32(UInt8(ascii: "s")), length) }
            if value >= 0x41 && value <= 0x5A { return (value + 0x20, length) }
            return (value, length)
        }
        guard let (second, secondLength) = folded(start + 1) else { return nil }
        switch second {
        case UInt32(UInt8(ascii: "s")), UInt32(UInt8(ascii: "t")), UInt32(UInt8(ascii: "m")), UInt32(UInt8(ascii: "d")):
            return start + 1 + secondLength
        case UInt32(UInt8(ascii: "r")), UInt32(UInt8(ascii: "v")), UInt32(UInt8(ascii: "l")):
            let expected = second == UInt32(UInt8(ascii: "l")) ? UInt32(UInt8(ascii: "l")) : UInt32(UInt8(ascii: "e"))
            guard let (third, thirdLength) = folded(start + 1 + secondLength), third == expected else { return nil }
            return start + 1 + secondLength + thirdLength
        default:
            return nil
        }
    }

    /// End of the run of `kind` scalars starting at `from` (at most `limit` scalars).
    @inline(__always)
    static func run(_ bytes: UnsafeBufferPointer<UInt8>, from: Int, end: Int, of kind: CharacterClass, limit: Int) -> Int {
        var position = from
        var count = 0
        while position < end, count < limit {
            let next = scalar(bytes, position, end)
            if next.kind != kind { break }
            position += next.length
            count += 1
        }
        return position
    }
}
