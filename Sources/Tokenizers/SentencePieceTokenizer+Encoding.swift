import Foundation

/// llama.cpp's SPM encoding: a doubly linked list of symbols (Unicode scalars of the escaped text)
/// and a max-priority queue of adjacent pairs whose concatenation is a piece, by piece score.
extension SentencePieceTokenizer {
    /// Encodes `text` (no BOS/EOS) into `output`.
    ///
    /// With `parsingControlTokens`, control tokens cut the text into segments that are encoded as if
    /// each were a text of its own (each gets the dummy prefix), which is how Llama's reference code
    /// builds chat prompts and what llama.cpp does; without control tokens this is SentencePiece's
    /// encoding of the whole text.
    ///
    /// The Hugging Face rules (`spacePrefixRule`) cut the text at added tokens of both kinds first and
    /// give the stretches between them the prefix as that rule says.
    func encodeText(_ text: String, parsingControlTokens: Bool, into output: inout [Int]) {
        if text.isEmpty { return }
        var text = text
        if spacePrefixRule != .sentencePiece {
            return text.withUTF8 { raw in
                let matcher = parsingControlTokens ? addedMatcher : userDefinedMatcher
                var stretchStart = 0
                func stretch(_ range: Range<Int>) {
                    if range.isEmpty { return }
                    let prefixed = addsSpacePrefix
                        && (spacePrefixRule == .everyStretch || (range.lowerBound == 0 && raw[0] != 0x20))
                    let bytes = (prefixed ? [0x20] : []) + Array(raw[range])
                    bytes.withUnsafeBufferPointer { encodeFragment($0[0..<$0.count], into: &output) }
                }
                matcher.forEachMatch(in: raw, range: 0..<raw.count) { match, id in
                    stretch(stretchStart..<match.lowerBound)
                    output.append(id)
                    stretchStart = match.upperBound
                }
                stretch(stretchStart..<raw.count)
            }
        }
        text.withUTF8 { raw in
            guard parsingControlTokens, !controlMatcher.isEmpty else {
                encodeSegment(raw[0..<raw.count], into: &output)
                return
            }
            var segmentStart = 0
            controlMatcher.forEachMatch(in: raw, range: 0..<raw.count) { match, id in
                encodeSegment(raw[segmentStart..<match.lowerBound], into: &output)
                output.append(id)
                segmentStart = match.upperBound
            }
            encodeSegment(raw[segmentStart..<raw.count], into: &output)
        }
    }

    /// Text without control tokens: dummy prefix, then user-defined tokens cut out, then merges.
    private func encodeSegment(_ raw: Slice<UnsafeBufferPointer<UInt8>>, into output: inout [Int]) {
        if raw.isEmpty { return }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(raw.count + 1)
        // SentencePiece's dummy prefix: one space before the text (also when it starts with a space).
        if addsSpacePrefix { bytes.append(0x20) }
        bytes += raw
        bytes.withUnsafeBufferPointer { buffer in
            var fragmentStart = 0
            userDefinedMatcher.forEachMatch(in: buffer, range: 0..<buffer.count) { match, id in
                encodeFragment(buffer[fragmentStart..<match.lowerBound], into: &output)
                output.append(id)
                fragmentStart = match.upperBound
            }
            encodeFragment(buffer[fragmentStart..<buffer.count], into: &output)
        }
    }

    /// Text between user-defined tokens: spaces become "▁", then bigram merges by score.
    private func encodeFragment(_ raw: Slice<UnsafeBufferPointer<UInt8>>, into output: inout [Int]) {
        if raw.isEmpty { return }
        var text: [UInt8] = []
        text.reserveCapacity(raw.count + raw.count / 2)
        for byte in raw {
            if byte == 0x20 { text += [0xE2, 0x96, 0x81] } else { text.append(byte) }  // "▁" in UTF-8
        }
        var merger = BigramMerger(text: text, tokenizer: self)
        merger.run()
        merger.emit(into: &output)
    }
}

