/// An element of a `BinaryHeap`: `comesBefore` is the heap's order (the first element popped is one
/// that nothing comes before). Orders must be total so pops are deterministic.
protocol HeapOrdered {
    static func comesBefore(_ a: Self, _ b: Self) -> Bool
}

/// The binary heap the BPE encoder (merge ranks), the BPE trainer (pair counts) and the SentencePiece
/// encoder (bigram scores) share; each element type brings its own order.
struct BinaryHeap<Element: HeapOrdered> {
    private var entries: [Element] = []

    var isEmpty: Bool { entries.isEmpty }

    mutating func push(_ element: Element) {
        entries.append(element)
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Element.comesBefore(entries[child], entries[parent]) else { break }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Element? {
        guard let top = entries.first else { return nil }
        let last = entries.removeLast()
        if entries.isEmpty { return top }
        entries[0] = last
        var parent = 0
        while true {
            let leftChild = 2 * parent + 1
            if leftChild >= entries.count { break }
            var best = leftChild
            if leftChild + 1 < entries.count, Element.comesBefore(entries[leftChild + 1], entries[leftChild]) { best = leftChild + 1 }
            guard Element.comesBefore(entries[best], entries[parent]) else { break }
            entries.swapAt(best, parent)
            parent = best
        }
        return top
    }
}
