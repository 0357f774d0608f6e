/// A string compared and hashed by its UTF-8 bytes.
///
/// Swift's `String ==` uses canonical equivalence ("Ω" U+2126 equals "Ω" U+03A9), but a tokenizer
/// must keep byte-different text apart, so dictionaries keyed by text use this wrapper.
struct ExactString: Hashable, Sendable {
    let string: String

    init(_ string: String) {
        self.string = string
    }

    static func == (lhs: ExactString, rhs: ExactString) -> Bool {
        let left = lhs.string.utf8
        let right = rhs.string.utf8
        guard left.count == right.count else { return false }
        if let equal = left.withContiguousStorageIfAvailable({ leftBuffer in
            right.withContiguousStorageIfAvailable { rightBuffer in leftBuffer.elementsEqual(rightBuffer) }
        }), let equal {
            return equal
        }
        return left.elementsEqual(right)
    }

    func hash(into hasher: inout Hasher) {
        let utf8 = string.utf8
        let done: Void? = utf8.withContiguousStorageIfAvailable { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        if done == nil {
            for byte in utf8 { hasher.combine(byte) }
        }
        hasher.combine(utf8.count)
    }
}
