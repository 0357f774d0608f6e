extension GPT2Model: NextTokenDistributions {
    /// Rows (tokens) run through the blocks in one pass; longer batches are split between sequences.
    static let distributionRowsPerPass = 2048
    /// Rows whose logits (R,V) are materialised at once: 64 × 50,257 floats ≈ 13 MB.
    static let distributionLogitRowsPerChunk = 64

    /// The sequences run as attention groups of one batch (each row attends only to its own
    /// sequence, so a sequence's numbers do not depend on its neighbours), then the logits are
    /// computed in chunks of rows. The log-probability of the target token is computed exactly as
    /// `scoreContinuations` does; an alternative j at the same position gets
    /// `log p(target) + logit[j] - logit[target]`, the same normaliser.
    public func tokenDistributions(sequences: [[Int]], topCount: Int) throws -> [[TokenDistributionEntry]] {
        guard topCount >= 0 else { throw EngineError.invalidArgument("tokenDistributions: topCount \(topCount) is negative") }
        for (index, sequence) in sequences.enumerated() {
            try validate(sequence, what: "sequence \(index)")
            guard sequence.count <= contextLength else {
                throw EngineError.invalidArgument("sequence \(index): \(sequence.count) tokens exceed the context length \(contextLength)")
            }
        }
        let k = min(topCount, vocabularySize)
        var results = [[TokenDistributionEntry]](repeating: [], count: sequences.count)
        var pass: [Int] = []
        var passRows = 0
        func flush() {
            guard !pass.isEmpty else { return }
            let entries = distributions(of: pass.map { sequences[$0] }, topCount: k)
            for (index, value) in zip(pass, entries) { results[index] = value }
            pass = []
            passRows = 0
        }
        for (index, sequence) in sequences.enumerated() where sequence.count >= 2 {
            if passRows + sequence.count > Self.distributionRowsPerPass { flush() }
            pass.append(index)
            passRows += sequence.count
        }
        flush()
        return results
    }

    /// One pass over sequences of at least two tokens each, as attention groups of one batch.
    private func distributions(of sequences: [[Int]], topCount: Int) -> [[TokenDistributionEntry]] {
        let v = configuration.vocabularySize
        var tokens: [Int32] = [], positions: [Int32] = [], groups: [AttentionGroup] = []
        for sequence in sequences {
            groups.append(AttentionGroup(start: tokens.count, count: sequence.count))
            tokens += sequence.map { Int32($0) }
            positions += (0..<sequence.count).map { Int32($0) }
        }
        let largest = sequences.map(\.count).max() ?? 0
        let scratch = GPT2InferenceScratch(configuration: configuration, rows: tokens.count, largestGroup: largest, prefixLength: 0)
        runBlocks(scratch: scratch, tokens: tokens, positions: positions, groups: groups, cache: nil, prefixLength: 0, storeInCache: false)
        return zip(sequences, groups).map { sequence, group in
            // Row group.start + i predicts sequence[i + 1].
            var entries: [TokenDistributionEntry] = []
            entries.reserveCapacity(sequence.count - 1)
            var first = 0
            while first < sequence.count - 1 {
                let count = min(Self.distributionLogitRowsPerChunk, sequence.count - 1 - first)
                let rowLogits = logits(ofRows: Array((group.start + first)..<(group.start + first + count)), in: scratch.x.pointer)
                for i in 0..<count {
                    let row = UnsafePointer(rowLogits.pointer + i * v)
                    let target = sequence[first + i + 1]
                    let (logProbability, _) = LogSoftmax.logProbability(of: target, row: row, v: v)
                    let top = Self.largest(topCount, in: row, v: v).map {
                        TokenCandidate(id: $0, logProbability: logProbability + Double(row[$0]) - Double(row[target]))
                    }
                    entries.append(TokenDistributionEntry(logProbability: logProbability, top: top))
                }
                first += count
            }
            return entries
        }
    }

    /// Ids of the k largest values of row (V), largest first, ties to the lower id.
    static func largest(_ k: Int, in row: UnsafePointer<Float>, v: Int) -> [Int] {
        guard k > 0 else { return [] }
        var best: [Int] = []
        best.reserveCapacity(k + 1)
        for j in 0..<v {
            if best.count == k, row[j] <= row[best[k - 1]] { continue }
            // Insert after every id with a value >= row[j], so equal values keep id order.
            var position = best.count
            while position > 0, row[best[position - 1]] < row[j] { position -= 1 }
            best.insert(j, at: position)
            if best.count > k { best.removeLast() }
        }
        return best
    }
}
