import SeededRandom

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Picks the next token from logits: greedy, or temperature + top-k + top-p sampling drawn
/// from a seeded `Xoshiro256`, so the same seed gives the same text on every machine.
public struct TokenSampler: Sendable {
    public let parameters: SamplingParameters
    private var generator: Xoshiro256

    public init(_ parameters: SamplingParameters) {
        self.parameters = parameters
        generator = Xoshiro256(seed: parameters.seed)
    }

    /// - Parameter logits: V unnormalised scores.
    /// - Returns: the chosen id in 0..<logits.count (the first maximum when greedy).
    public mutating func pick(_ logits: UnsafeBufferPointer<Float>) -> Int {
        let v = logits.count
        guard v > 0 else { return 0 }
        var argmax = 0
        for j in 1..<v where logits[j] > logits[argmax] { argmax = j }
        guard parameters.temperature > 0 else { return argmax }
        // Probabilities in Float64 at temperature τ, then sorted most likely first (ties: lower id first).
        let inverseTemperature = 1 / parameters.temperature
        let maximum = Double(logits[argmax])
        var candidates = (0..<v).map { (id: $0, weight: exp((Double(logits[$0]) - maximum) * inverseTemperature)) }
        candidates.sort { $0.weight != $1.weight ? $0.weight > $1.weight : $0.id < $1.id }
        if let k = parameters.topK, k > 0, k < candidates.count { candidates.removeSubrange(k...) }
        if let p = parameters.topP, p > 0, p < 1 {
            let total = candidates.reduce(0) { $0 + $1.weight }
            var cumulative = 0.0
            var keep = candidates.count
            for (index, candidate) in candidates.enumerated() {
                cumulative += candidate.weight / total
                if cumulative >= p {
                    keep = index + 1
                    break
                }
            }
            candidates.removeSubrange(keep...)
        }
        let total = candidates.reduce(0) { $0 + $1.weight }
        var threshold = generator.nextUnitDouble() * total
        for candidate in candidates {
            threshold -= candidate.weight
            if threshold < 0 { return candidate.id }
        }
        return candidates[candidates.count - 1].id
    }
}
