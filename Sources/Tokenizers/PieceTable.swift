/// An exact-bytes hash table from piece text to id, looked up with byte slices so that the merge
/// loop allocates no strings (open addressing, FNV-1a hashes, linear probing).
struct PieceTable: Sendable {
    /// All keys' UTF-8 bytes back to back; key i is `storage[offsets[i]..<offsets[i + 1]]`.
    private let storage: [UInt8]
    private let offsets: [Int]
    private let ids: [Int32]
    /// Slot → key index, or -1 for an empty slot. Count is a power of two, at least twice the keys.
    private let slots: [Int32]
    private let mask: Int

    /// - Parameter entries: (text, id); a repeated text keeps its first id.
    init(_ entries: [(String, Int32)]) {
        var storage: [UInt8] = []
        var offsets: [Int] = [0]
        var ids: [Int32] = []
        var capacity = 16
        while capacity < entries.count * 2 { capacity *= 2 }
        var slots = [Int32](repeating: -1, count: capacity)
        let mask = capacity - 1
        for (text, id) in entries {
            let bytes = Array(text.utf8)
            var slot = bytes.withUnsafeBufferPointer { Int(truncatingIfNeeded: Self.hash($0)) } & mask
            var duplicate = false
            while slots[slot] >= 0 {
                let key = Int(slots[slot])
                if storage[offsets[key]..<offsets[key + 1]].elementsEqual(bytes) {
                    duplicate = true
                    break
                }
                slot = (slot + 1) & mask
            }
            if duplicate { continue }
            slots[slot] = Int32(ids.count)
            storage += bytes
            offsets.append(storage.count)
            ids.append(id)
        }
        self.storage = storage
        self.offsets = offsets
        self.ids = ids
        self.slots = slots
        self.mask = mask
    }

    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        return hash ^ (hash >> 29)
    }

    /// The id of the piece whose UTF-8 is exactly `bytes`, or nil.
    func id(of bytes: UnsafeBufferPointer<UInt8>) -> Int32? {
        var slot = Int(truncatingIfNeeded: Self.hash(bytes)) & mask
        while true {
            let key = Int(slots[slot])
            if key < 0 { return nil }
            let start = offsets[key]
            if offsets[key + 1] - start == bytes.count {
                var equal = true
                for index in 0..<bytes.count where storage[start + index] != bytes[index] {
                    equal = false
                    break
                }
                if equal { return ids[key] }
            }
            slot = (slot + 1) & mask
        }
    }

    func id(of text: String) -> Int32? {
        var text = text
        return text.withUTF8 { id(of: $0) }
    }
}
