/// One token of a sequence with its log-probability given everything before it, and the most
/// likely tokens the model would have put there instead.
public struct TokenDistributionEntry: Sendable, Equatable {
    /// log p(token | the tokens before it), natural log.
    public var logProbability: Double
    /// The `topCount` most likely tokens at this position, most likely first (ties: lower id
    /// first), each with its natural-log probability. The actual token is among them only when
    /// it is one of the most likely.
    public var top: [TokenCandidate]

    public init(logProbability: Double, top: [TokenCandidate]) {
        self.logProbability = logProbability
        self.top = top
    }
}

/// A token id and its natural-log probability at one position.
public struct TokenCandidate: Sendable, Equatable {
    public var id: Int
    public var logProbability: Double
    public init(id: Int, logProbability: Double) {
        self.id = id
        self.logProbability = logProbability
    }
}

/// Token-level access to a causal model's next-token distributions: what an OpenAI-style
/// `/v1/completions` answer with `echo` and `logprobs` needs (the log-probability of every prompt
/// token and the `top_logprobs` alternatives at each position).
///
/// This is a separate protocol, not a requirement of `CausalLanguageModel`, so a model adopts it
/// when it can (GPT-2 does, in `GPT2Model+NextTokenDistributions.swift`); a model that does not
/// is still served, but requests for prompt log-probabilities are refused with a clear error.
/// A model with logits per position implements it in a few lines: run the sequences, take the
/// log-softmax of each row, pick the target's entry and the `topCount` largest.
public protocol NextTokenDistributions: CausalLanguageModel {
    /// Log-probabilities of the tokens of several sequences.
    ///
    /// - Parameters:
    ///   - sequences: token ids each, at most `contextLength` per sequence; empty sequences are allowed.
    ///   - contextLengths: per sequence, nil: every token after the first is reported, and sequences
    ///     share whatever prefix they have in common (`SharedPrefixes.groups`); n (at least 1): the
    ///     first n tokens are a context, not reported (no output projection for its rows), and the
    ///     sequence shares a pass only with the sequences that have the same n-token context — the
    ///     structure of `scoreContinuations(context:continuations:)`, so a continuation's entries
    ///     are the local backend's numbers, bit for bit where the engine's passes are row-independent
    ///     (GGUF decoders, tested). n at or past the sequence's end reports nothing.
    ///   - topCount: alternatives to report per position (0 for none; at most `vocabularySize`).
    /// - Returns: per sequence, `max(0, count - f)` entries with f = `contextLengths[i] ?? 1`; entry j
    ///   is about `sequence[f + j]` given the tokens before it. A sequence's entries agree with the
    ///   sequence run alone within float rounding, whatever the other sequences of the call: 1e-5 for
    ///   GPT-2; for quantised GGUF models the same bits on CPUs with AVX-512 VNNI or AVX2 (the
    ///   regrouped rows) and elsewhere in passes of up to 32 rows, else up to ~1e-3 per token (a changed float
    ///   sum order in a longer pass can flip the Int16 rounding of an activation downstream: 4e-3
    ///   measured on a 10-token continuation's sum).
    func tokenDistributions(sequences: [[Int]], contextLengths: [Int?], topCount: Int) throws -> [[TokenDistributionEntry]]
}

extension NextTokenDistributions {
    /// Every token after the first: entry k is about `sequence[k + 1]` (`max(0, count - 1)` entries).
    public func tokenDistributions(sequences: [[Int]], topCount: Int) throws -> [[TokenDistributionEntry]] {
        try tokenDistributions(sequences: sequences, contextLengths: Array(repeating: nil, count: sequences.count), topCount: topCount)
    }

    /// `tokenDistributions(sequences:topCount:)` for one sequence.
    public func tokenDistributions(of tokens: [Int], topCount: Int) throws -> [TokenDistributionEntry] {
        try tokenDistributions(sequences: [tokens], topCount: topCount)[0]
    }
}

/// Sequences of one `tokenDistributions` call that begin with the same `prefixLength` tokens (the
/// shared context of a document's choices): the prefix runs once into a KV cache and each
/// member's remainder runs on top of it, as `scoreContinuations` runs a context and its continuations.
struct SharedPrefixGroup: Equatable {
    /// Tokens every member starts with (at least 1; a member may be the prefix itself).
    var prefixLength: Int
    /// Indices into the call's sequences, ascending.
    var members: [Int]
}

