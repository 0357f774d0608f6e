import SeededRandom

/// Which docs of a dataset a run evaluates.
public enum DocSelection: Sendable, Equatable {
    case all
    /// A seeded random sample of `count` docs (kept in dataset order), so `--limit` gives the same
    /// docs for the same seed on every machine.
    case randomSample(count: Int, seed: UInt64)
    /// The first `count` docs.
    case first(count: Int)

    /// Indices into a dataset of `total` docs, ascending.
    public func indices(total: Int) -> [Int] {
        switch self {
        case .all: return Array(0..<total)
        case .first(let count): return Array(0..<min(count, total))
        case .randomSample(let count, let seed):
            guard count < total else { return Array(0..<total) }
            var generator = Xoshiro256(seed: seed)
            var indices = Array(0..<total)
            // Partial Fisher–Yates: the first `count` positions are a uniform sample.
            for i in 0..<count {
                let j = i + generator.nextInt(below: total - i)
                indices.swapAt(i, j)
            }
            return indices[0..<count].sorted()
        }
    }
}
