import Engine
import Foundation
import Testing

/// `tokenDistributions` runs a prefix shared by several sequences (a document's choices in one
/// prompt list) once into a KV cache and each remainder on top of it. These tests check that the
/// shared path gives every sequence the numbers it gets alone, whatever else is in the call.
@Suite struct SharedPrefixDistributionsTests {
    /// Sequences made to share prefixes in every way the grouping meets: a document's choices, a
    /// choice that is the shared context itself, a duplicate, a sequence that is a prefix of another,
    /// an unrelated sequence starting with the same token, and short ones.
    static func sequences(_ encode: (String) -> [Int], limit: Int) -> [[Int]] {
        let context = Array(encode("The cat sat on the mat and looked at the garden where").prefix(limit / 2))
        let choices = [" the dog ran", " a bird sang softly", " nothing", " the dog"].map { Array((context + encode($0)).prefix(limit)) }
        let unrelated = Array(([context[0]] + encode(" quick brown fox jumps over")).prefix(limit))
        return choices + [context, choices[1], unrelated, [context[0]], [], Array(context.prefix(2))]
    }

    static func expectClose(_ a: [TokenDistributionEntry], _ b: [TokenDistributionEntry], _ what: String) {
        #expect(a.count == b.count, "\(what): entry counts")
        for (x, y) in zip(a, b) {
            #expect(abs(x.logProbability - y.logProbability) < 1e-5, "\(what): \(x.logProbability) vs \(y.logProbability)")
            #expect(x.top.count == y.top.count)
            for (u, w) in zip(x.top, y.top) { #expect(abs(u.logProbability - w.logProbability) < 1e-5, "\(what): top") }
        }
    }

    @Test func gpt2SharedPrefixesAgreeWithEachSequenceAloneAndWithTokenLogProbabilities() throws {
        let checkpoint = try tinyCheckpoint()
        let model = checkpoint.model
        let sequences = Self.sequences({ checkpoint.tokenizer.encode($0) }, limit: model.contextLength)
        let batched = try model.tokenDistributions(sequences: sequences, topCount: 4)
        #expect(batched.map(\.count) == sequences.map { max(0, $0.count - 1) })
        // Reversed order and a batch with only some of them: the same numbers.
        let reversed = try model.tokenDistributions(sequences: sequences.reversed(), topCount: 4).reversed()
        let pair = try model.tokenDistributions(sequences: [sequences[2], sequences[0]], topCount: 4)
        for (i, sequence) in sequences.enumerated() where sequence.count >= 2 {
            let alone = try model.tokenDistributions(of: sequence, topCount: 4)
            Self.expectClose(batched[i], alone, "sequence \(i) in the batch vs alone")
            Self.expectClose(Array(reversed)[i], alone, "sequence \(i) in the reversed batch vs alone")
            let rolling = try model.tokenLogProbabilities(tokens: sequence, scoredFrom: 0)
            for (entry, value) in zip(batched[i], rolling) { #expect(abs(entry.logProbability - value) < 1e-5) }
            // The top alternatives are the same ids wherever the sequence ran.
            #expect(batched[i].map { $0.top.map(\.id) } == alone.map { $0.top.map(\.id) })
        }
        Self.expectClose(pair[0], batched[2], "choice 2 beside choice 0 only")
        Self.expectClose(pair[1], batched[0], "choice 0 beside choice 2 only")
        // The duplicate gets its twin's numbers.
        #expect(batched[1] == batched[5])
        try Self.expectFirstScoredKeepsTheTail(model, sequences, full: batched, topCount: 4, exact: false)
    }

    /// With a context length n (before, at and past the shared prefix, inside a remainder, past the
    /// end), a sequence's entries are the full call's from token n on; a context length below 1, or
    /// a count other than the sequences', is an error.
    static func expectFirstScoredKeepsTheTail(_ model: some NextTokenDistributions, _ sequences: [[Int]], full: [[TokenDistributionEntry]],
                                              topCount: Int, exact: Bool) throws {
        let contextLength = sequences.map(\.count).filter { $0 > 0 }.min() ?? 1
        for shift in [-2, -1, 0, 1, 3] {
            let contexts: [Int?] = sequences.indices.map { max(1, contextLength + shift + ($0 % 3)) }
            let partial = try model.tokenDistributions(sequences: sequences, contextLengths: contexts, topCount: topCount)
            for (i, sequence) in sequences.enumerated() {
                let first = contexts[i] ?? 1
                let tail = Array(full[i].dropFirst(first - 1))
                #expect(partial[i].count == max(0, sequence.count - first), "sequence \(i) after a context of \(first)")
                if exact {
                    #expect(partial[i] == tail, "sequence \(i) after a context of \(first)")
                } else {
                    expectClose(partial[i], tail, "sequence \(i) after a context of \(first)")
                    #expect(partial[i].map { $0.top.map(\.id) } == tail.map { $0.top.map(\.id) })
                }
            }
        }
        #expect(throws: EngineError.self) { try model.tokenDistributions(sequences: [[1, 2, 3]], contextLengths: [0], topCount: 1) }
        #expect(throws: EngineError.self) { try model.tokenDistributions(sequences: [[1, 2, 3]], contextLengths: [1, 1], topCount: 1) }
    }

    @Test(.enabled(if: Gemma3ReferenceTests.modelPresent, "the Gemma 3 270M GGUF is not in the cache (run scripts/fetch-models)"))
    func gemmaEntriesAgreeWithTokenLogProbabilities() throws {
        let model = try Gemma3ReferenceTests.sharedModel.get()
        let cases = try Gemma3ReferenceTests.reference().cases
        // A context of 12 ids with three continuations taken from the other reference cases.
        let context = Array(cases[1].ids.prefix(12))
        let sequences = [context + cases[0].ids.suffix(4), context + cases[3].ids.suffix(3), context, Array(cases[2].ids.prefix(10))]
        let batched = try model.tokenDistributions(sequences: sequences, topCount: 3)
        #expect(batched.map(\.count) == sequences.map { $0.count - 1 })
        for (i, sequence) in sequences.enumerated() {
            let rolling = try model.tokenLogProbabilities(tokens: sequence, scoredFrom: 0)
            let alone = try model.tokenDistributions(of: sequence, topCount: 3)
            // Alone, a sequence runs exactly as tokenLogProbabilities runs it.
            #expect(alone.map(\.logProbability) == rolling, "sequence \(i) alone vs tokenLogProbabilities")
            // Shared prefix or not, the same bits: every pass here is at most 32 rows, where the
            // products and attention compute each row on its own.
            for (entry, value) in zip(batched[i], rolling) { #expect(entry.logProbability == value, "sequence \(i): \(entry.logProbability) vs \(value)") }
            for (k, entry) in batched[i].enumerated() {
                #expect(entry.top.count == 3)
                #expect(zip(entry.top, entry.top.dropFirst()).allSatisfy { $0.logProbability >= $1.logProbability })
                #expect(entry.logProbability <= entry.top[0].logProbability + 1e-9)
                if let listed = entry.top.first(where: { $0.id == sequence[k + 1] }) { #expect(listed.logProbability == entry.logProbability) }
            }
        }
        #expect(throws: EngineError.self) { try model.tokenDistributions(sequences: [[1, model.vocabularySize]], topCount: 1) }
        // From a later token on, the same bits as the full call's tail.
        try Self.expectFirstScoredKeepsTheTail(model, sequences, full: batched, topCount: 3, exact: true)
    }

    /// A context longer than one row-independent pass (more than 32 tokens) and four continuations
    /// that all start with the same token: with the context's length given, the continuations'
    /// entries sum to `scoreContinuations`' scores bit for bit (the same passes: the context alone,
    /// then the continuations). Without it, the shared prefix takes in the common first token and
    /// the context runs in a different pass shape, which may move the last digits.
    @Test(.enabled(if: Gemma3ReferenceTests.modelPresent, "the Gemma 3 270M GGUF is not in the cache (run scripts/fetch-models)"))
    func gemmaContextGroupsReproduceScoreContinuations() throws {
        let model = try Gemma3ReferenceTests.sharedModel.get()
        let cases = try Gemma3ReferenceTests.reference().cases
        let context = Array(cases.flatMap(\.ids).prefix(45))
        let common = cases[2].ids[3]
        let continuations = [cases[0].ids.suffix(5), cases[3].ids.suffix(3), cases[1].ids.suffix(1), cases[4].ids.suffix(7)].map { [common] + $0 }
        let expected = try model.scoreContinuations(context: context, continuations: continuations)
        let sequences = continuations.map { context + $0 }
        let entries = try model.tokenDistributions(sequences: sequences, contextLengths: Array(repeating: context.count, count: sequences.count), topCount: 1)
        for (c, continuation) in continuations.enumerated() {
            #expect(entries[c].count == continuation.count)
            #expect(entries[c].reduce(0) { $0 + $1.logProbability } == expected[c].logProbability, "continuation \(c)")
            #expect(entries[c].allSatisfy { $0.top[0].logProbability <= $0.logProbability } == expected[c].isGreedy, "continuation \(c) greedy")
        }
        // With the integer matrix product (AVX-512 VNNI) a long pass computes each row as alone too, so
        // the free prefix sharing (a 46-token prefix: the context and the common first token) and each
        // whole sequence alone give the same bits as well.
        guard PackedMatrix.servesEveryRowCount(.q4_K) else { return }
        let shared = try model.tokenDistributions(sequences: sequences, topCount: 1)
        for (c, continuation) in continuations.enumerated() {
            let free = shared[c].suffix(continuation.count).reduce(0) { $0 + $1.logProbability }
            #expect(free == expected[c].logProbability, "continuation \(c), free prefix sharing")
            let alone = try model.tokenLogProbabilities(tokens: sequences[c], scoredFrom: context.count - 1).reduce(0, +)
            #expect(alone == expected[c].logProbability, "continuation \(c), the whole sequence in one pass")
        }
    }
}
