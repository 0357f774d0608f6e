#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A document's total log-likelihood (natural log) and the number of units (words or bytes) it
/// covers: the per-document record that corpus perplexities aggregate.
public struct LogLikelihoodCount: Sendable, Codable, Equatable {
    /// Sum of natural-log token log-likelihoods over the document (≤ 0).
    public let logLikelihood: Double
    /// Words or UTF-8 bytes in the document, depending on the metric.
    public let count: Int

    /// - Parameters:
    ///   - logLikelihood: natural-log total over the document.
    ///   - count: words or bytes in the document.
    public init(logLikelihood: Double, count: Int) {
        self.logLikelihood = logLikelihood
        self.count = count
    }
}

/// Perplexity-style metrics from rolling log-likelihoods, per document and over a corpus.
///
/// The corpus forms follow lm-evaluation-harness's `weighted_perplexity` and `bits_per_byte`:
/// log-likelihoods and counts are summed over documents *before* dividing, so long documents
/// weigh more (this is not the mean of per-document perplexities). A total count below 1
/// returns `.nan`.
public enum PerplexityMetrics {
    /// From total log-likelihood (natural log) and counts: exp(-ll/words), exp(-ll/bytes), -ll/(bytes*ln 2).
    ///
    /// Word perplexity exp(−ll / words).
    public static func wordPerplexity(logLikelihood: Double, words: Int) -> Double {
        guard words >= 1 else { return .nan }
        return exp(-logLikelihood / Double(words))
    }

    /// Byte perplexity exp(−ll / bytes).
    public static func bytePerplexity(logLikelihood: Double, bytes: Int) -> Double {
        guard bytes >= 1 else { return .nan }
        return exp(-logLikelihood / Double(bytes))
    }

    /// Bits per byte −ll / (bytes · ln 2).
    public static func bitsPerByte(logLikelihood: Double, bytes: Int) -> Double {
        guard bytes >= 1 else { return .nan }
        return -logLikelihood / (Double(bytes) * M_LN2)
    }

    /// Corpus word perplexity exp(−Σ ll / Σ words), `count` being each document's word count.
    public static func wordPerplexity(_ documents: [LogLikelihoodCount]) -> Double {
        let (logLikelihood, count) = totals(documents)
        return wordPerplexity(logLikelihood: logLikelihood, words: count)
    }

    /// Corpus byte perplexity exp(−Σ ll / Σ bytes), `count` being each document's UTF-8 byte count.
    public static func bytePerplexity(_ documents: [LogLikelihoodCount]) -> Double {
        let (logLikelihood, count) = totals(documents)
        return bytePerplexity(logLikelihood: logLikelihood, bytes: count)
    }

    /// Corpus bits per byte −Σ ll / (Σ bytes · ln 2).
    public static func bitsPerByte(_ documents: [LogLikelihoodCount]) -> Double {
        let (logLikelihood, count) = totals(documents)
        return bitsPerByte(logLikelihood: logLikelihood, bytes: count)
    }

    /// Bootstrap standard error of a corpus perplexity: documents are resampled with
    /// replacement and the corpus value recomputed, as lm-eval does for these metrics.
    /// - Parameters:
    ///   - documents: per-document (log-likelihood, count) pairs.
    ///   - aggregate: one of the corpus functions above, e.g. `PerplexityMetrics.wordPerplexity`.
    public static func bootstrapStderr(
        _ documents: [LogLikelihoodCount], resamples: Int = 1000, seed: UInt64,
        aggregate: ([LogLikelihoodCount]) -> Double
    ) -> Double {
        Statistics.bootstrapStderr(documents, resamples: resamples, seed: seed, statistic: aggregate)
    }

    private static func totals(_ documents: [LogLikelihoodCount]) -> (Double, Int) {
        var logLikelihood = 0.0
        var count = 0
        for document in documents {
            logLikelihood += document.logLikelihood
            count += document.count
        }
        return (logLikelihood, count)
    }
}
