#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Softmax followed by cross-entropy against integer targets, fused as in llm.c.
public enum SoftmaxCrossEntropy {
    /// logits(N,V) are replaced in place by probabilities; losses(N) = −log p[target].
    public static func forward(
        probs logits: UnsafeMutablePointer<Float>, losses: UnsafeMutablePointer<Float>,
        targets: UnsafePointer<Int32>, n: Int, v: Int
    ) {
        for i in 0..<n {
            let row = logits + i * v
            var maximum = -Float.greatestFiniteMagnitude
            for j in 0..<v where row[j] > maximum { maximum = row[j] }
            let sum = VectorMath.expSubtractingMaximum(row, n: v, maximum: maximum)
            let inverse = 1 / sum
            for j in 0..<v { row[j] *= inverse }
            losses[i] = -logf(max(row[Int(targets[i])], Float.leastNormalMagnitude))
        }
    }

    /// Turns probs(N,V) into dlogits(N,V) in place: (p − onehot(target)) · dloss, where dloss is the
    /// same weight for every position (1 / number of positions averaged over).
    public static func backward(
        probsToGradient probs: UnsafeMutablePointer<Float>, targets: UnsafePointer<Int32>, dloss: Float, n: Int, v: Int
    ) {
        for i in 0..<n {
            let row = probs + i * v
            row[Int(targets[i])] -= 1
            for j in 0..<v { row[j] *= dloss }
        }
    }
}
