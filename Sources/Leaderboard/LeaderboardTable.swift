import EvalCore
import EvalMetrics
import Foundation

/// A models × tasks board, computed and ready to render as Markdown, JSON or CSV.
public struct LeaderboardTable: Sendable, Codable, Equatable {
    /// One task column.
    public struct Column: Sendable, Codable, Equatable {
        public var task: String
        public var display: String
        public var metric: String
        public var filter: String
        public var higherIsBetter: Bool
        /// Weight in the weighted average.
        public var weight: Double
    }

    /// One model's score on one task.
    public struct Cell: Sendable, Codable, Equatable {
        public var value: Double
        public var stderr: Double
        public var n: Int
        /// The run the value comes from (the newest when several runs have this model and task).
        public var runID: String
        /// Whether this is the best value in its column (ties all count).
        public var isBest: Bool

        // "runId" so snake_case JSON ("run_id") round-trips through convertFromSnakeCase.
        enum CodingKeys: String, CodingKey {
            case value, stderr, n, runID = "runId", isBest
        }
    }

    /// One model.
    public struct Row: Sendable, Codable, Equatable {
        public var model: String
        public var display: String
        /// Aligned with `columns`; nil where the model has no result for the task.
        public var cells: [Cell?]
        /// Plain mean of the cells present.
        public var average: Double?
        /// Standard error of `average`, treating tasks as independent: √(Σ seᵢ²) / k.
        public var averageStderr: Double?
        /// Mean weighted by column weights over the cells present.
        public var weightedAverage: Double?
        public var weightedAverageStderr: Double?
        /// Competition rank (1, 2, 2, 4 ...) after tie grouping.
        public var rank: Int
        /// The rank as shown: "3", or "1=" when the 95% interval overlaps a neighbour's.
        public var rankLabel: String
        /// Documents scored over all cells (sum of each cell's n).
        public var n: Int
        /// How many of the board's tasks the model has results for.
        public var tasksCovered: Int
    }

    public var title: String
    public var columns: [Column]
    public var rows: [Row]
    /// Whether the weighted average differs from the plain one in definition (some weight ≠ 1).
    public var hasWeights: Bool
    /// What the rows are sorted by, as shown ("Average", a task display name ...).
    public var sortedBy: String
    /// Explanations printed under the table (duplicate runs, partial rows, mixed directions).
    public var footnotes: [String]
    public var notes: String?
}

extension LeaderboardTable {
    /// Builds the board from decoded runs.
    /// - Parameters:
    ///   - runs: every run read (checkpoint models included; the caller filters if it wants).
    ///   - spec: the board definition; tasks missing from it are taken from the runs.
    public static func build(runs: [StoredRun], spec: BoardSpec) -> LeaderboardTable {
        var footnotes: [String] = []
        let latest = newestResults(runs: runs, footnotes: &footnotes)
        let columns = resolveColumns(spec: spec, runs: runs, latest: latest)

        let models = Set(latest.keys.map(\.model)).sorted()
        var rows: [Row] = []
        for model in models {
            var cells: [Cell?] = []
            for column in columns {
                guard let found = latest[ModelTask(model: model, task: column.task)],
                      let metric = found.task.metrics.first(where: { $0.metric == column.metric && $0.filter == column.filter })
                else { cells.append(nil); continue }
                cells.append(Cell(value: metric.value, stderr: metric.stderr, n: metric.n, runID: found.runID, isBest: false))
            }
            let present = zip(cells, columns).compactMap { cell, column in cell.map { ($0, column.weight) } }
            guard !present.isEmpty else { continue }
            let plain = weightedMean(present.map { ($0.0, 1.0) })
            let weighted = weightedMean(present)
            rows.append(Row(model: model, display: spec.displayName(model: model), cells: cells,
                            average: plain?.value, averageStderr: plain?.stderr,
                            weightedAverage: weighted?.value, weightedAverageStderr: weighted?.stderr,
                            rank: 0, rankLabel: "", n: present.map(\.0.n).reduce(0, +), tasksCovered: present.count))
        }
        markBest(&rows, columns: columns)
        let sortedBy = rankRows(&rows, columns: columns, sort: spec.sort)
        for row in rows where row.tasksCovered < columns.count {
            footnotes.append("\(row.display): results for \(row.tasksCovered) of \(columns.count) tasks; its averages cover those only.")
        }
        if Set(columns.map(\.higherIsBetter)).count > 1 {
            footnotes.append("The averages mix higher-is-better and lower-is-better metrics; read them with care.")
        }
        return LeaderboardTable(title: spec.title, columns: columns, rows: rows,
                                hasWeights: columns.contains { $0.weight != 1 }, sortedBy: sortedBy,
                                footnotes: footnotes, notes: spec.notes)
    }

    struct ModelTask: Hashable {
        var model: String
        var task: String
    }

    struct Found {
        var task: RunResults.TaskResult
        var runID: String
        var createdAt: String
        var date: Date?
    }

