import Engine
import Foundation
import Testing
import Tokenizers

/// Parity with Hugging Face `transformers` (an independent GPT-2 implementation).
///
/// `Fixtures/tiny-gpt2/` is a checkpoint written by this engine (see `writeParityFixture`);
/// `Fixtures/tiny-gpt2-reference.json` holds the logits `GPT2LMHeadModel` computes for it,
/// produced by `scripts/engine-reference.py` (torch + transformers on CPU).
@Suite struct ReferenceParityTests {
    struct Reference: Decodable {
        let text: String
        let inputIDs: [Int]
        let logits: [[Float]]
        let source: String
        enum CodingKeys: String, CodingKey { case text, inputIDs = "input_ids", logits, source }
    }

    static var fixtures: URL? { Bundle.module.url(forResource: "Fixtures", withExtension: nil) }

    @Test func logitsMatchTransformers() throws {
        let fixtures = try #require(Self.fixtures)
        let reference = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: fixtures.appendingPathComponent("tiny-gpt2-reference.json")))
        let checkpoint = try Checkpoint.load(from: fixtures.appendingPathComponent("tiny-gpt2"))
        #expect(checkpoint.tokenizer.encode(reference.text) == reference.inputIDs)
        let t = reference.inputIDs.count, v = checkpoint.model.vocabularySize
        let graph = try GPT2TrainingGraph(model: checkpoint.model, batchSize: 1, sequenceLength: t)
        try graph.forward(inputs: reference.inputIDs, targets: nil)
        var worst: Float = 0
        for position in 0..<t {
            for j in 0..<v { worst = max(worst, abs(graph.logits[position * v + j] - reference.logits[position][j])) }
        }
        #expect(worst < 1e-4, "max |logit difference| \(worst)")
        // The KV-cache inference path agrees with the same reference.
        let logProbabilities = try checkpoint.model.tokenLogProbabilities(tokens: reference.inputIDs, scoredFrom: 0)
        for position in 0..<(t - 1) {
            let row = reference.logits[position].map(Double.init)
            let maximum = row.max() ?? 0
            let logSum = log(row.reduce(0) { $0 + exp($1 - maximum) }) + maximum
            #expect(abs(logProbabilities[position] - (row[reference.inputIDs[position + 1]] - logSum)) < 1e-4)
        }
    }

    /// Regenerates `Fixtures/tiny-gpt2/`: `ENGINE_WRITE_FIXTURES=<Fixtures folder> swift test --filter writeParityFixture`,
    /// then run `scripts/engine-reference.py` to recompute the reference logits.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["ENGINE_WRITE_FIXTURES"] != nil))
    func writeParityFixture() throws {
        let folder = URL(fileURLWithPath: try #require(ProcessInfo.processInfo.environment["ENGINE_WRITE_FIXTURES"]))
        let tokenizer = try ByteLevelBPETokenizer.train(corpus: checkpointCorpus, vocabularySize: 300, specialTokens: ["<|endoftext|>"])
        let configuration = GPT2Configuration(layerCount: 2, headCount: 2, width: 32, positionCount: 32, vocabularySize: 300,
                                              bosTokenID: tokenizer.endOfTextTokenID, eosTokenID: tokenizer.endOfTextTokenID)
        let model = try GPT2Model(configuration: configuration, seed: 2024)
        let tokens = checkpointCorpus.flatMap { tokenizer.encode($0) + [tokenizer.endOfTextTokenID ?? 0] }
        let trainer = try Trainer(model: model, trainingTokens: tokens, configuration: TrainerConfiguration(
            batchSize: 4, sequenceLength: 16, seed: 1,
            optimizer: OptimizerConfiguration(learningRate: 3e-2, minLearningRate: 3e-3, warmupSteps: 5, decaySteps: 60, weightDecay: 0)))
        for _ in 0..<60 { _ = try trainer.step() }
        try Checkpoint(model: model, tokenizer: tokenizer).save(to: folder.appendingPathComponent("tiny-gpt2"))
    }
}
