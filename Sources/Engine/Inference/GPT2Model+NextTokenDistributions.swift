extension GPT2Model: NextTokenDistributions {
    /// Rows whose logits (R,V) are materialised at once: 64 × 50,257 floats ≈ 13 MB.
    static let distributionLogitRowsPerChunk = 64

    /// Sequences that share a prefix (`SharedPrefixes.groups`: the context of a document's choices)
    /// run it once into a KV cache, then each remainder on top of it, one remainder per pass — the
    /// `runPrefix` / `runOnPrefix` path of `scoreContinuations`. A sequence's entries therefore
    /// agree with running it alone within float rounding (≤ 1e-5, tested), not bit for bit: which
    /// prefix it shares depends on the other sequences of the call, and a row's sum order depends
    /// on the batch shape it runs in.
    public func tokenDistributions(sequences: [[Int]], topCount: Int) throws -> [[TokenDistributionEntry]] {
        try distributionsByPrefixGroup(sequences: sequences, topCount: topCount) { distributions(of: $0, prefixLength: $1, topCount: $2) }
    }

    /// One prefix group: members of at least two tokens each, all starting with the same p tokens.
    private func distributions(of members: [[Int]], prefixLength p: Int, topCount: Int) -> [[TokenDistributionEntry]] {
        let prefix = Array(members[0][..<p])
        // Row p - 1 of the prefix (predicting the token after it) runs only when a member goes on.
        let longer = members.filter { $0.count > p }
        let (cache, scratch) = runPrefix(longer.isEmpty ? Array(prefix.dropLast()) : prefix)
        let rowTargets = (0..<(p - 1)).map { [prefix[$0 + 1]] } + (longer.isEmpty ? [] : [longer.map { $0[p] }])
        let prefixRows = entries(rowTargets: rowTargets, hidden: scratch.x.pointer, topCount: topCount)
        var boundary = longer.isEmpty ? [] : prefixRows[p - 1]
        return members.map { member in
            let n = member.count
            var remainder: [TokenDistributionEntry] = []
            if n > p + 1 {
                // The member's last token is never an input.
                let rest = runOnPrefix(Array(member[p..<(n - 1)]), cache: cache, prefixLength: p)
                remainder = entries(rowTargets: member[(p + 1)...].map { [$0] }, hidden: rest.x.pointer, topCount: topCount).map { $0[0] }
            }
            let next = n > p ? boundary.removeFirst() : nil
            return SharedPrefixes.memberEntries(count: n, prefixLength: p, prefixRows: prefixRows.map { $0[0] }, boundary: next, remainder: remainder)
        }
    }

    /// Entries of hidden rows 0..<R of `hidden` (R,C): row i gets one entry per target in
    /// rowTargets[i]. Logits in chunks of `distributionLogitRowsPerChunk` rows counted from row 0.
    private func entries(rowTargets: [[Int]], hidden: UnsafePointer<Float>, topCount: Int) -> [[TokenDistributionEntry]] {
        let v = configuration.vocabularySize
        var result: [[TokenDistributionEntry]] = []
        result.reserveCapacity(rowTargets.count)
        for first in stride(from: 0, to: rowTargets.count, by: Self.distributionLogitRowsPerChunk) {
            let count = min(Self.distributionLogitRowsPerChunk, rowTargets.count - first)
            let rowLogits = logits(ofRows: Array(first..<(first + count)), in: hidden)
            for i in 0..<count {
                let row = UnsafePointer(rowLogits.pointer + i * v)
                result.append(rowTargets[first + i].map { SharedPrefixes.entry(target: $0, row: row, v: v, topCount: topCount) })
            }
        }
        return result
    }
}