    /// For each model and task, the task result of the newest run (by created_at, then run id).
    static func newestResults(runs: [StoredRun], footnotes: inout [String]) -> [ModelTask: Found] {
        var all: [ModelTask: [Found]] = [:]
        let dates = ResultStore.DateParser()
        for run in runs {
            let date = dates.parse(run.results.createdAt)
            for task in run.results.tasks {
                all[ModelTask(model: run.results.model.name, task: task.name), default: []]
                    .append(Found(task: task, runID: run.results.runID, createdAt: run.results.createdAt, date: date))
            }
        }
        var latest: [ModelTask: Found] = [:]
        // Per model: (task, number of runs, newest run) for tasks found in more than one run.
        var repeated: [(model: String, task: String, count: Int, newest: Found)] = []
        for key in all.keys.sorted(by: { ($0.model, $0.task) < ($1.model, $1.task) }) {
            guard let candidates = all[key] else { continue }
            let newest = candidates.max { a, b in
                switch (a.date, b.date) {
                case let (x?, y?) where x != y: return x < y
                default: return (a.createdAt, a.runID) < (b.createdAt, b.runID)
                }
            }
            guard let newest else { continue }
            latest[key] = newest
            if candidates.count > 1 { repeated.append((key.model, key.task, candidates.count, newest)) }
        }
        // One footnote per model, so a store with many reruns stays readable.
        for model in Set(repeated.map(\.model)).sorted() {
            let items = repeated.filter { $0.model == model }
            var newestRuns: [String] = []
            for item in items where !newestRuns.contains("\(item.newest.runID), \(item.newest.createdAt)") {
                newestRuns.append("\(item.newest.runID), \(item.newest.createdAt)")
            }
            let tasks = items.map { "\($0.task) (\($0.count) runs)" }.joined(separator: ", ")
            let shown = newestRuns.count <= 3 ? newestRuns.joined(separator: "; ") : "\(newestRuns.count) different runs"
            footnotes.append("\(model): \(tasks) found; the newest run is shown (\(shown)).")
        }
        return latest
    }

    /// The board's columns: the spec's tasks (or every task found), each with its primary metric and weight.
    static func resolveColumns(spec: BoardSpec, runs: [StoredRun], latest: [ModelTask: Found]) -> [Column] {
        var taskSpecs = spec.tasks
        if taskSpecs.isEmpty {
            taskSpecs = Set(latest.keys.map(\.task)).sorted().map { BoardSpec.TaskColumn(name: $0) }
        }
        if !spec.columns.isEmpty {
            let order = Dictionary(spec.columns.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
            taskSpecs = taskSpecs.enumerated().sorted { a, b in
                (order[a.element.name] ?? spec.columns.count + a.offset, a.offset) < (order[b.element.name] ?? spec.columns.count + b.offset, b.offset)
            }.map(\.element)
        }
        // Group weights from results: the first group (in path order) listing the task.
        var groupWeights: [String: Double] = [:]
        for run in runs {
            for group in run.results.groups {
                for (task, weight) in zip(group.tasks, group.weights) where groupWeights[task] == nil {
                    groupWeights[task] = weight
                }
            }
        }
        let examples = latest.sorted { ($0.key.model, $0.key.task) < ($1.key.model, $1.key.task) }
        return taskSpecs.map { taskSpec in
            let example = examples.first { $0.key.task == taskSpec.name }?.value.task
            let metric = example?.metrics.first { candidate in
                (taskSpec.metric.map { $0 == candidate.metric } ?? true) && (taskSpec.filter.map { $0 == candidate.filter } ?? true)
            }
            return Column(task: taskSpec.name, display: taskSpec.display ?? taskSpec.name,
                          metric: taskSpec.metric ?? metric?.metric ?? "?",
                          filter: taskSpec.filter ?? metric?.filter ?? "none",
                          higherIsBetter: metric?.higherIsBetter ?? true,
                          weight: taskSpec.weight ?? groupWeights[taskSpec.name] ?? 1)
        }
    }

    /// Weighted mean and its standard error √(Σ wᵢ² seᵢ²) / Σ wᵢ (tasks independent); nil for zero total weight.
    static func weightedMean(_ items: [(Cell, Double)]) -> (value: Double, stderr: Double)? {
        let total = items.map(\.1).reduce(0, +)
        guard total > 0 else { return nil }
        let value = items.map { $0.0.value * $0.1 }.reduce(0, +) / total
        let variance = items.map { $0.1 * $0.1 * $0.0.stderr * $0.0.stderr }.reduce(0, +)
        return (value, variance.squareRoot() / total)
    }

    static func markBest(_ rows: inout [Row], columns: [Column]) {
        for (index, column) in columns.enumerated() {
            let values = rows.compactMap { $0.cells[index]?.value }.filter { !$0.isNaN }
            guard let best = column.higherIsBetter ? values.max() : values.min() else { continue }
            for row in rows.indices where rows[row].cells[index]?.value == best {
                rows[row].cells[index]?.isBest = true
            }
        }
    }
}