/// The merge state for one fragment. Symbols are byte ranges of `text`; a symbol with length 0 has
/// been merged into its left neighbour.
private struct BigramMerger {
    struct Bigram: HeapOrdered {
        var score: Float
        var left: Int
        var right: Int
        /// Byte length of the pair when queued; a different current length means the entry is stale.
        var size: Int

        /// Higher score first; on equal scores the leftmost pair.
        static func comesBefore(_ a: Bigram, _ b: Bigram) -> Bool {
            a.score != b.score ? a.score > b.score : a.left < b.left
        }
    }

    let text: [UInt8]
    let tokenizer: SentencePieceTokenizer
    var starts: [Int] = []
    var lengths: [Int] = []
    var previous: [Int] = []
    var next: [Int] = []
    var queue = BinaryHeap<Bigram>()
    /// (start << 32 | length) of each merged symbol → byte length of its left part, to resegment
    /// symbols whose piece may not be output (unused pieces).
    var splits: [Int: Int] = [:]

    init(text: [UInt8], tokenizer: SentencePieceTokenizer) {
        self.text = text
        self.tokenizer = tokenizer
        var position = 0
        while position < text.count {
            let lead = text[position]
            let length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
            let clamped = min(length, text.count - position)
            previous.append(starts.count - 1)
            next.append(starts.count + 1)
            starts.append(position)
            lengths.append(clamped)
            position += clamped
        }
        if !next.isEmpty { next[next.count - 1] = -1 }
    }

    func pieceID(start: Int, length: Int) -> Int32? {
        text.withUnsafeBufferPointer { buffer in
            tokenizer.mergeablePieces.id(of: UnsafeBufferPointer(rebasing: buffer[start..<(start + length)]))
        }
    }

    mutating func tryAddBigram(_ left: Int, _ right: Int) {
        guard left >= 0, right >= 0 else { return }
        let size = lengths[left] + lengths[right]
        guard let id = pieceID(start: starts[left], length: size) else { return }
        push(Bigram(score: tokenizer.scores[Int(id)], left: left, right: right, size: size))
    }

    mutating func run() {
        for index in 0..<max(starts.count - 1, 0) { tryAddBigram(index, index + 1) }
        while let bigram = pop() {
            let left = bigram.left
            let right = bigram.right
            // Skip pairs whose symbols were merged away or grew since they were queued.
            guard lengths[left] > 0, lengths[right] > 0, lengths[left] + lengths[right] == bigram.size else { continue }
            if tokenizer.hasUnusedPieces { splits[starts[left] << 32 | bigram.size] = lengths[left] }
            lengths[left] += lengths[right]
            lengths[right] = 0
            next[left] = next[right]
            if next[right] >= 0 { previous[next[right]] = left }
            tryAddBigram(previous[left], left)
            tryAddBigram(left, next[left])
        }
    }

    func emit(into output: inout [Int]) {
        var symbol = starts.isEmpty ? -1 : 0
        while symbol >= 0 {
            resegment(start: starts[symbol], length: lengths[symbol], into: &output)
            symbol = next[symbol]
        }
    }

    /// A symbol's piece id; an unused piece is split back into the two symbols it was merged from;
    /// anything else becomes byte tokens (or the unknown token when a byte has none).
    func resegment(start: Int, length: Int, into output: inout [Int]) {
        if let id = pieceID(start: start, length: length), tokenizer.tokenTypes[Int(id)] != .unused {
            output.append(Int(id))
            return
        }
        if let leftLength = splits[start << 32 | length] {
            resegment(start: start, length: leftLength, into: &output)
            resegment(start: start + leftLength, length: length - leftLength, into: &output)
            return
        }
        let bytes = text[start..<(start + length)]
        if bytes.allSatisfy({ tokenizer.byteTokenIDs[Int($0)] >= 0 }) {
            for byte in bytes { output.append(Int(tokenizer.byteTokenIDs[Int(byte)])) }
        } else if let unknown = tokenizer.unknownTokenID {
            output.append(unknown)
        }
    }

    mutating func push(_ bigram: Bigram) { queue.push(bigram) }

    mutating func pop() -> Bigram? { queue.pop() }
}
