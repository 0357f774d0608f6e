import EvalCore
import EvalMetrics
import Foundation

/// Two runs compared doc by doc: per task, filter and metric, the paired difference A − B on the
/// docs both runs scored, with a seeded paired-bootstrap 95% interval and, for 0/1 metrics, McNemar's test.
public struct RunComparison: Sendable, Codable, Equatable {
    public enum Verdict: String, Sendable, Codable, Equatable {
        /// A is better than B: the interval excludes 0 in A's favour.
        case better
        /// A is worse than B.
        case worse
        /// The interval contains 0.
        case noSignificantDifference = "no significant difference"
    }

    /// One metric compared.
    public struct Row: Sendable, Codable, Equatable {
        public var task: String
        public var metric: String
        public var filter: String
        public var higherIsBetter: Bool
        /// Docs both runs scored (matched by doc_index).
        public var sharedDocs: Int
        public var meanA: Double
        public var meanB: Double
        /// A − B, with its interval.
        public var difference: PairedDifference
        /// For metrics whose per-doc values are all 0 or 1.
        public var mcNemar: McNemarResult?
        public var verdict: Verdict
    }

    public var runA: String
    public var runB: String
    public var modelA: String
    public var modelB: String
    public var rows: [Row]
    /// What could not be compared and why (tasks in one run only, version or content-hash mismatches,
    /// docs only one run scored, unreadable lines).
    public var issues: [String]
    public var resamples: Int
    public var seed: UInt64

    /// Compares two run folders (each holding results.json and samples.jsonl).
    /// - Parameters:
    ///   - resamples: paired-bootstrap resamples.
    ///   - seed: bootstrap seed (the same seed gives the same intervals).
    /// - Throws: ``ResultsReadError`` when a folder has no readable results.json or samples.jsonl.
    public static func compare(runA: String, runB: String, resamples: Int = 1000, seed: UInt64 = 1234) throws -> RunComparison {
        let a = try ResultStore.read(path: URL(fileURLWithPath: runA).appendingPathComponent("results.json").path)
        let b = try ResultStore.read(path: URL(fileURLWithPath: runB).appendingPathComponent("results.json").path)
        let samplesA = try SampleStore.read(runFolder: runA)
        let samplesB = try SampleStore.read(runFolder: runB)
        var comparison = compare(a, samplesA.samples, b, samplesB.samples, resamples: resamples, seed: seed)
        comparison.issues += (samplesA.warnings + samplesB.warnings).map { "skipped line \($0)" }
        return comparison
    }

    /// Compares two decoded runs and their samples.
    public static func compare(_ a: StoredRun, _ samplesA: [SampleScores], _ b: StoredRun, _ samplesB: [SampleScores],
                               resamples: Int = 1000, seed: UInt64 = 1234) -> RunComparison {
        var issues: [String] = []
        var rows: [Row] = []
        let tasksB = Dictionary(b.results.tasks.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let namesA = Set(a.results.tasks.map(\.name))
        for task in a.results.tasks where tasksB[task.name] == nil { issues.append("\(task.name): only in A") }
        for task in b.results.tasks where !namesA.contains(task.name) { issues.append("\(task.name): only in B") }
        for taskA in a.results.tasks {
            guard let taskB = tasksB[taskA.name] else { continue }
            if taskA.version != taskB.version {
                issues.append("\(taskA.name): task versions differ (A \(taskA.version), B \(taskB.version)); not compared")
                continue
            }
            if taskA.contentHash != taskB.contentHash {
                issues.append("\(taskA.name): task content hashes differ (A \(taskA.contentHash), B \(taskB.contentHash)): the prompts or data changed; not compared")
                continue
            }
            let docsA = Dictionary(samplesA.filter { $0.task == taskA.name }.map { ($0.docIndex, $0) }, uniquingKeysWith: { first, _ in first })
            let docsB = Dictionary(samplesB.filter { $0.task == taskA.name }.map { ($0.docIndex, $0) }, uniquingKeysWith: { first, _ in first })
            let shared = Set(docsA.keys).intersection(docsB.keys).sorted()
            let onlyA = docsA.count - shared.count, onlyB = docsB.count - shared.count
            if onlyA > 0 || onlyB > 0 {
                issues.append("\(taskA.name): \(shared.count) docs shared; \(onlyA) only in A and \(onlyB) only in B are left out")
            }
            if shared.isEmpty {
                issues.append("\(taskA.name): no doc scored by both runs (samples.jsonl); not compared")
                continue
            }
            for metric in taskA.metrics {
                var valuesA: [Double] = [], valuesB: [Double] = []
                for index in shared {
                    guard let x = docsA[index]?.value(metric: metric.metric, filter: metric.filter),
                          let y = docsB[index]?.value(metric: metric.metric, filter: metric.filter), x.isFinite, y.isFinite else { continue }
                    valuesA.append(x)
                    valuesB.append(y)
                }
                // Corpus metrics (BLEU, chrF) have no per-doc value and so no paired comparison here.
                guard !valuesA.isEmpty,
                      let difference = try? PairedComparison.pairedBootstrap(valuesA, valuesB, resamples: resamples, seed: seed)
                else { continue }
                let binary = (valuesA + valuesB).allSatisfy { $0 == 0 || $0 == 1 }
                let mcNemar = binary ? try? PairedComparison.mcNemar(valuesA.map { $0 == 1 }, valuesB.map { $0 == 1 }) : nil
                let verdict = Self.verdict(difference, higherIsBetter: metric.higherIsBetter)
                rows.append(Row(task: taskA.name, metric: metric.metric, filter: metric.filter, higherIsBetter: metric.higherIsBetter,
                                sharedDocs: valuesA.count, meanA: Statistics.mean(valuesA), meanB: Statistics.mean(valuesB),
                                difference: difference, mcNemar: mcNemar, verdict: verdict))
            }
        }
        return RunComparison(runA: a.results.runID, runB: b.results.runID, modelA: a.results.model.name,
                             modelB: b.results.model.name, rows: rows, issues: issues, resamples: resamples, seed: seed)
    }

    /// Better when the interval for A − B lies entirely on A's good side of 0, worse when entirely on the bad side.
    public static func verdict(_ difference: PairedDifference, higherIsBetter: Bool) -> Verdict {
        let (good, bad) = higherIsBetter ? (difference.low > 0, difference.high < 0) : (difference.high < 0, difference.low > 0)
        if good { return .better }
        if bad { return .worse }
        return .noSignificantDifference
    }
}
