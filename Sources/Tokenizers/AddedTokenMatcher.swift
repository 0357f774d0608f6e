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
/// same byte (Hugging Face's leftmost-longest rule). A byte trie keeps this cheap even for
/// vocabularies with thousands of special tokens sharing a first byte (Gemma's `<unused…>`).
struct AddedTokenMatcher: Sendable {
    /// Trie nodes; node 0 is the root. `children[node]` is sorted by byte.
    private let children: [[(byte: UInt8, node: Int32)]]
    /// Token id that ends at each node, or -1.
    private let terminalIDs: [Int]
    /// Whether any token starts with each byte (a fast filter before walking the trie).
    private let startsWith: [Bool]
    let isEmpty: Bool

    init(_ tokens: [AddedToken]) {
        var children: [[(byte: UInt8, node: Int32)]] = [[]]
        var terminalIDs: [Int] = [-1]
        var startsWith = [Bool](repeating: false, count: 256)
        for token in tokens where !token.content.isEmpty {
            var node = 0
            for byte in token.content.utf8 {
                if let next = children[node].first(where: { $0.byte == byte }) {
                    node = Int(next.node)
                } else {
                    children.append([])
                    terminalIDs.append(-1)
                    children[node].append((byte, Int32(children.count - 1)))
                    children[node].sort { $0.byte < $1.byte }
                    node = children.count - 1
                }
            }
            // The first token listed with some content keeps it.
            if terminalIDs[node] < 0 { terminalIDs[node] = token.id }
            startsWith[Int(token.content.utf8.first ?? 0)] = true
        }
        self.children = children
        self.terminalIDs = terminalIDs
        self.startsWith = startsWith
        isEmpty = children[0].isEmpty
    }

    /// The child of `node` for `byte` (binary search), or -1.
    @inline(__always)
    private func child(_ node: Int, _ byte: UInt8) -> Int {
        let list = children[node]
        var low = 0
        var high = list.count
        while low < high {
            let middle = (low + high) / 2
            if list[middle].byte < byte { low = middle + 1 } else { high = middle }
        }
        return low < list.count && list[low].byte == byte ? Int(list[low].node) : -1
    }

    /// Calls `body(matchRange, id)` for each match in `bytes[range]`, left to right, non-overlapping.
    func forEachMatch(in bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>, _ body: (Range<Int>, Int) -> Void) {
        if isEmpty { return }
        var position = range.lowerBound
        let end = range.upperBound
        while position < end {
            guard startsWith[Int(bytes[position])] else {
                position += 1
                continue
            }
            // Walk the trie as far as the text allows, remembering the longest complete token.
            var node = 0
            var cursor = position
            var longest: (end: Int, id: Int)? = nil
            while cursor < end {
                let next = child(node, bytes[cursor])
                if next < 0 { break }
                node = next
                cursor += 1
                if terminalIDs[node] >= 0 { longest = (cursor, terminalIDs[node]) }
            }
            if let longest {
                body(position..<longest.end, longest.id)
                position = longest.end
            } else {
                position += 1
            }
        }
    }
}
