import Foundation
import SeededRandom

/// Batch shape and seed of a `Trainer`.
public struct TrainerConfiguration: Codable, Sendable, Equatable {
    /// Sequences per micro-batch (B).
    public var batchSize: Int
    /// Tokens per sequence (T); at most the model's n_positions.
    public var sequenceLength: Int
    /// Micro-batches whose gradients are summed before each optimizer step.
    public var gradientAccumulationSteps: Int
    /// Seeds the data order (which windows of the token stream are drawn).
    public var seed: UInt64
    public var optimizer: OptimizerConfiguration

    public init(batchSize: Int, sequenceLength: Int, gradientAccumulationSteps: Int = 1, seed: UInt64 = 1, optimizer: OptimizerConfiguration = .init()) {
        self.batchSize = batchSize
        self.sequenceLength = sequenceLength
        self.gradientAccumulationSteps = gradientAccumulationSteps
        self.seed = seed
        self.optimizer = optimizer
    }
}

/// What one optimizer step did.
public struct TrainingStep: Sendable, Equatable {
    /// Mean cross-entropy over the step's B·T·accumulation tokens (nats).
    public var loss: Float
    /// Learning rate used for this step.
    public var learningRate: Double
    /// Global gradient L2 norm before clipping.
    public var gradientNorm: Double
}

/// Trains a `GPT2Model` on random windows of a token stream with AdamW.
///
/// Determinism: the data order comes from `Xoshiro256(seed:)`, every reduction runs in a fixed
/// order and OpenBLAS splits sgemm work by output blocks, so the same configuration on the same
/// machine (and OpenBLAS thread count) gives bit-identical losses; `trainingState()` captures
/// everything needed to continue bit-identically.
public final class Trainer {
    public let model: GPT2Model
    public let configuration: TrainerConfiguration
    let graph: GPT2TrainingGraph
    let optimizer: AdamW
    let tokens: [Int32]
    /// Optimizer steps taken so far.
    public private(set) var stepCount = 0
    /// Draws window start offsets; its state is the data position.
    private var generator: Xoshiro256
    private var inputs: [Int], targets: [Int]

    /// - Parameter trainingTokens: the token stream windows are drawn from; needs more than
    ///   `sequenceLength` tokens, each inside the model's vocabulary.
    public init(model: GPT2Model, trainingTokens: [Int], configuration: TrainerConfiguration) throws {
        let t = configuration.sequenceLength
        guard configuration.gradientAccumulationSteps > 0 else {
            throw EngineError.invalidArgument("gradient accumulation steps must be positive, got \(configuration.gradientAccumulationSteps)")
        }
        guard trainingTokens.count > t else {
            throw EngineError.invalidArgument("training needs more than \(t) tokens (the sequence length), got \(trainingTokens.count)")
        }
        let v = model.configuration.vocabularySize
        if let bad = trainingTokens.firstIndex(where: { $0 < 0 || $0 >= v }) {
            throw EngineError.invalidArgument("training token \(trainingTokens[bad]) at index \(bad) is outside the vocabulary 0..<\(v)")
        }
        self.model = model
        self.configuration = configuration
        graph = try GPT2TrainingGraph(model: model, batchSize: configuration.batchSize, sequenceLength: t)
        optimizer = AdamW(configuration: configuration.optimizer, layout: model.layout)
        tokens = trainingTokens.map { Int32($0) }
        generator = Xoshiro256(seed: configuration.seed)
        inputs = [Int](repeating: 0, count: configuration.batchSize * t)
        targets = inputs
    }

    /// Fills inputs/targets with B random windows of T+1 tokens.
    private func drawBatch() {
        let t = configuration.sequenceLength
        for b in 0..<configuration.batchSize {
            let start = generator.nextInt(below: tokens.count - t)
            for i in 0..<t {
                inputs[b * t + i] = Int(tokens[start + i])
                targets[b * t + i] = Int(tokens[start + i + 1])
            }
        }
    }

    /// One optimizer step: `gradientAccumulationSteps` micro-batches, clipping, AdamW.
    public func step() throws -> TrainingStep {
        let accumulation = configuration.gradientAccumulationSteps
        graph.zeroGradients()
        var lossSum = 0.0
        for _ in 0..<accumulation {
            drawBatch()
            lossSum += Double(try graph.forward(inputs: inputs, targets: targets))
            try graph.backward(lossScale: 1 / Float(accumulation))
        }
        let norm = AdamW.globalNorm(graph.gradients)
        let clip = configuration.optimizer.gradientClip
        let scale: Float = clip > 0 && norm > clip ? Float(clip / (norm + 1e-6)) : 1
        let lr = configuration.optimizer.learningRate(atStep: stepCount)
        optimizer.update(parameters: model.parameters, gradients: graph.gradients, t: stepCount + 1, lr: lr, gradientScale: scale)
        stepCount += 1
        return TrainingStep(loss: Float(lossSum / Double(accumulation)), learningRate: lr, gradientNorm: norm)
    }

    /// Mean cross-entropy (nats/token) over consecutive non-overlapping T-token windows of
    /// `validationTokens` (at most `maxWindows` of them). Leaves the training state untouched.
    public func evaluate(validationTokens: [Int], maxWindows: Int? = nil) throws -> Double {
        let t = configuration.sequenceLength, b = configuration.batchSize
        var windowCount = (validationTokens.count - 1) / t
        if let maxWindows { windowCount = min(windowCount, maxWindows) }
        guard windowCount > 0 else {
            throw EngineError.invalidArgument("validation needs at least \(t + 1) tokens, got \(validationTokens.count)")
        }
        var total = 0.0
        var window = 0
        var batchInputs = [Int](repeating: 0, count: b * t), batchTargets = batchInputs
        while window < windowCount {
            let real = min(b, windowCount - window)
            for row in 0..<b {
                // Rows past the last real window repeat it; their losses are not counted.
                let start = (window + min(row, real - 1)) * t
                for i in 0..<t {
                    batchInputs[row * t + i] = validationTokens[start + i]
                    batchTargets[row * t + i] = validationTokens[start + i + 1]
                }
            }
            _ = try graph.forward(inputs: batchInputs, targets: batchTargets)
            for i in 0..<(real * t) { total += Double(graph.losses.pointer[i]) }
            window += real
        }
        return total / Double(windowCount * t)
    }

    /// Everything beyond the weights needed to continue training bit-identically.
    public func trainingState() -> TrainingState {
        TrainingState(step: stepCount, generator: generator, trainer: configuration, adamM: optimizer.m.array, adamV: optimizer.v.array)
    }

    /// Continues from a saved state; the model must hold the weights saved with it.
    public convenience init(model: GPT2Model, trainingTokens: [Int], resumingFrom state: TrainingState) throws {
        try self.init(model: model, trainingTokens: trainingTokens, configuration: state.trainer)
        guard state.adamM.count == model.layout.totalCount, state.adamV.count == model.layout.totalCount else {
            throw EngineError.invalidArgument("training state has \(state.adamM.count)/\(state.adamV.count) Adam moments, the model has \(model.layout.totalCount) parameters")
        }
        stepCount = state.step
        generator = state.generator
        optimizer.m.copy(from: FloatBuffer(state.adamM))
        optimizer.v.copy(from: FloatBuffer(state.adamV))
    }
}
