extension GPT2Model: NextTokenDistributions {
    /// Rows whose logits (R,V) are materialised at once: 64 × 50,257 floats ≈ 13 MB.
    static let distributionLogitRowsPerChunk = 64

    /// Sequences that share a prefix (`SharedPrefixes.groups`: the context of a document's choices)
    /// run it once into a KV cache, then each remainder on top of it, one remainder per pass — the
    /// `runPrefix` / `runOnPrefix` path of `scoreContinuations`. A sequence's entries therefore
    /// agree with running it alone within float rounding (≤ 1e-5, tested), not bit for bit: which
    /// prefix it shares depends on the other sequences of the call, and a row's sum order depends
    /// on the batch shape it runs in.
    public func tokenDistributions(sequences: [[Int]], contextLengths: [Int?], topCount: Int) throws -> [[TokenDistributionEntry]] {
        try distributionsByPrefixGroup(sequences: sequences, contextLengths: contextLengths, topCount: topCount) { distributions($0, topCount: $1) }
    }

    /// One prefix group: the prefix once, each member's remainder on top of it, logits only for the
    /// rows the plan needs.
    private func distributions(_ plan: SharedPrefixPlan, topCount: Int) -> [[TokenDistributionEntry]] {
        let p = plan.prefixLength
        // Row p - 1 of the prefix (predicting the token after it) runs only when a member goes on.
        let (cache, scratch) = runPrefix(plan.hasLonger ? Array(plan.prefix) : Array(plan.prefix.dropLast()))
        let prefixRows = entries(rowTargets: plan.prefixRowTargets, firstRow: plan.prefixRowsFrom, hidden: scratch.x.pointer, topCount: topCount)
        let remainders = plan.members.indices.map { m in
            let targets = plan.remainderTargets(m)
            guard !targets.isEmpty else { return [TokenDistributionEntry]() }
            let rest = runOnPrefix(plan.remainderInputs(m), cache: cache, prefixLength: p)
            return entries(rowTargets: targets.map { [$0] }, firstRow: plan.remainderRowsFrom(m), hidden: rest.x.pointer, topCount: topCount).map { $0[0] }
        }
        return plan.memberEntries(prefixRows: prefixRows, remainders: remainders)
    }

    /// Entries of hidden rows firstRow ..< firstRow + R of `hidden` (·,C): row firstRow + i gets one
    /// entry per target in rowTargets[i]. Logits in chunks of `distributionLogitRowsPerChunk` rows.
    private func entries(rowTargets: [[Int]], firstRow: Int, hidden: UnsafePointer<Float>, topCount: Int) -> [[TokenDistributionEntry]] {
        let v = configuration.vocabularySize
        var result: [[TokenDistributionEntry]] = []
        result.reserveCapacity(rowTargets.count)
        for first in stride(from: 0, to: rowTargets.count, by: Self.distributionLogitRowsPerChunk) {
            let count = min(Self.distributionLogitRowsPerChunk, rowTargets.count - first)
            let rowLogits = logits(ofRows: Array((firstRow + first)..<(firstRow + first + count)), in: hidden)
            for i in 0..<count {
                let row = UnsafePointer(rowLogits.pointer + i * v)
                result.append(rowTargets[first + i].map { SharedPrefixes.entry(target: $0, row: row, v: v, topCount: topCount) })
            }
        }
        return result
    }
}
