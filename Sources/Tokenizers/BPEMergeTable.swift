import Foundation

/// Merge ranks of a byte-level BPE model and the routine that applies them to one pre-tokenised word.
struct BPEMergeTable: Sendable {
    /// Key: `left << 32 | right` (token ids). Value: `rank << 32 | mergedID`; rank 0 merges first.
    private let table: [UInt64: UInt64]
    /// `byteTokenIDs[b]` is the id of the token for the single byte `b`.
    let byteTokenIDs: [Int32]

    /// - Parameters:
    ///   - merges: (left id, right id, merged id) in rank order. A pair listed twice keeps its last rank, as Hugging Face's loader does.
    init(merges: [(Int32, Int32, Int32)], byteTokenIDs: [Int32]) {
        var table: [UInt64: UInt64] = [:]
        table.reserveCapacity(merges.count)
        for (rank, merge) in merges.enumerated() {
            let key = Self.key(merge.0, merge.1)
            table[key] = UInt64(rank) << 32 | UInt64(UInt32(bitPattern: merge.2))
        }
        self.table = table
        self.byteTokenIDs = byteTokenIDs
    }

    @inline(__always)
    static func key(_ left: Int32, _ right: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
    }

    /// Rank and merged id of the pair, or `(UInt32.max, -1)` if the pair never merges.
    @inline(__always)
    func lookup(_ left: Int32, _ right: Int32) -> (rank: UInt32, merged: Int32) {
        guard let value = table[Self.key(left, right)] else { return (UInt32.max, -1) }
        return (UInt32(truncatingIfNeeded: value >> 32), Int32(bitPattern: UInt32(truncatingIfNeeded: value)))
    }

    /// Token ids of one pre-tokenised word, as Hugging Face's BPE produces them: repeatedly merge the
    /// adjacent pair of lowest rank, the leftmost one when several share that rank.
    ///
    /// Cost: O(n) per merge with n the current symbol count (a scan over cached pair ranks), so O(n²)
    /// per word; words are short and results are cached by the caller. Words longer than
    /// `longWordThreshold` bytes take the O(n log n) priority-queue path, which gives the same ids.
    func encodeWord(_ bytes: UnsafeBufferPointer<UInt8>) -> [Int32] {
        if bytes.count > Self.longWordThreshold { return encodeLongWord(bytes) }
        var symbols = [Int32]()
        symbols.reserveCapacity(bytes.count)
        for byte in bytes { symbols.append(byteTokenIDs[Int(byte)]) }
        if symbols.count < 2 { return symbols }
        // ranks[i] / mergedIDs[i] describe the pair (symbols[i], symbols[i + 1]).
        var ranks = [UInt32](repeating: UInt32.max, count: symbols.count - 1)
        var mergedIDs = [Int32](repeating: -1, count: symbols.count - 1)
        for index in 0..<(symbols.count - 1) {
            (ranks[index], mergedIDs[index]) = lookup(symbols[index], symbols[index + 1])
        }
        while !ranks.isEmpty {
            var best = 0
            var bestRank = ranks[0]
            for index in 1..<ranks.count where ranks[index] < bestRank {
                bestRank = ranks[index]
                best = index
            }
            if bestRank == UInt32.max { break }
            symbols[best] = mergedIDs[best]
            symbols.remove(at: best + 1)
            ranks.remove(at: best)
            mergedIDs.remove(at: best)
            if best > 0 {
                (ranks[best - 1], mergedIDs[best - 1]) = lookup(symbols[best - 1], symbols[best])
            }
            if best < ranks.count {
                (ranks[best], mergedIDs[best]) = lookup(symbols[best], symbols[best + 1])
            }
        }
        return symbols
    }
}

extension BPEMergeTable {
    /// Above this many bytes a word is merged with a priority queue instead of repeated scans.
    static let longWordThreshold = 96

    /// The same merges as the scan in `encodeWord`, for long words: symbols in a linked list and a
    /// min-heap of candidate pairs ordered by (rank, position of the left symbol). Entries whose
    /// symbols have changed since they were queued are skipped when popped.
    func encodeLongWord(_ bytes: UnsafeBufferPointer<UInt8>) -> [Int32] {
        let count = bytes.count
        var ids = bytes.map { byteTokenIDs[Int($0)] }
        var next = Array(1...count)
        next[count - 1] = -1
        var previous = Array(-1..<(count - 1))
        var alive = [Bool](repeating: true, count: count)
        var heap = BinaryHeap<MergeCandidate>()
        func queue(_ left: Int) {
            let right = next[left]
            guard right >= 0 else { return }
            let (rank, merged) = lookup(ids[left], ids[right])
            if rank != UInt32.max {
                heap.push(MergeCandidate(rank: rank, position: Int32(left), left: ids[left], right: ids[right], merged: merged))
            }
        }
        for position in 0..<(count - 1) { queue(position) }
        while let entry = heap.pop() {
            let left = Int(entry.position)
            guard alive[left], ids[left] == entry.left else { continue }
            let right = next[left]
            guard right >= 0, ids[right] == entry.right else { continue }
            ids[left] = entry.merged
            alive[right] = false
            next[left] = next[right]
            if next[right] >= 0 { previous[next[right]] = left }
            if previous[left] >= 0 { queue(previous[left]) }
            queue(left)
        }
        var result: [Int32] = []
        var position = 0
        while position >= 0 {
            result.append(ids[position])
            position = next[position]
        }
        return result
    }
}

/// A merge candidate of the BPE encoder: lowest rank first, then leftmost position.
struct MergeCandidate: HeapOrdered {
    var rank: UInt32
    var position: Int32
    var left: Int32
    var right: Int32
    var merged: Int32

    @inline(__always)
    static func comesBefore(_ a: MergeCandidate, _ b: MergeCandidate) -> Bool {
        a.rank != b.rank ? a.rank < b.rank : a.position < b.position
    }
}

/// A bounded, thread-safe map from a pre-tokenised word to its token ids.
final class WordCache: @unchecked Sendable {
    // All access to `storage` holds `lock`.
    private let lock = NSLock()
    private var storage: [ExactString: [Int32]] = [:]
    /// When the cache reaches this many words it is emptied (simple, and words repeat quickly in text).
    let capacity: Int

    init(capacity: Int = 100_000) {
        self.capacity = capacity
    }

    func value(for word: String) -> [Int32]? {
        lock.lock()
        defer { lock.unlock() }
        return storage[ExactString(word)]
    }

    func insert(_ ids: [Int32], for word: String) {
        lock.lock()
        defer { lock.unlock() }
        if storage.count >= capacity { storage.removeAll(keepingCapacity: true) }
        storage[ExactString(word)] = ids
    }
}
