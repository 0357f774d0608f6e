import Backends
import Engine
import EvalCore
import Foundation
import Testing

/// The demo's promise in miniature: train a tiny model, evaluate its checkpoints with the harness,
/// and see held-out scores improve with steps.
@Suite struct TrainingTrendTests {
    /// A small seeded grammar: learnable in a few dozen steps, never exactly repeated.
    static func sentences(count: Int, seed: UInt64) -> [String] {
        var state = seed
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        let subjects = ["the king", "a fool", "my lord", "the queen", "good sir"]
        let verbs = ["speaks of", "dreams of", "weeps for", "laughs at", "sings to"]
        let objects = ["the sea", "his daughter", "the storm", "a ring", "the island"]
        return (0..<count).map { _ in
            "\(subjects[next(5)]) \(verbs[next(5)]) \(objects[next(5)])."
        }
    }

    @Test func heldOutBitsPerByteFallAcrossCheckpoints() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("evalkit-trend-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("corpus"), withIntermediateDirectories: true)
        try Self.sentences(count: 3000, seed: 1).joined(separator: "\n")
            .write(to: folder.appendingPathComponent("corpus/train.txt"), atomically: true, encoding: .utf8)
        var configuration = TrainingConfiguration(corpus: ["corpus"])
        configuration.name = "trend"
        configuration.tokenizer = .train(vocabularySize: 300)
        configuration.layerCount = 1
        configuration.headCount = 2
        configuration.width = 32
        configuration.contextLength = 32
        configuration.batchSize = 4
        configuration.steps = 60
        configuration.learningRate = 0.01
        configuration.minLearningRate = 0.001
        configuration.warmupSteps = 5
        configuration.validationInterval = 0
        configuration.checkpointInterval = 20
        try TrainingRun(configuration: configuration, baseFolder: folder).run()

        let docs: [Doc] = Self.sentences(count: 40, seed: 99).map { ["text": .string($0)] }
        let task = TaskSpec(
            name: "grammar_ppl", kind: .perplexity, description: nil, version: "1", file: "inline",
            dataset: DatasetSpec(source: .inline(docs), limit: nil), fields: [], prompt: nil, choices: nil,
            choiceLabels: nil, target: nil, targetDelimiter: " ", unconditionalPrompt: "Answer:", text: nil,
            fewshot: FewShotSpec(), generation: GenerationSpec(), filters: [.identity],
            metrics: [MetricSpec(name: "bits_per_byte", options: [:], key: "bits_per_byte")],
            resolvedConfig: .null, contentHash: "test")
        let prepared = try EvaluationRunner.prepare([(task, 1)], options: RunOptions(quiet: true))
        let checkpoints = try ModelResolver.resolve(folder.appendingPathComponent("runs/trend").path)
        #expect(checkpoints.map(\.step) == [20, 40, 60])
        var scores: [Double] = []
        for checkpoint in checkpoints {
            let runs = try await EvaluationRunner(model: try checkpoint.load(), options: RunOptions(quiet: true)).run(prepared)
            scores.append(try #require(runs[0].metrics.first).value)
        }
        // Lower is better: each checkpoint beats the one before.
        #expect(scores[0] > scores[1] && scores[1] > scores[2], "bits per byte by step: \(scores)")
    }
}
