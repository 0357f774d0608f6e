/// A token matched verbatim in raw text before any other processing (special tokens such as
/// `<|endoftext|>`, and other added tokens).
public struct AddedToken: Sendable, Equatable {
    /// Token id.
    public var id: Int
    /// The exact text that stands for the token.
    public var content: String
    /// Special tokens are control tokens (`<|endoftext|>`); non-special added tokens are ordinary text pieces.
    public var isSpecial: Bool

    public init(id: Int, content: String, isSpecial: Bool = true) {
        self.id = id
        self.content = content
        self.isSpecial = isSpecial
    }
}

/// Finds added tokens in UTF-8 text: leftmost match first, the longest when several start at the
/// same byte (Hugging Face's leftmost-longest rule).
struct AddedTokenMatcher: Sendable {
    /// Candidates by first byte, longest first: (UTF-8 bytes, id).
    private let candidatesByFirstByte: [[([UInt8], Int)]]
    let isEmpty: Bool

    init(_ tokens: [AddedToken]) {
        var table = [[([UInt8], Int)]](repeating: [], count: 256)
        for token in tokens where !token.content.isEmpty {
            let bytes = Array(token.content.utf8)
            table[Int(bytes[0])].append((bytes, token.id))
        }
        for index in 0..<256 { table[index].sort { $0.0.count > $1.0.count } }
        candidatesByFirstByte = table
        isEmpty = tokens.allSatisfy { $0.content.isEmpty }
    }

    /// Calls `body(matchRange, id)` for each match in `bytes[range]`, left to right, non-overlapping.
    func forEachMatch(in bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>, _ body: (Range<Int>, Int) -> Void) {
        if isEmpty { return }
        var position = range.lowerBound
        let end = range.upperBound
        scan: while position < end {
            let candidates = candidatesByFirstByte[Int(bytes[position])]
            if !candidates.isEmpty {
                for (pattern, id) in candidates where position + pattern.count <= end {
                    var matches = true
                    for offset in 1..<max(pattern.count, 1) where bytes[position + offset] != pattern[offset] {
                        matches = false
                        break
                    }
                    if matches {
                        body(position..<(position + pattern.count), id)
                        position += pattern.count
                        continue scan
                    }
                }
            }
            position += 1
        }
    }
}