extension NextTokenDistributions {
    /// The checks every model's `tokenDistributions` makes: ids in the vocabulary, sequences within
    /// the context, `topCount` not negative. Returns `topCount` capped at the vocabulary size.
    func validateDistributions(sequences: [[Int]], contextLengths: [Int?], topCount: Int) throws -> Int {
        guard topCount >= 0 else { throw EngineError.invalidArgument("tokenDistributions: topCount \(topCount) is negative") }
        guard contextLengths.count == sequences.count else {
            throw EngineError.invalidArgument("tokenDistributions: \(contextLengths.count) context lengths for \(sequences.count) sequences")
        }
        for (index, sequence) in sequences.enumerated() {
            if let n = contextLengths[index], n < 1 {
                throw EngineError.invalidArgument("sequence \(index): context length \(n) is below 1 (token 0 has nothing before it)")
            }
            try validate(sequence, what: "sequence \(index)")
            guard sequence.count <= contextLength else {
                throw EngineError.invalidArgument("sequence \(index): \(sequence.count) tokens exceed the context length \(contextLength)")
            }
        }
        return min(topCount, vocabularySize)
    }

    /// The body of every model's `tokenDistributions`: checks the call, groups the sequences
    /// (`SharedPrefixes.groups` for those without a context length, by identical context for the
    /// others) and runs each group through `group(plan, topCount)`, the model's
    /// prefix-once-then-remainders pass. Sequences shorter than two tokens, or with nothing to
    /// report, get no entries (and run nothing).
    func distributionsByPrefixGroup(sequences: [[Int]], contextLengths: [Int?], topCount: Int,
                                    group: (_ plan: SharedPrefixPlan, _ topCount: Int) -> [[TokenDistributionEntry]]) throws -> [[TokenDistributionEntry]] {
        let k = try validateDistributions(sequences: sequences, contextLengths: contextLengths, topCount: topCount)
        let firstScored = contextLengths.map { $0 ?? 1 }
        var results = [[TokenDistributionEntry]](repeating: [], count: sequences.count)
        let free = sequences.indices.map { contextLengths[$0] == nil ? sequences[$0] : [] }
        var groups = SharedPrefixes.groups(free)
        groups += SharedPrefixes.contextGroups(sequences, contextLengths: contextLengths)
        for prefixGroup in groups {
            let plan = SharedPrefixPlan(members: prefixGroup.members.map { sequences[$0] }, firstScored: prefixGroup.members.map { firstScored[$0] },
                                        prefixLength: prefixGroup.prefixLength)
            for (index, entries) in zip(prefixGroup.members, group(plan, k)) { results[index] = entries }
        }
        return results
    }
}

/// The rows of one prefix group whose logits are needed, given where each member's scoring starts.
///
/// The prefix (p tokens, shared by every member) runs once; hidden row k of the prefix predicts
/// `prefix[k + 1]` for k < p - 1, and row p - 1 (the boundary) predicts each longer member's token p.
/// A member's remainder (its tokens p ..< count - 1) runs on top; remainder row j predicts
/// `member[p + 1 + j]`. A member scored from token f needs the rows predicting tokens f ..< count.
struct SharedPrefixPlan {
    var members: [[Int]]
    var firstScored: [Int]
    /// p: tokens every member starts with.
    var prefixLength: Int

    var prefix: ArraySlice<Int> { members[0][..<prefixLength] }
    /// Members with tokens past the prefix.
    var hasLonger: Bool { members.contains { $0.count > prefixLength } }
    /// First prefix row (k < p - 1) whose entry some member needs; p - 1 when none is.
    var prefixRowsFrom: Int { min(prefixLength - 1, max(0, (firstScored.min() ?? 1) - 1)) }
    /// Prefix rows to keep for the projection: `prefixRowsFrom` ..< p - 1, and the boundary row p - 1
    /// when a member needs its token p.
    var collectedPrefixRows: Range<Int> {
        prefixRowsFrom..<(boundaryMembers.isEmpty ? prefixLength - 1 : prefixLength)
    }
    /// Members whose token p (past the prefix) is reported: the boundary row's targets, in member order.
    var boundaryMembers: [Int] {
        members.indices.filter { members[$0].count > prefixLength && firstScored[$0] <= prefixLength }
    }
    /// Targets of the collected prefix rows: one per row below p - 1, each boundary member's token p at row p - 1.
    var prefixRowTargets: [[Int]] {
        collectedPrefixRows.map { k in k < prefixLength - 1 ? [members[0][k + 1]] : boundaryMembers.map { members[$0][prefixLength] } }
    }
    /// The member's remainder inputs past the prefix (its last token is never an input).
    func remainderInputs(_ member: Int) -> [Int] {
        let tokens = members[member]
        return tokens.count > prefixLength + 1 ? Array(tokens[prefixLength..<(tokens.count - 1)]) : []
    }
    /// First remainder row whose entry the member needs.
    func remainderRowsFrom(_ member: Int) -> Int { max(0, firstScored[member] - prefixLength - 1) }
    /// Targets of the member's needed remainder rows.
    func remainderTargets(_ member: Int) -> [Int] {
        let tokens = members[member]
        let first = prefixLength + 1 + remainderRowsFrom(member)
        return first < tokens.count ? Array(tokens[first...]) : []
    }

