import Engine
import Foundation
import Testing

/// A repetitive token stream a tiny model can learn quickly.
func syntheticTokens(count: Int, vocabularySize: Int = 64) -> [Int] {
    (0..<count).map { i in ((i % 16) * 3 + i / 1000) % vocabularySize }
}

func tinyTrainerConfiguration(seed: UInt64 = 42, accumulation: Int = 1) -> TrainerConfiguration {
    TrainerConfiguration(
        batchSize: 2, sequenceLength: 8, gradientAccumulationSteps: accumulation, seed: seed,
        optimizer: OptimizerConfiguration(learningRate: 1e-2, minLearningRate: 1e-3, warmupSteps: 2, decaySteps: 20))
}

@Suite struct TrainerTests {
    @Test func learningRateScheduleWarmsUpThenDecays() {
        let schedule = OptimizerConfiguration(learningRate: 1, minLearningRate: 0.1, warmupSteps: 4, decaySteps: 14)
        #expect(schedule.learningRate(atStep: 0) == 0.25)
        #expect(schedule.learningRate(atStep: 3) == 1)
        #expect(abs(schedule.learningRate(atStep: 9) - 0.55) < 1e-12)  // halfway down the cosine
        #expect(abs(schedule.learningRate(atStep: 14) - 0.1) < 1e-12)
        #expect(abs(schedule.learningRate(atStep: 100) - 0.1) < 1e-12)
    }

    @Test func lossFallsOnALearnableStream() throws {
        let model = try GPT2Model(configuration: tinyConfiguration(), seed: 1)
        var configuration = tinyTrainerConfiguration()
        configuration.optimizer = OptimizerConfiguration(learningRate: 1e-2, minLearningRate: 1e-3, warmupSteps: 2, decaySteps: 40)
        let trainer = try Trainer(model: model, trainingTokens: syntheticTokens(count: 2000), configuration: configuration)
        let first = try trainer.step()
        #expect(abs(Double(first.loss) - log(64.0)) < 0.3)  // near-uniform predictions at init
        var last = first
        for _ in 0..<40 { last = try trainer.step() }
        #expect(last.loss < first.loss - 1)
        #expect(trainer.stepCount == 41)
    }

    @Test func sameConfigurationGivesBitIdenticalLosses() throws {
        func run() throws -> [TrainingStep] {
            let model = try GPT2Model(configuration: tinyConfiguration(), seed: 5)
            let trainer = try Trainer(model: model, trainingTokens: syntheticTokens(count: 1000), configuration: tinyTrainerConfiguration(accumulation: 2))
            return try (0..<5).map { _ in try trainer.step() }
        }
        #expect(try run() == run())
    }

    @Test func gradientClippingAndWeightDecayPolicy() throws {
        let model = try GPT2Model(configuration: tinyConfiguration(), seed: 2)
        var configuration = tinyTrainerConfiguration()
        configuration.optimizer.gradientClip = 1e-3
        configuration.optimizer.learningRate = 0  // isolate weight decay: no gradient movement
        configuration.optimizer.minLearningRate = 0
        let trainer = try Trainer(model: model, trainingTokens: syntheticTokens(count: 500), configuration: configuration)
        let before = model.parameters.array
        let step = try trainer.step()
        #expect(step.gradientNorm > 1e-3)  // reported before clipping
        #expect(model.parameters.array == before)  // lr 0 → nothing moves, decay is lr-scaled
    }

    @Test func stateRoundTripResumesBitIdentically() throws {
        let tokens = syntheticTokens(count: 1000)
        let straightModel = try GPT2Model(configuration: tinyConfiguration(), seed: 9)
        let straight = try Trainer(model: straightModel, trainingTokens: tokens, configuration: tinyTrainerConfiguration())
        let straightLosses = try (0..<8).map { _ in try straight.step().loss }

        let firstModel = try GPT2Model(configuration: tinyConfiguration(), seed: 9)
        let first = try Trainer(model: firstModel, trainingTokens: tokens, configuration: tinyTrainerConfiguration())
        var losses = try (0..<4).map { _ in try first.step().loss }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("engine-state-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try first.trainingState().write(to: folder)
        let state = try #require(try TrainingState.read(from: folder))
        let resumedModel = try GPT2Model(configuration: tinyConfiguration(), parameters: FloatBuffer(firstModel.parameters.array))
        let resumed = try Trainer(model: resumedModel, trainingTokens: tokens, resumingFrom: state)
        losses += try (0..<4).map { _ in try resumed.step().loss }
        #expect(losses == straightLosses)
        #expect(resumedModel.parameters.array == straightModel.parameters.array)
        // A damaged RNG state is an error, not a crash later.
        let jsonURL = folder.appendingPathComponent(TrainingState.jsonFileName)
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: jsonURL)) as? [String: Any])
        json["generator"] = ["state": [1, 2]]
        try JSONSerialization.data(withJSONObject: json).write(to: jsonURL)
        #expect(throws: EngineError.self) { try TrainingState.read(from: folder) }
    }

    @Test func evaluateIsMeanLossAndLeavesTrainingAlone() throws {
        let model = try GPT2Model(configuration: tinyConfiguration(), seed: 3)
        let trainer = try Trainer(model: model, trainingTokens: syntheticTokens(count: 500), configuration: tinyTrainerConfiguration())
        let validation = syntheticTokens(count: 41)  // 5 windows of 8: two full batches and one partial
        let loss = try trainer.evaluate(validationTokens: validation)
        #expect(abs(loss - log(64.0)) < 0.3)
        #expect(try trainer.evaluate(validationTokens: validation) == loss)
        #expect(throws: EngineError.self) { try trainer.evaluate(validationTokens: [1, 2]) }
    }
}
