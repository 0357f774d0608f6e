extension DecoderModel: NextTokenDistributions {
    /// As GPT-2's: sequences sharing a prefix (`SharedPrefixes.groups`) run it once into a KV
    /// cache, then each remainder on top of it (`runBranches`, as `scoreContinuations` runs
    /// continuations). A sequence alone (a group of one) runs exactly as `tokenLogProbabilities` runs
    /// it; a group with a context runs as `scoreContinuations` runs it (the same passes, the same bits).
    ///
    /// The output projection (V = 262,144 for Gemma 3, 1 MB of logits per row) is computed only for
    /// the rows that predict a reported token (after the context, when one is given), in the chunks
    /// `logProbabilities` uses (`logitsChunkRows` rows counted from each group's first row, several
    /// chunks per pass over the output matrix), and the top `topCount` ids are picked in one scan of
    /// each row.
    public func tokenDistributions(sequences: [[Int]], contextLengths: [Int?], topCount: Int) throws -> [[TokenDistributionEntry]] {
        try distributionsByPrefixGroup(sequences: sequences, contextLengths: contextLengths, topCount: topCount) { distributions($0, topCount: $1) }
    }

    /// One prefix group: the prefix once into a KV cache (keeping the hidden rows the plan needs),
    /// the members' remainders on top of it in branch passes, then one projection of the needed rows.
    private func distributions(_ plan: SharedPrefixPlan, topCount: Int) -> [[TokenDistributionEntry]] {
        let p = plan.prefixLength, c = configuration.width
        // Row p - 1 of the prefix (predicting the token after it) runs only when a member goes on;
        // remainders overwrite each other's cache rows past the prefix, which no later run reads.
        let inputs = plan.hasLonger ? Array(plan.prefix) : Array(plan.prefix.dropLast())
        let longest = plan.members.map(\.count).max() ?? p
        let cache = DecoderKVCache(configuration: configuration, capacity: max(inputs.count, longest - 1))
        var groups: [(hidden: FloatBuffer, targets: [[Int]])] = []
        groups.append((run(tokens: inputs, start: 0, cache: cache, collect: Array(plan.collectedPrefixRows)), plan.prefixRowTargets))
        let remainders = runBranches(plan.members.indices.map { plan.remainderInputs($0) }, start: p, cache: cache).branches
        var remainderGroup: [Int?] = []
        for (m, hidden) in remainders.enumerated() {
            let targets = plan.remainderTargets(m)
            guard !targets.isEmpty else { remainderGroup.append(nil); continue }
            // Only the rows predicting reported tokens go to the projection.
            let from = plan.remainderRowsFrom(m)
            let kept = from == 0 ? hidden : FloatBuffer(count: targets.count * c)
            if from > 0 { kept.pointer.update(from: hidden.pointer + from * c, count: targets.count * c) }
            remainderGroup.append(groups.count)
            groups.append((kept, targets.map { [$0] }))
        }
        let entries = distributionEntries(groups, topCount: topCount)
        return plan.memberEntries(prefixRows: entries[0], remainders: remainderGroup.map { $0.map { entries[$0].map { $0[0] } } ?? [] })
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
