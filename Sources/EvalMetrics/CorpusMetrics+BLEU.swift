#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Metrics computed over a whole corpus at once (not a mean of per-sample scores).
///
/// `references[i]` holds the references of `predictions[i]` (one or more; the count may vary
/// from sample to sample). sacrebleu takes the transpose, reference *streams*; a sample with
/// fewer references corresponds to `None` padding in its shorter streams. Samples beyond the
/// shorter of the two arrays are ignored. An empty corpus scores 0.
public enum CorpusMetrics {
    /// sacrebleu's corpus BLEU with its defaults (13a tokeniser, exp smoothing, max order 4, effective order false), 0–100.
    ///
    /// Per sample: tokenise with 13a (after trimming trailing whitespace); count hypothesis
    /// n-grams (n = 1...4) and clip each count by its maximum count in any one reference; the
    /// reference length is that of the reference closest in length to the hypothesis (the
    /// shorter one on a tie). Counts and lengths are summed over the corpus, then
    /// BLEU = BP · exp(¼ Σₙ log pₙ) with pₙ = 100 · matchesₙ / totalₙ, where an order with no
    /// match uses 100 / (2ᵏ · totalₙ) for the k-th such order ("exp" smoothing), and
    /// BP = exp(1 − r/c) when the hypothesis length c is below the reference length r, else 1.
    /// The score is 0 when nothing matches at all or some order has no n-gram.
    public static func bleu(predictions: [String], references: [[String]]) -> Double {
        var statistics = BLEUStatistics()
        for (prediction, sampleReferences) in zip(predictions, references) {
            statistics.add(BLEUStatistics(prediction: prediction, references: sampleReferences))
        }
        return statistics.score()
    }

    /// Sufficient statistics of BLEU for a set of samples; they add up over samples, which is
    /// what makes BLEU a corpus metric (and what a bootstrap over samples must resample).
    public struct BLEUStatistics: Sendable, Equatable, Codable {
        /// Hypothesis length in 13a tokens.
        public var hypothesisLength = 0
        /// Closest reference length in 13a tokens.
        public var referenceLength = 0
        /// Clipped n-gram matches for n = 1...4.
        public var matches = [0, 0, 0, 0]
        /// Hypothesis n-gram counts for n = 1...4.
        public var totals = [0, 0, 0, 0]

        /// Empty statistics (the identity for ``add(_:)``).
        public init() {}

        /// Statistics of one sample.
        /// - Parameters:
        ///   - prediction: the system output, detokenised.
        ///   - references: its reference translations; none means a reference length of 0.
        public init(prediction: String, references: [String]) {
            let maxOrder = 4
            let hypothesis = Tokenizer13a.tokenize(PythonText.rstrip(Array(prediction.unicodeScalars)))
            var referenceCounts: [[Scalars]: Int] = [:]
            var referenceLengths: [Int] = []
            for reference in references {
                let tokens = Tokenizer13a.tokenize(PythonText.rstrip(Array(reference.unicodeScalars)))
                referenceLengths.append(tokens.count)
                for (ngram, count) in Self.ngramCounts(tokens, maxOrder: maxOrder) {
                    referenceCounts[ngram] = max(referenceCounts[ngram] ?? 0, count)
                }
            }
            hypothesisLength = hypothesis.count
            referenceLength = Self.closestLength(to: hypothesis.count, among: referenceLengths)
            for (ngram, count) in Self.ngramCounts(hypothesis, maxOrder: maxOrder) {
                let order = ngram.count - 1
                totals[order] += count
                if let referenceCount = referenceCounts[ngram] {
                    matches[order] += min(count, referenceCount)
                }
            }
        }

        /// The corpus statistics of many samples, e.g. of one bootstrap resample:
        /// `Statistics.bootstrapStderr(perSample, seed: 1) { BLEUStatistics.combined($0).score() }`.
        public static func combined(_ samples: [BLEUStatistics]) -> BLEUStatistics {
            var total = BLEUStatistics()
            for sample in samples { total.add(sample) }
            return total
        }

        /// Adds another sample's (or corpus's) statistics to these.
        public mutating func add(_ other: BLEUStatistics) {
            hypothesisLength += other.hypothesisLength
            referenceLength += other.referenceLength
            for order in 0..<4 {
                matches[order] += other.matches[order]
                totals[order] += other.totals[order]
            }
        }

        /// BLEU (0–100) of these statistics, with exp smoothing and no effective order.
        public func score() -> Double {
            let brevityPenalty: Double
            if hypothesisLength < referenceLength {
                brevityPenalty = hypothesisLength > 0
                    ? exp(1 - Double(referenceLength) / Double(hypothesisLength)) : 0
            } else {
                brevityPenalty = 1
            }
            guard matches.contains(where: { $0 != 0 }) else { return 0 }
            var logSum = 0.0
            var smoothing = 1.0
            for order in 0..<4 {
                // sacrebleu stops at the first order without n-grams and floors log(0) at
                // -9999999999, which drives the score to 0.
                guard totals[order] > 0 else { return 0 }
                let precision: Double
                if matches[order] == 0 {
                    smoothing *= 2
                    precision = 100 / (smoothing * Double(totals[order]))
                } else {
                    precision = 100 * Double(matches[order]) / Double(totals[order])
                }
                logSum += log(precision)
            }
            return brevityPenalty * exp(logSum / 4)
        }

        /// Counts of all n-grams of orders 1...maxOrder, keyed by their tokens.
        static func ngramCounts(_ tokens: [Scalars], maxOrder: Int) -> [[Scalars]: Int] {
            var result: [[Scalars]: Int] = [:]
            for order in 1...maxOrder where order <= tokens.count {
                for start in 0...(tokens.count - order) {
                    result[Array(tokens[start..<(start + order)]), default: 0] += 1
                }
            }
            return result
        }

        /// The reference length closest to the hypothesis length, the shorter on a tie; 0
        /// without references.
        static func closestLength(to hypothesisLength: Int, among lengths: [Int]) -> Int {
            var best: Int?
            for length in lengths {
                guard let current = best else { best = length; continue }
                let difference = abs(hypothesisLength - length)
                let bestDifference = abs(hypothesisLength - current)
                if difference < bestDifference || (difference == bestDifference && length < current) {
                    best = length
                }
            }
            return best ?? 0
        }
    }
}
