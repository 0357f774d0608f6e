extension Position {
    /// Counts the leaf nodes of the legal move tree `depth` plies deep (perft), the standard
    /// check of a move generator against published numbers. Uses bulk counting: at depth 1 it
    /// returns the number of legal moves without playing them, which is sound because the
    /// generator is fully legal.
    /// - Parameter depth: plies; 0 gives 1.
    public func perft(_ depth: Int) -> UInt64 {
        guard depth > 0 else { return 1 }
        var buffers = [[Move]](repeating: [], count: depth)
        for index in buffers.indices { buffers[index].reserveCapacity(64) }
        return perftRecursive(depth, &buffers)
    }

    private func perftRecursive(_ depth: Int, _ buffers: inout [[Move]]) -> UInt64 {
        // Take the buffer out (swap) so it is uniquely referenced and reused without copying.
        var moves: [Move] = []
        swap(&moves, &buffers[depth - 1])
        moves.removeAll(keepingCapacity: true)
        generateLegalMoves(into: &moves)
        if depth == 1 {
            let count = moves.count
            swap(&moves, &buffers[0])
            return UInt64(count)
        }
        var nodes: UInt64 = 0
        for move in moves {
            var child = self
            child.make(move)
            nodes &+= child.perftRecursive(depth - 1, &buffers)
        }
        swap(&moves, &buffers[depth - 1])  // hand the storage back for reuse at this depth
        return nodes
    }

    /// Perft split by first move: for each legal move (UCI text), the perft count of `depth - 1`
    /// after it. Summing the counts gives `perft(depth)`. Sorted by UCI text, as engines print it.
    public func divide(_ depth: Int) -> [(move: String, nodes: UInt64)] {
        guard depth > 0 else { return [] }
        return legalMoves()
            .map { (move: $0.uci, nodes: making($0).perft(depth - 1)) }
            .sorted { $0.move < $1.move }
    }
}
