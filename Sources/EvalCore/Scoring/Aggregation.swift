import EvalMetrics

/// A task-level metric value with its standard error.
public struct MetricResult: Sendable, Codable, Equatable {
    public var metric: String
    /// The filter pipeline the answers went through ("none" when the task has no filters).
    public var filter: String
    public var value: Double
    public var stderr: Double
    public var n: Int
    public var higherIsBetter: Bool
    /// How the standard error was computed: "mean" (sample std / sqrt(n)) or "bootstrap".
    public var stderrMethod: String
}

public enum Aggregator {
    /// Aggregates per-doc scores into one result per (filter, metric), in the task's metric order.
    /// - Parameters:
    ///   - bootstrapResamples: resamples for corpus metrics' standard errors.
    ///   - seed: bootstrap seed (results are reproducible for a seed).
    public static func aggregate(task: TaskSpec, scores: [[DocScore]], bootstrapResamples: Int, seed: UInt64) -> [MetricResult] {
        guard let filters = scores.first?.map(\.filter) else { return [] }
        var results: [MetricResult] = []
        for (filterIndex, filter) in filters.enumerated() {
            for metric in task.metrics {
                guard let definition = MetricCatalog.definition(metric.name) else { continue }
                let samples = scores.compactMap { $0.count > filterIndex ? $0[filterIndex].metrics[metric.key] : nil }
                results.append(aggregate(samples, definition: definition, key: metric.key, filter: filter,
                                         resamples: bootstrapResamples, seed: seed))
            }
        }
        return results
    }

    static func aggregate(_ samples: [MetricSample], definition: MetricDefinition, key: String, filter: String,
                          resamples: Int, seed: UInt64) -> MetricResult {
        func result(_ value: Double, _ stderr: Double, _ method: String) -> MetricResult {
            MetricResult(metric: key, filter: filter, value: value, stderr: stderr, n: samples.count,
                         higherIsBetter: definition.higherIsBetter, stderrMethod: method)
        }
        switch definition.aggregation {
        case .mean:
            let estimate = Statistics.meanWithStderr(samples.compactMap(\.perSampleValue))
            return result(estimate.value, estimate.stderr, "mean")
        case .corpusBLEU:
            let stats = samples.compactMap { sample -> CorpusMetrics.BLEUStatistics? in
                guard case .text(let prediction, let references) = sample else { return nil }
                return CorpusMetrics.BLEUStatistics(prediction: prediction, references: references)
            }
            let score: ([CorpusMetrics.BLEUStatistics]) -> Double = { items in
                var total = CorpusMetrics.BLEUStatistics()
                for item in items { total.add(item) }
                return total.score()
            }
            return result(score(stats), Statistics.bootstrapStderr(stats, resamples: resamples, seed: seed, statistic: score), "bootstrap")
        case .corpusChrF:
            let stats = samples.compactMap { sample -> CorpusMetrics.ChrFStatistics? in
                guard case .text(let prediction, let references) = sample else { return nil }
                return CorpusMetrics.ChrFStatistics(prediction: prediction, references: references)
            }
            let score: ([CorpusMetrics.ChrFStatistics]) -> Double = { items in
                var total = CorpusMetrics.ChrFStatistics()
                for item in items { total.add(item) }
                return total.score()
            }
            return result(score(stats), Statistics.bootstrapStderr(stats, resamples: resamples, seed: seed, statistic: score), "bootstrap")
        case .wordPerplexity, .bytePerplexity, .bitsPerByte:
            let documents = samples.compactMap { sample -> LogLikelihoodCount? in
                guard case .perplexity(let ll, let words, let bytes) = sample else { return nil }
                return LogLikelihoodCount(logLikelihood: ll, count: definition.aggregation == .wordPerplexity ? words : bytes)
            }
            let statistic: ([LogLikelihoodCount]) -> Double
            switch definition.aggregation {
            case .wordPerplexity: statistic = PerplexityMetrics.wordPerplexity
            case .bytePerplexity: statistic = PerplexityMetrics.bytePerplexity
            default: statistic = PerplexityMetrics.bitsPerByte
            }
            return result(statistic(documents), PerplexityMetrics.bootstrapStderr(documents, resamples: resamples, seed: seed, aggregate: statistic), "bootstrap")
        }
    }
}
