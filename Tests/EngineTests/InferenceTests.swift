import Foundation
import Engine
import Testing

/// A tiny model trained a few steps so its distributions are not uniform.
func trainedTinyModel(positions: Int = 32) throws -> GPT2Model {
    let model = try GPT2Model(configuration: tinyConfiguration(positions: positions), seed: 11)
    let trainer = try Trainer(model: model, trainingTokens: syntheticTokens(count: 600), configuration: tinyTrainerConfiguration())
    for _ in 0..<15 { _ = try trainer.step() }
    return model
}

@Suite struct InferenceTests {
    let context = [3, 6, 9, 12, 15, 18, 21, 24, 27, 30]
    let continuations = [[33, 36, 39], [1], [40, 2, 7, 63, 5], [36, 39]]

    @Test func tokenLogProbabilitiesMatchTheTrainingForward() throws {
        let model = try trainedTinyModel()
        let tokens = context + [33, 36]
        let graph = try GPT2TrainingGraph(model: model, batchSize: 1, sequenceLength: tokens.count - 1)
        let mean = try graph.forward(inputs: Array(tokens.dropLast()), targets: Array(tokens.dropFirst()))
        let logProbabilities = try model.tokenLogProbabilities(tokens: tokens, scoredFrom: 0)
        #expect(logProbabilities.count == tokens.count - 1)
        let inferenceMean = -logProbabilities.reduce(0, +) / Double(logProbabilities.count)
        #expect(abs(inferenceMean - Double(mean)) < 1e-5)
        let tail = try model.tokenLogProbabilities(tokens: tokens, scoredFrom: 7)
        #expect(tail.count == 4)
        for (k, value) in tail.enumerated() { #expect(abs(value - logProbabilities[7 + k]) < 1e-5) }
    }

    @Test func sharedAndUnsharedScoresAgree() throws {
        let model = try trainedTinyModel()
        let shared = try model.scoreContinuations(context: context, continuations: continuations, prefixSharing: true)
        let unshared = try model.scoreContinuations(context: context, continuations: continuations, prefixSharing: false)
        #expect(shared.map(\.tokenCount) == [3, 1, 5, 2])
        for (a, b) in zip(shared, unshared) {
            #expect(abs(a.logProbability - b.logProbability) < 1e-5)
            #expect(a.isGreedy == b.isGreedy)
        }
        // The same number from the rolling path: Σ of the continuation's per-token log-probs.
        let rolling = try model.tokenLogProbabilities(tokens: context + continuations[2], scoredFrom: context.count - 1)
        #expect(abs(rolling.reduce(0, +) - shared[2].logProbability) < 1e-5)
        #expect(shared.allSatisfy { $0.logProbability < 0 })
    }

    @Test func scoresDoNotDependOnTheRestOfTheBatch() throws {
        let model = try trainedTinyModel()
        for sharing in [true, false] {
            let all = try model.scoreContinuations(context: context, continuations: continuations, prefixSharing: sharing)
            for (i, continuation) in continuations.enumerated() {
                let alone = try model.scoreContinuations(context: context, continuations: [continuation], prefixSharing: sharing)
                #expect(alone[0] == all[i], "continuation \(i), sharing \(sharing)")
            }
            let reversed = try model.scoreContinuations(context: context, continuations: continuations.reversed(), prefixSharing: sharing)
            #expect(Array(reversed.reversed()) == all)
        }
    }

    /// Continuations of very different lengths push OpenBLAS into different kernels (small-matrix
    /// vs packed) when stacked; scores must still not depend on the neighbours.
    @Test func scoresStayBitIdenticalAcrossBLASKernelSizes() throws {
        let model = try GPT2Model(configuration: GPT2Configuration(layerCount: 1, headCount: 2, width: 64, positionCount: 160, vocabularySize: 64), seed: 21)
        let context = (0..<20).map { ($0 * 7) % 64 }
        let continuations = [[5], (0..<130).map { ($0 * 3) % 64 }, [9, 4]]
        let together = try model.scoreContinuations(context: context, continuations: continuations)
        for (i, continuation) in continuations.enumerated() {
            #expect(try model.scoreContinuations(context: context, continuations: [continuation])[0] == together[i])
        }
    }

    @Test func greedyGenerationIsTheArgmaxContinuation() throws {
        let model = try trainedTinyModel()
        var seen: [Int] = []
        let generated = try model.generate(prompt: context, maxTokens: 6, sampling: .greedy) { seen.append($0); return true }
        #expect(generated.count == 6)
        #expect(seen == generated)
        let score = try model.scoreContinuations(context: context, continuations: [generated, generated.dropLast() + [(generated[5] + 1) % 64]])
        #expect(score[0].isGreedy)
        #expect(!score[1].isGreedy)
        // Stopping early and running into the end of the context.
        #expect(try model.generate(prompt: context, maxTokens: 6, sampling: .greedy) { _ in false }.count == 1)
        let nearlyFull = [Int](repeating: 5, count: 30)
        #expect(try model.generate(prompt: nearlyFull, maxTokens: 10, sampling: .greedy) { _ in true }.count == 3)
    }

    @Test func samplingIsSeededAndHonoursTopKAndTopP() throws {
        let model = try trainedTinyModel()
        let hot = SamplingParameters(temperature: 1.5, seed: 7)
        let first = try model.generate(prompt: context, maxTokens: 8, sampling: hot) { _ in true }
        #expect(try model.generate(prompt: context, maxTokens: 8, sampling: hot) { _ in true } == first)
        var otherSeed = hot
        otherSeed.seed = 8
        let second = try model.generate(prompt: context, maxTokens: 8, sampling: otherSeed) { _ in true }
        #expect(second != first)
        let greedy = try model.generate(prompt: context, maxTokens: 8, sampling: .greedy) { _ in true }
        #expect(try model.generate(prompt: context, maxTokens: 8, sampling: SamplingParameters(temperature: 1, topK: 1, seed: 3)) { _ in true } == greedy)
        #expect(try model.generate(prompt: context, maxTokens: 8, sampling: SamplingParameters(temperature: 1, topP: 1e-9, seed: 3)) { _ in true } == greedy)
    }

    @Test func samplerDistributionFollowsTemperature() {
        // Two tokens with logits 0 and ln 3: p = 1/4, 3/4 at temperature 1.
        var sampler = TokenSampler(SamplingParameters(temperature: 1, seed: 1))
        let logits: [Float] = [0, Float(Foundation.log(3.0))]
        var ones = 0
        logits.withUnsafeBufferPointer { buffer in
            for _ in 0..<4000 where sampler.pick(buffer) == 1 { ones += 1 }
        }
        #expect(abs(Double(ones) / 4000 - 0.75) < 0.03)
    }

    @Test func badInputsThrowInsteadOfCrashing() throws {
        let model = try trainedTinyModel()
        #expect(throws: EngineError.self) { try model.scoreContinuations(context: [], continuations: [[1]]) }
        #expect(throws: EngineError.self) { try model.scoreContinuations(context: [1], continuations: [[64]]) }
        #expect(throws: EngineError.self) { try model.scoreContinuations(context: [1], continuations: [[Int](repeating: 1, count: 32)]) }
        #expect(throws: EngineError.self) { try model.tokenLogProbabilities(tokens: [-1, 2], scoredFrom: 0) }
        #expect(throws: EngineError.self) { try model.generate(prompt: [], maxTokens: 3, sampling: .greedy) { _ in true } }
        #expect(try model.scoreContinuations(context: [1], continuations: [[]]) == [ContinuationScore(logProbability: 0, isGreedy: true, tokenCount: 0)])
        #expect(try model.tokenLogProbabilities(tokens: [1], scoredFrom: 0) == [])
    }
}
