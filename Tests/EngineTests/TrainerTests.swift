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

    /// Two micro-batches of one sequence draw the same windows as one batch of two (the generator
    /// is consumed in the same order), so the step must match up to Float rounding.
    @Test func gradientAccumulationMatchesALargerBatch() throws {
        func run(batchSize: Int, accumulation: Int) throws -> (TrainingStep, [Float]) {
            let model = try GPT2Model(configuration: tinyConfiguration(), seed: 6)
            var configuration = tinyTrainerConfiguration(accumulation: accumulation)
            configuration.batchSize = batchSize
            let trainer = try Trainer(model: model, trainingTokens: syntheticTokens(count: 800), configuration: configuration)
            return (try trainer.step(), model.parameters.array)
        }
        let (big, bigParameters) = try run(batchSize: 2, accumulation: 1)
        let (accumulated, accumulatedParameters) = try run(batchSize: 1, accumulation: 2)
        #expect(abs(big.loss - accumulated.loss) < 1e-5)
        #expect(abs(big.gradientNorm - accumulated.gradientNorm) / big.gradientNorm < 1e-4)
        let drift = zip(bigParameters, accumulatedParameters).map { abs($0 - $1) }.max() ?? 0
        #expect(drift < 1e-5)
    }

    @Test func weightDecayOnlyTouchesTwoDimensionalTensors() throws {
        func run(weightDecay: Double) throws -> GPT2Model {
            let model = try GPT2Model(configuration: tinyConfiguration(), seed: 2)
            var configuration = tinyTrainerConfiguration()
            configuration.optimizer.weightDecay = weightDecay
            let trainer = try Trainer(model: model, trainingTokens: syntheticTokens(count: 500), configuration: configuration)
            _ = try trainer.step()
            return model
        }
        let plain = try run(weightDecay: 0), decayed = try run(weightDecay: 0.5)
        let lr = Float(tinyTrainerConfiguration().optimizer.learningRate(atStep: 0))
        for tensor in plain.layout.tensors {
            let a = try #require(plain.values(of: tensor.name)), b = try #require(decayed.values(of: tensor.name))
            if tensor.shape.count == 2 {
                // Decoupled decay adds lr·wd·p to the same Adam step: the runs differ by that, and
                // |p| < 0.2 at this init.
                let difference = zip(a, b).map { abs($0 - $1) }.max() ?? 0
                #expect(difference > 0, "\(tensor.name) should decay")
                #expect(difference < lr * 0.5 * 0.2, "\(tensor.name) decayed by more than lr·wd·|p|")
            } else {
                #expect(a == b, "\(tensor.name) must not decay")
            }
        }
    }

    @Test func gradientClippingReportsTheUnclippedNorm() throws {
        let model = try GPT2Model(configuration: tinyConfiguration(), seed: 2)
        var configuration = tinyTrainerConfiguration()
        configuration.optimizer.gradientClip = 1e-3
        let trainer = try Trainer(model: model, trainingTokens: syntheticTokens(count: 500), configuration: configuration)
        let step = try trainer.step()
        #expect(step.gradientNorm > 1e-3)  // reported before clipping
        #expect(step.learningRate == configuration.optimizer.learningRate(atStep: 0))
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
