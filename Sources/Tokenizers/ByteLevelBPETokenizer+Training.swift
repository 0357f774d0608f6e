import Foundation

/// Learning byte-level BPE merges from text.
extension ByteLevelBPETokenizer {
    /// Trains on the corpus until the vocabulary (256 byte tokens + merges + special tokens) has `vocabularySize` entries.
    ///
    /// Ids: 0–255 are the byte tokens in GPT-2's order (`ByteLevelAlphabet.orderedBytes`), then one id
    /// per learned token in the order learned, then `specialTokens` in the order given.
    /// Each step merges the adjacent pair with the highest count over the corpus; ties go to the pair
    /// whose (left id, right id) is smallest, so results do not depend on hashing or thread timing.
    /// Training stops early (with a smaller vocabulary) if no pair is left to merge.
    /// Special tokens found in the corpus are cut out and never merged with neighbouring text.
    /// - Throws: `TokenizerError` if the corpus has no text, `vocabularySize` < 257 or leaves no room for
    ///   the special tokens, or a special token is empty or repeated.
    public static func train(corpus: [String], vocabularySize: Int, specialTokens: [String] = ["<|endoftext|>"]) throws -> ByteLevelBPETokenizer {
        guard vocabularySize >= 257 else {
            throw TokenizerError("vocabularySize \(vocabularySize) is too small: it must be at least 257 (256 byte tokens + 1)")
        }
        guard vocabularySize >= 256 + specialTokens.count else {
            throw TokenizerError("vocabularySize \(vocabularySize) leaves no room for 256 byte tokens and \(specialTokens.count) special tokens")
        }
        guard Set(specialTokens).count == specialTokens.count, !specialTokens.contains("") else {
            throw TokenizerError("special tokens must be distinct and non-empty: \(specialTokens)")
        }
        guard corpus.contains(where: { !$0.isEmpty }) else {
            throw TokenizerError("the training corpus is empty (\(corpus.count) strings, no text)")
        }
        var trainer = BPEPairMerger(wordCounts: countWords(corpus, specialTokens: specialTokens))
        let merges = trainer.learn(modelVocabularySize: vocabularySize - specialTokens.count)
        let added = specialTokens.enumerated().map { offset, content in
            AddedToken(id: trainer.tokens.count + offset, content: content, isSpecial: true)
        }
        return try ByteLevelBPETokenizer(vocabulary: trainer.tokens, merges: merges, addedTokens: added, source: nil)
    }

    /// Unique pre-tokenised words (UTF-8 bytes) with their counts, in a fixed (sorted) order.
    static func countWords(_ corpus: [String], specialTokens: [String]) -> [(bytes: [UInt8], count: Int)] {
        let matcher = AddedTokenMatcher(specialTokens.map { AddedToken(id: 0, content: $0) })
        var counts: [ExactString: Int] = [:]
        for var text in corpus {
            text.withUTF8 { bytes in
                func countPieces(_ range: Range<Int>) {
                    GPT2PreTokenizer.split(bytes, range: range) { piece in
                        counts[ExactString(String(decoding: UnsafeBufferPointer(rebasing: bytes[piece]), as: UTF8.self)), default: 0] += 1
                    }
                }
                var segmentStart = 0
                matcher.forEachMatch(in: bytes, range: 0..<bytes.count) { match, _ in
                    countPieces(segmentStart..<match.lowerBound)
                    segmentStart = match.upperBound
                }
                countPieces(segmentStart..<bytes.count)
            }
        }
        return counts.map { (Array($0.key.string.utf8), $0.value) }.sorted { $0.bytes.lexicographicallyPrecedes($1.bytes) }
    }
}

/// The merge-learning loop: words are symbol arrays with counts; pair counts are kept up to date
/// incrementally (only words containing the merged pair are touched), and a max-heap with lazy
/// deletion picks the next pair.
struct BPEPairMerger {
    /// Token strings by id (byte-level alphabet).
    private(set) var tokens: [String]
    private var tokenIDs: [ExactString: Int32] = [:]
    private var words: [[Int32]]
    private let wordCounts: [Int]
    /// Current number of occurrences of each adjacent pair, weighted by word count.
    private var pairCounts: [UInt64: Int] = [:]
    /// Words that contain (or once contained) each pair; may hold stale or repeated indices.
    private var pairWords: [UInt64: [Int32]] = [:]
    private var heap = BinaryHeap<PairCount>()

