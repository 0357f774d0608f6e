#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Optimizer and schedule settings.
public struct OptimizerConfiguration: Codable, Sendable, Equatable {
    /// Peak learning rate, reached at the end of warmup.
    public var learningRate: Double
    /// Learning rate at the end of the cosine decay.
    public var minLearningRate: Double
    /// Steps of linear warmup from learningRate/warmupSteps to learningRate.
    public var warmupSteps: Int
    /// Step at which the cosine reaches `minLearningRate` (it stays there afterwards).
    public var decaySteps: Int
    public var beta1: Double
    public var beta2: Double
    public var epsilon: Double
    /// Decoupled weight decay, applied only to 2-D tensors (matmul weights and the wte/wpe embeddings).
    public var weightDecay: Double
    /// Global L2 norm the gradient is clipped to; 0 or less disables clipping.
    public var gradientClip: Double

    public init(
        learningRate: Double = 6e-4, minLearningRate: Double = 6e-5, warmupSteps: Int = 100, decaySteps: Int = 1000,
        beta1: Double = 0.9, beta2: Double = 0.95, epsilon: Double = 1e-8, weightDecay: Double = 0.1, gradientClip: Double = 1.0
    ) {
        self.learningRate = learningRate
        self.minLearningRate = minLearningRate
        self.warmupSteps = warmupSteps
        self.decaySteps = decaySteps
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.gradientClip = gradientClip
    }

    /// Linear warmup then cosine decay to `minLearningRate`. `step` counts from 0.
    public func learningRate(atStep step: Int) -> Double {
        if step < warmupSteps { return learningRate * Double(step + 1) / Double(warmupSteps) }
        let span = max(1, decaySteps - warmupSteps)
        let progress = min(1, Double(step - warmupSteps) / Double(span))
        return minLearningRate + 0.5 * (learningRate - minLearningRate) * (1 + cos(Double.pi * progress))
    }
}

/// AdamW over a flat parameter buffer (Loshchilov & Hutter; decoupled decay as in PyTorch's AdamW).
public final class AdamW {
    public let configuration: OptimizerConfiguration
    let layout: GPT2ParameterLayout
    /// First and second moment estimates, in the parameter layout.
    public let m: FloatBuffer
    public let v: FloatBuffer

    init(configuration: OptimizerConfiguration, layout: GPT2ParameterLayout) {
        self.configuration = configuration
        self.layout = layout
        m = FloatBuffer(count: layout.totalCount)
        v = FloatBuffer(count: layout.totalCount)
    }

    /// L2 norm of the whole gradient, summed in Float64 in a fixed order (deterministic).
    static func globalNorm(_ gradients: FloatBuffer) -> Double {
        var total = 0.0
        let g = gradients.pointer
        var start = 0
        // Float partial sums over 4096-element chunks keep the loop vectorisable; chunks add in Float64.
        while start < gradients.count {
            let end = min(start + 4096, gradients.count)
            var partial: Float = 0
            for i in start..<end { partial += g[i] * g[i] }
            total += Double(partial)
            start = end
        }
        return total.squareRoot()
    }

    /// One update with step number `t` (1-based, for bias correction), learning rate `lr` and a
    /// gradient multiplier `gradientScale` (from clipping).
    func update(parameters: FloatBuffer, gradients: FloatBuffer, t: Int, lr: Double, gradientScale: Float) {
        let beta1 = Float(configuration.beta1), beta2 = Float(configuration.beta2)
        let correction1 = Float(1 - pow(configuration.beta1, Double(t)))
        let correction2 = Float(1 - pow(configuration.beta2, Double(t)))
        let learningRate = Float(lr), epsilon = Float(configuration.epsilon)
        let p = parameters.pointer, g = gradients.pointer, m = self.m.pointer, v = self.v.pointer
        for tensor in layout.tensors {
            let decay = tensor.receivesWeightDecay ? Float(configuration.weightDecay) : 0
            for i in tensor.offset..<(tensor.offset + tensor.count) {
                let grad = g[i] * gradientScale
                let mi = beta1 * m[i] + (1 - beta1) * grad
                let vi = beta2 * v[i] + (1 - beta2) * grad * grad
                m[i] = mi
                v[i] = vi
                let mHat = mi / correction1, vHat = vi / correction2
                p[i] -= learningRate * (mHat / (vHat.squareRoot() + epsilon) + decay * p[i])
            }
        }
    }
}
