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
    /// Log-probabilities of every token of several sequences after the first.
    ///
    /// - Parameters:
    ///   - sequences: token ids each, at most `contextLength` per sequence; empty sequences are allowed.
    ///   - topCount: alternatives to report per position (0 for none; at most `vocabularySize`).
    /// - Returns: per sequence, `max(0, count - 1)` entries; entry k is about `sequence[k + 1]`
    ///   given `sequence[0 ... k]`. A sequence's entries agree with the sequence run alone within
    ///   float rounding (1e-5), whatever the other sequences of the call: sequences sharing a
    ///   prefix run it once (`SharedPrefixes`), which changes sum orders, not values beyond that.
    func tokenDistributions(sequences: [[Int]], topCount: Int) throws -> [[TokenDistributionEntry]]
}

extension NextTokenDistributions {
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
    func validateDistributions(sequences: [[Int]], topCount: Int) throws -> Int {
        guard topCount >= 0 else { throw EngineError.invalidArgument("tokenDistributions: topCount \(topCount) is negative") }
        for (index, sequence) in sequences.enumerated() {
            try validate(sequence, what: "sequence \(index)")
            guard sequence.count <= contextLength else {
                throw EngineError.invalidArgument("sequence \(index): \(sequence.count) tokens exceed the context length \(contextLength)")
            }
        }
        return min(topCount, vocabularySize)
    }

    /// The body of every model's `tokenDistributions`: checks the call, groups the sequences by
    /// shared prefix (`SharedPrefixes.groups`) and runs each group through `group(members,
    /// prefixLength, topCount)`, the model's prefix-once-then-remainders pass. Sequences shorter
    /// than two tokens get no entries.
    func distributionsByPrefixGroup(sequences: [[Int]], topCount: Int,
                                    group: (_ members: [[Int]], _ prefixLength: Int, _ topCount: Int) -> [[TokenDistributionEntry]]) throws -> [[TokenDistributionEntry]] {
        let k = try validateDistributions(sequences: sequences, topCount: topCount)
        var results = [[TokenDistributionEntry]](repeating: [], count: sequences.count)
        for prefixGroup in SharedPrefixes.groups(sequences) {
            let members = prefixGroup.members.map { sequences[$0] }
            for (index, entries) in zip(prefixGroup.members, group(members, prefixGroup.prefixLength, k)) { results[index] = entries }
        }
        return results
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

    /// Assembles one member's entries: the prefix rows' entries (row i predicts token i + 1), then,
    /// when the member goes on past the prefix, the last prefix row's entry for its next token and
    /// its remainder's entries.
    static func memberEntries(count: Int, prefixLength p: Int, prefixRows: [TokenDistributionEntry],
                              boundary: TokenDistributionEntry?, remainder: [TokenDistributionEntry]) -> [TokenDistributionEntry] {
        var entries = Array(prefixRows.prefix(min(count, p) - 1))
        if count > p, let boundary { entries.append(boundary) }
        return entries + remainder
    }
}