    /// Each member's entries from the projected rows: `prefixRows[i]` are collected prefix row
    /// `prefixRowsFrom + i`'s entries (one per target), `remainders[m]` member m's needed remainder rows'.
    func memberEntries(prefixRows: [[TokenDistributionEntry]], remainders: [[TokenDistributionEntry]]) -> [[TokenDistributionEntry]] {
        let p = prefixLength, from = prefixRowsFrom
        var boundary = 0
        return members.indices.map { m in
            let count = members[m].count, f = firstScored[m]
            var entries: [TokenDistributionEntry] = []
            // Tokens f ..< min(count, p): prefix rows f - 1 ..< min(count, p) - 1.
            if f < min(count, p) { entries += prefixRows[(f - 1 - from)..<(min(count, p) - 1 - from)].map { $0[0] } }
            if count > p, f <= p {
                entries.append(prefixRows[p - 1 - from][boundary])
                boundary += 1
            }
            return entries + remainders[m]
        }
    }
}

enum SharedPrefixes {
    /// Groups the sequences of at least two tokens by shared prefix. Sequences are taken in
    /// lexicographic order (those with a common prefix are then adjacent); a sequence joins the
    /// group before it when it shares at least half of that group's prefix (and at least one
    /// token), which keeps one long shared context from being cut down by an unrelated sequence
    /// that only happens to start with the same token. Shorter sequences are in no group.
    static func groups(_ sequences: [[Int]]) -> [SharedPrefixGroup] {
        let order = sequences.indices.filter { sequences[$0].count >= 2 }.sorted { a, b in
            sequences[a].lexicographicallyPrecedes(sequences[b]) || (sequences[a] == sequences[b] && a < b)
        }
        var groups: [SharedPrefixGroup] = []
        for index in order {
            let sequence = sequences[index]
            if var last = groups.last {
                let representative = sequences[last.members[0]]
                var shared = 0
                while shared < last.prefixLength, shared < sequence.count, representative[shared] == sequence[shared] { shared += 1 }
                // A group of one has its whole sequence as its prefix; count its half from there.
                if shared >= 1, 2 * shared >= last.prefixLength {
                    last.prefixLength = shared
                    last.members.append(index)
                    groups[groups.count - 1] = last
                    continue
                }
            }
            groups.append(SharedPrefixGroup(prefixLength: sequence.count, members: [index]))
        }
        return groups.map { SharedPrefixGroup(prefixLength: $0.prefixLength, members: $0.members.sorted()) }
    }

    /// The sequences with a context length n that have something to report (n < count), grouped
    /// by identical context: each group's prefix is its context, as `scoreContinuations` runs a
    /// context and its continuations.
    static func contextGroups(_ sequences: [[Int]], contextLengths: [Int?]) -> [SharedPrefixGroup] {
        var groups: [[Int]: Int] = [:]
        var result: [SharedPrefixGroup] = []
        for (index, sequence) in sequences.enumerated() {
            guard let n = contextLengths[index], n < sequence.count else { continue }
            let context = Array(sequence[..<n])
            if let g = groups[context] {
                result[g].members.append(index)
            } else {
                groups[context] = result.count
                result.append(SharedPrefixGroup(prefixLength: n, members: [index]))
            }
        }
        return result
    }

    /// One distribution entry: log p(target) under softmax(row) computed as `scoreContinuations`
    /// does, and the `topCount` largest logits, each an alternative with
    /// `log p(target) + logit[j] - logit[target]` (the same normaliser).
    static func entry(target: Int, row: UnsafePointer<Float>, v: Int, topCount: Int) -> TokenDistributionEntry {
        let (logProbability, _) = LogSoftmax.logProbability(of: target, row: row, v: v)
        let top = largest(topCount, in: row, v: v).map {
            TokenCandidate(id: $0, logProbability: logProbability + (Double(row[$0]) - Double(row[target])))
        }
        return TokenDistributionEntry(logProbability: logProbability, top: top)
    }

    /// Ids of the k largest values of row (V), largest first, ties to the lower id. One pass with
    /// an insertion list for the usual small k (a few compares per id); a full sort for large k.
    static func largest(_ k: Int, in row: UnsafePointer<Float>, v: Int) -> [Int] {
        guard k > 0 else { return [] }
        if k > 64 {
            return Array((0..<v).sorted { row[$0] > row[$1] || (row[$0] == row[$1] && $0 < $1) }.prefix(k))
        }
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