    init(wordCounts: [(bytes: [UInt8], count: Int)]) {
        let ordered = ByteLevelAlphabet.orderedBytes
        tokens = ordered.map { String(ByteLevelAlphabet.scalarForByte[Int($0)]) }
        var byteID = [Int32](repeating: 0, count: 256)
        for (id, byte) in ordered.enumerated() { byteID[Int(byte)] = Int32(id) }
        for (id, token) in tokens.enumerated() { tokenIDs[ExactString(token)] = Int32(id) }
        words = wordCounts.map { entry in entry.bytes.map { byteID[Int($0)] } }
        self.wordCounts = wordCounts.map(\.count)
        for (index, word) in words.enumerated() where word.count > 1 {
            let count = self.wordCounts[index]
            for position in 0..<(word.count - 1) {
                let pair = BPEMergeTable.key(word[position], word[position + 1])
                pairCounts[pair, default: 0] += count
                pairWords[pair, default: []].append(Int32(index))
            }
        }
        for (pair, count) in pairCounts { heap.push(PairCount(count: count, pair: pair)) }
    }

    /// Learns merges until `tokens.count == modelVocabularySize` or no pair is left; returns them in order.
    mutating func learn(modelVocabularySize: Int) -> [(String, String)] {
        var merges: [(String, String)] = []
        // visitStamp[w] == merge number when word w was already updated for this merge.
        var visitStamp = [Int](repeating: -1, count: words.count)
        while tokens.count < modelVocabularySize, let top = heap.pop() {
            let current = pairCounts[top.pair] ?? 0
            if current != top.count {
                // Stale entry: counts of existing pairs only fall, so re-queue with the true count.
                if current > 0 { heap.push(PairCount(count: current, pair: top.pair)) }
                continue
            }
            let left = Int32(truncatingIfNeeded: top.pair >> 32)
            let right = Int32(truncatingIfNeeded: top.pair & 0xFFFF_FFFF)
            let mergedString = tokens[Int(left)] + tokens[Int(right)]
            let merged: Int32
            if let existing = tokenIDs[ExactString(mergedString)] {
                merged = existing  // the same string reached by another split: reuse its id
            } else {
                merged = Int32(tokens.count)
                tokens.append(mergedString)
                tokenIDs[ExactString(mergedString)] = merged
            }
            merges.append((tokens[Int(left)], tokens[Int(right)]))
            var grown: Set<UInt64> = []
            let stamp = merges.count
            for wordIndex in pairWords[top.pair] ?? [] where visitStamp[Int(wordIndex)] != stamp {
                visitStamp[Int(wordIndex)] = stamp
                mergePair(left, right, into: merged, wordIndex: Int(wordIndex), grown: &grown)
            }
            pairCounts[top.pair] = nil
            pairWords[top.pair] = nil
            for pair in grown {
                if let count = pairCounts[pair], count > 0 { heap.push(PairCount(count: count, pair: pair)) }
            }
        }
        return merges
    }

    /// Replaces each (left, right) in one word by `merged`, left to right, adjusting the counts of
    /// the pairs around each occurrence (Hugging Face's `Word::merge` bookkeeping).
    private mutating func mergePair(_ left: Int32, _ right: Int32, into merged: Int32, wordIndex: Int, grown: inout Set<UInt64>) {
        let word = words[wordIndex]
        guard word.count > 1 else { return }
        let count = wordCounts[wordIndex]
        var result: [Int32] = []
        result.reserveCapacity(word.count)
        var position = 0
        var changed = false
        while position < word.count {
            guard position + 1 < word.count, word[position] == left, word[position + 1] == right else {
                result.append(word[position])
                position += 1
                continue
            }
            changed = true
            pairCounts[BPEMergeTable.key(left, right), default: 0] -= count
            if let previous = result.last {
                pairCounts[BPEMergeTable.key(previous, left), default: 0] -= count
                add(BPEMergeTable.key(previous, merged), count, wordIndex, &grown)
            }
            if position + 2 < word.count {
                let next = word[position + 2]
                pairCounts[BPEMergeTable.key(right, next), default: 0] -= count
                add(BPEMergeTable.key(merged, next), count, wordIndex, &grown)
            }
            result.append(merged)
            position += 2
        }
        if changed { words[wordIndex] = result }
    }

    private mutating func add(_ pair: UInt64, _ count: Int, _ wordIndex: Int, _ grown: inout Set<UInt64>) {
        pairCounts[pair, default: 0] += count
        pairWords[pair, default: []].append(Int32(wordIndex))
        grown.insert(pair)
    }
}

/// A pair and its count in the BPE trainer: higher count first, then the smaller pair key
/// (`left << 32 | right`, i.e. smaller left id, then smaller right id).
struct PairCount: HeapOrdered {
    var count: Int
    var pair: UInt64

    @inline(__always)
    static func comesBefore(_ a: PairCount, _ b: PairCount) -> Bool {
        a.count != b.count ? a.count > b.count : a.pair < b.pair
    }
}
