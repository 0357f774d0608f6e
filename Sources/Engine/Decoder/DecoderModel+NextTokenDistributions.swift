extension DecoderModel: NextTokenDistributions {
    /// As GPT-2's: sequences sharing a prefix (`SharedPrefixes.groups`) run it once into a KV
    /// cache, then each remainder on top of it (`runBranches`, as `scoreContinuations` runs
    /// continuations). A sequence alone (a group of one) runs exactly as `tokenLogProbabilities` runs it.
    ///
    /// The output projection (V = 262,144 for Gemma 3, 1 MB of logits per row) is computed only for
    /// the rows that predict a token, in the chunks `logProbabilities` uses (`logitsChunkRows` rows
    /// counted from each group's first row, several chunks per pass over the output matrix), and
    /// the top `topCount` ids are picked in one scan of each row.
    public func tokenDistributions(sequences: [[Int]], topCount: Int) throws -> [[TokenDistributionEntry]] {
        try distributionsByPrefixGroup(sequences: sequences, topCount: topCount) { distributions(of: $0, prefixLength: $1, topCount: $2) }
    }

    /// One prefix group: members of at least two tokens each, all starting with the same p tokens.
    private func distributions(of members: [[Int]], prefixLength p: Int, topCount: Int) -> [[TokenDistributionEntry]] {
        let prefix = Array(members[0][..<p])
        let longer = members.filter { $0.count > p }
        let longest = members.map(\.count).max() ?? p
        // Row p - 1 of the prefix (predicting the token after it) runs only when a member goes on;
        // remainders overwrite each other's cache rows past the prefix, which no later run reads.
        let inputs = longer.isEmpty ? Array(prefix.dropLast()) : prefix
        let cache = DecoderKVCache(configuration: configuration, capacity: max(inputs.count, longest - 1))
        var groups: [(hidden: FloatBuffer, targets: [[Int]])] = []
        groups.append((run(tokens: inputs, start: 0, cache: cache, collect: Array(inputs.indices)),
                       (0..<(p - 1)).map { [prefix[$0 + 1]] } + (longer.isEmpty ? [] : [longer.map { $0[p] }])))
        // Each member's remainder past the prefix (its last token is never an input).
        let remainders = runBranches(members.map { $0.count > p + 1 ? Array($0[p..<($0.count - 1)]) : [] }, start: p, cache: cache).branches
        var remainderGroup: [Int?] = []
        for (member, hidden) in zip(members, remainders) {
            guard member.count > p + 1 else { remainderGroup.append(nil); continue }
            remainderGroup.append(groups.count)
            groups.append((hidden, member[(p + 1)...].map { [$0] }))
        }
        let entries = distributionEntries(groups, topCount: topCount)
        var boundary = longer.isEmpty ? [] : entries[0][p - 1]
        return members.enumerated().map { i, member in
            let next = member.count > p ? boundary.removeFirst() : nil
            return SharedPrefixes.memberEntries(count: member.count, prefixLength: p, prefixRows: entries[0].map { $0[0] }, boundary: next,
                                                remainder: remainderGroup[i].map { entries[$0].map { $0[0] } } ?? [])
        }
    }

    /// Entries for each row of each group: group g's hidden rows (R_g, C), row i with one entry per
    /// target in targets[i], from `projectLogits` (so a group's values do not depend on the other groups).
    private func distributionEntries(_ groups: [(hidden: FloatBuffer, targets: [[Int]])], topCount: Int) -> [[[TokenDistributionEntry]]] {
        let v = configuration.vocabularySize
        var results = groups.map { [[TokenDistributionEntry]](repeating: [], count: $0.targets.count) }
        projectLogits(groups.map { ($0.hidden, $0.targets.count) }) { g, i, row in
            results[g][i] = groups[g].targets[i].map { SharedPrefixes.entry(target: $0, row: row, v: v, topCount: topCount) }
        }
        return results
    }
}
