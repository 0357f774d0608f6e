extension CorpusMetrics {
    /// sacrebleu's corpus chrF with its defaults (char order 6, word order 0, beta 2, whitespace removed), 0–100.
    ///
    /// Per sample, all whitespace is removed and character (code point) n-grams of orders
    /// 1...6 are counted in the hypothesis and in each reference; for each order the sample
    /// contributes (hypothesis n-grams, reference n-grams, clipped matches), taken from the
    /// reference whose own chrF is highest (the first on a tie). The triples are summed over the
    /// corpus; then precision and recall are averaged over the orders where both the hypothesis
    /// and reference counts are non-zero, and chrF = 100 · (1 + β²) P R / (β² P + R), β = 2
    /// (0 when P + R = 0). No lowercasing, no epsilon smoothing.
    public static func chrF(predictions: [String], references: [[String]]) -> Double {
        var statistics = ChrFStatistics()
        for (prediction, sampleReferences) in zip(predictions, references) {
            statistics.add(ChrFStatistics(prediction: prediction, references: sampleReferences))
        }
        return statistics.score()
    }

    /// Sufficient statistics of chrF: per character n-gram order (1...6), the hypothesis
    /// n-gram count, the reference n-gram count and the clipped matches. They add up over samples.
    public struct ChrFStatistics: Sendable, Equatable, Codable {
        /// The character n-gram order (sacrebleu's default, 6).
        public static let characterOrder = 6
        /// β: recall weighs β times as much as precision.
        public static let beta = 2.0

        /// Hypothesis n-gram counts per order (index 0 is unigrams).
        public var hypothesisCounts = [Int](repeating: 0, count: characterOrder)
        /// Reference n-gram counts per order.
        public var referenceCounts = [Int](repeating: 0, count: characterOrder)
        /// Clipped matches per order.
        public var matches = [Int](repeating: 0, count: characterOrder)

        /// Empty statistics (the identity for ``add(_:)``).
        public init() {}

        /// Statistics of one sample: those of its best-scoring reference (all zero without references).
        public init(prediction: String, references: [String]) {
            let hypothesisNgrams = Self.characterNgrams(prediction)
            var best: ChrFStatistics?
            var bestScore = -1.0
            for reference in references {
                let referenceNgrams = Self.characterNgrams(reference)
                var candidate = ChrFStatistics()
                for order in 0..<Self.characterOrder {
                    let hypothesis = hypothesisNgrams[order]
                    let referenceSide = referenceNgrams[order]
                    let hypothesisTotal = hypothesis.values.reduce(0, +)
                    // sacrebleu counts hypothesis n-grams only when the reference has some.
                    candidate.hypothesisCounts[order] = referenceSide.isEmpty ? 0 : hypothesisTotal
                    candidate.referenceCounts[order] = referenceSide.values.reduce(0, +)
                    candidate.matches[order] = multisetOverlap(hypothesis, referenceSide)
                }
                let candidateScore = candidate.score()
                if candidateScore > bestScore {
                    bestScore = candidateScore
                    best = candidate
                }
            }
            self = best ?? ChrFStatistics()
        }

        /// The corpus statistics of many samples, e.g. of one bootstrap resample:
        /// `Statistics.bootstrapStderr(perSample, seed: 1) { ChrFStatistics.combined($0).score() }`.
        public static func combined(_ samples: [ChrFStatistics]) -> ChrFStatistics {
            var total = ChrFStatistics()
            for sample in samples { total.add(sample) }
            return total
        }

        /// Adds another sample's (or corpus's) statistics to these.
        public mutating func add(_ other: ChrFStatistics) {
            for order in 0..<Self.characterOrder {
                hypothesisCounts[order] += other.hypothesisCounts[order]
                referenceCounts[order] += other.referenceCounts[order]
                matches[order] += other.matches[order]
            }
        }

        /// chrF (0–100) of these statistics.
        public func score() -> Double {
            var precisionSum = 0.0
            var recallSum = 0.0
            var effectiveOrder = 0
            for order in 0..<Self.characterOrder {
                let hypothesis = hypothesisCounts[order]
                let reference = referenceCounts[order]
                guard hypothesis > 0, reference > 0 else { continue }
                precisionSum += Double(matches[order]) / Double(hypothesis)
                recallSum += Double(matches[order]) / Double(reference)
                effectiveOrder += 1
            }
            guard effectiveOrder > 0 else { return 0 }
            let precision = precisionSum / Double(effectiveOrder)
            let recall = recallSum / Double(effectiveOrder)
            guard precision + recall > 0 else { return 0 }
            let factor = Self.beta * Self.beta
            return 100 * (1 + factor) * precision * recall / (factor * precision + recall)
        }

        /// Character n-gram counts for orders 1...6 of the text with all whitespace removed.
        static func characterNgrams(_ text: String) -> [[Scalars: Int]] {
            let characters: Scalars = Array(text.unicodeScalars).filter { !PythonText.isSpace($0) }
            var result: [[Scalars: Int]] = []
            for order in 1...characterOrder {
                var orderCounts: [Scalars: Int] = [:]
                if order <= characters.count {
                    for start in 0...(characters.count - order) {
                        orderCounts[Array(characters[start..<(start + order)]), default: 0] += 1
                    }
                }
                result.append(orderCounts)
            }
            return result
        }
    }
}
