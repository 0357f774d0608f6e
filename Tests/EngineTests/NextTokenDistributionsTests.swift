import Engine
import Foundation
import Testing

@Suite struct NextTokenDistributionsTests {
    @Test func agreesWithContinuationScoresAndDoesNotDependOnTheBatch() throws {
        let checkpoint = try tinyCheckpoint()
        let model = checkpoint.model
        let tokenizer = checkpoint.tokenizer
        let sequences = checkpointCorpus.map { Array(tokenizer.encode($0).prefix(30)) } + [[5], []]
        let batched = try model.tokenDistributions(sequences: sequences, topCount: 5)
        #expect(batched.map(\.count) == sequences.map { max(0, $0.count - 1) })
        for (sequence, entries) in zip(sequences, batched) where sequence.count >= 2 {
            // Alone, the sequence gets the same numbers as in the batch.
            let alone = try model.tokenDistributions(of: sequence, topCount: 5)
            for (a, b) in zip(alone, entries) { #expect(abs(a.logProbability - b.logProbability) < 1e-5) }
            // The sum over a continuation is the continuation's score.
            let split = sequence.count / 2
            let score = try model.scoreContinuations(context: Array(sequence[..<split]), continuations: [Array(sequence[split...])])[0]
            let sum = entries[(split - 1)...].reduce(0) { $0 + $1.logProbability }
            #expect(abs(sum - score.logProbability) < 1e-4)
            let greedy = entries[(split - 1)...].enumerated().allSatisfy { k, entry in entry.top.first?.id == sequence[split + k] }
            #expect(greedy == score.isGreedy)
            for (k, entry) in entries.enumerated() {
                #expect(entry.top.count == 5)
                // Most likely first; the actual token, when listed, has exactly its own log-probability.
                #expect(zip(entry.top, entry.top.dropFirst()).allSatisfy { $0.logProbability >= $1.logProbability })
                if let listed = entry.top.first(where: { $0.id == sequence[k + 1] }) { #expect(listed.logProbability == entry.logProbability) }
                #expect(entry.logProbability <= entry.top[0].logProbability)
            }
        }
        // Probabilities over the whole vocabulary sum to one.
        let all = try model.tokenDistributions(of: sequences[0], topCount: model.vocabularySize)
        #expect(abs(all[0].top.reduce(0) { $0 + exp($1.logProbability) } - 1) < 1e-4)
    }

    @Test func refusesIdsOutsideTheVocabularyAndOverlongSequences() throws {
        let model = try tinyCheckpoint().model
        #expect(throws: EngineError.self) { try model.tokenDistributions(sequences: [[1, 9999]], topCount: 1) }
        #expect(throws: EngineError.self) { try model.tokenDistributions(sequences: [Array(repeating: 1, count: 33)], topCount: 1) }
        #expect(throws: EngineError.self) { try model.tokenDistributions(sequences: [[1, 2]], topCount: -1) }
    }
}
