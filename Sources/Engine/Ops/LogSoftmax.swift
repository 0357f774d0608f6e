#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Log-probabilities read off a row of logits (scoring, shared by every model).
enum LogSoftmax {
    /// log p(target) under softmax(row) and whether target is the (first) argmax. Row is (V).
    static func logProbability(of target: Int, row: UnsafePointer<Float>, v: Int) -> (Double, Bool) {
        var maximum = -Float.greatestFiniteMagnitude
        var argmax = 0
        for j in 0..<v where row[j] > maximum {
            maximum = row[j]
            argmax = j
        }
        var sum = 0.0
        var j = 0
        while j < v {
            let count = min(8, v - j)
            var e = VectorMath.exp(VectorMath.load(row + j, count: count) - maximum)
            if count < 8 { for lane in count..<8 { e[lane] = 0 } }
            sum += Double(e.sum())
            j += 8
        }
        return (Double(row[target] - maximum) - log(sum), argmax == target || row[target] == maximum)
    }
}
