import EvalCore
import Foundation

/// A training run's checkpoints (models named `<run>@<step>`): each task's primary metric per step,
/// with the series analysis.
public struct ProgressionReport: Sendable, Codable, Equatable {
    /// One task's series.
    public struct TaskSeries: Sendable, Codable, Equatable {
        public var task: String
        public var display: String
        public var metric: String
        public var filter: String
        public var higherIsBetter: Bool
        /// Aligned with `steps`; nil where that checkpoint has no result for the task.
        public var points: [LeaderboardTable.Cell?]
        public var analysis: SeriesAnalysis
    }

    public var run: String
    public var steps: [Int]
    public var tasks: [TaskSeries]

    /// The step of a checkpoint model named `<run>@<step>`, nil for other models.
    public static func step(model: String, run: String) -> Int? {
        guard model.hasPrefix(run + "@") else { return nil }
        return Int(model.dropFirst(run.count + 1))
    }

    /// Builds the progression of `spec.progression.run`; nil when the board has no progression
    /// section or no checkpoint of that run was found.
    /// - Parameters:
    ///   - runs: every run read.
    ///   - columns: the board's task columns (primary metric per task).
    ///   - readChance: whether to read samples.jsonl of the last checkpoint for the number of choices.
    public static func build(runs: [StoredRun], spec: BoardSpec, columns: [LeaderboardTable.Column],
                             readChance: Bool = true) -> ProgressionReport? {
        guard let progression = spec.progression else { return nil }
        let checkpointRuns = runs.filter { step(model: $0.results.model.name, run: progression.run) != nil }
        guard !checkpointRuns.isEmpty else { return nil }
        var footnotes: [String] = []
        let latest = LeaderboardTable.newestResults(runs: checkpointRuns, footnotes: &footnotes)
        let steps = Set(latest.keys.compactMap { step(model: $0.model, run: progression.run) }).sorted()
        var series: [TaskSeries] = []
        for column in columns {
            let points: [LeaderboardTable.Cell?] = steps.map { step in
                guard let found = latest[.init(model: "\(progression.run)@\(step)", task: column.task)],
                      let metric = found.task.metrics.first(where: { $0.metric == column.metric && $0.filter == column.filter })
                else { return nil }
                return LeaderboardTable.Cell(value: metric.value, stderr: metric.stderr, n: metric.n, runID: found.runID, isBest: false)
            }
            let present = zip(steps, points).compactMap { step, point in point.map { (Double(step), $0.value) } }
            guard !present.isEmpty else { continue }
            var chance = spec.tasks.first { $0.name == column.task }?.chance
            if readChance, let lastRunID = points.last(where: { $0 != nil })??.runID,
               let run = checkpointRuns.first(where: { $0.results.runID == lastRunID }),
               let samples = try? SampleStore.read(runFolder: run.folder).samples,
               let fromSamples = SampleStore.chanceLevel(task: column.task, samples: samples) {
                chance = fromSamples
            }
            let analysis = CheckpointSeries.analyze(steps: present.map(\.0), scores: present.map(\.1),
                                                    higherIsBetter: column.higherIsBetter, lastK: progression.lastK,
                                                    chance: chance)
            series.append(TaskSeries(task: column.task, display: column.display, metric: column.metric, filter: column.filter,
                                     higherIsBetter: column.higherIsBetter, points: points, analysis: analysis))
        }
        return ProgressionReport(run: progression.run, steps: steps, tasks: series)
    }

    /// The line chart of every task's score against step, with ±stderr bands.
    public func chart() -> String {
        let lines = tasks.map { task in
            ChartSeries(name: task.display, points: zip(steps, task.points).compactMap { step, point in
                point.map { ChartPoint(x: Double(step), y: $0.value, stderr: $0.stderr) }
            })
        }
        return SVGChart.line(series: lines, title: "\(run): score by checkpoint", xLabel: "step", yLabel: "score")
    }
}
