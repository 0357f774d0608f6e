import EvalCore
import Foundation
import Leaderboard

/// The table of a checkpoint series: one row per task and metric, one column per step.
struct Progression {
    struct Point {
        let step: Int
        let results: RunResults
    }

    var points: [Point] = []

    var steps: [Int] { points.map(\.step) }

    /// Rows in the order tasks and metrics first appear.
    func rows() -> [(task: String, metric: String, filter: String, values: [MetricResult?])] {
        var keys: [(String, String, String)] = []
        for point in points {
            for task in point.results.tasks {
                for metric in task.metrics where !keys.contains(where: { $0 == (task.name, metric.metric, metric.filter) }) {
                    keys.append((task.name, metric.metric, metric.filter))
                }
            }
        }
        return keys.map { key in
            let values = points.map { point in
                point.results.tasks.first { $0.name == key.0 }?.metrics.first { $0.metric == key.1 && $0.filter == key.2 }
            }
            return (key.0, key.1, key.2, values)
        }
    }

    /// SVG line charts against step with stderr bands: `progression.svg` holds every metric whose
    /// values lie in [0, 1] (accuracies share a scale); each other metric gets
    /// `progression-<task>-<metric>.svg`.
    func charts() -> [(file: String, svg: String)] {
        var unitSeries: [ChartSeries] = []
        var charts: [(String, String)] = []
        for row in rows() {
            let name = row.filter == "none" ? "\(row.task) \(row.metric)" : "\(row.task) \(row.metric) (\(row.filter))"
            let points = zip(steps, row.values).compactMap { step, value in
                value.map { ChartPoint(x: Double(step), y: $0.value, stderr: $0.stderr) }
            }
            let series = ChartSeries(name: name, points: points)
            if points.allSatisfy({ (0...1).contains($0.y) }) {
                unitSeries.append(series)
            } else {
                let safe = "\(row.task)-\(row.metric)".map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" }
                charts.append(("progression-\(String(safe)).svg",
                               SVGChart.line(series: [series], title: name, xLabel: "step", yLabel: row.metric)))
            }
        }
        if !unitSeries.isEmpty {
            charts.insert(("progression.svg", SVGChart.line(series: unitSeries, title: "Scores by training step", xLabel: "step", yLabel: "score")), at: 0)
        }
        return charts
    }

    func markdown() -> String {
        let header = ["Task", "Metric"] + steps.map { "step \($0)" }
        let body = rows().map { row -> [String] in
            let name = row.filter == "none" ? row.metric : "\(row.metric) (\(row.filter))"
            return [row.task, name] + row.values.map { value in
                value.map { "\(MarkdownTable.format($0.value)) ± \(MarkdownTable.format($0.stderr))" } ?? "—"
            }
        }
        return MarkdownTable.table(header: header, rows: body,
                                   rightAligned: [false, false] + steps.map { _ in true })
    }
}

/// Writes `progression.md` and `progression.json` (steps and the run ids of each checkpoint's
/// results) into `<output>/<series>-progression-<time>/`, atomically.
enum ProgressionWriter {
    /// - Parameter folderName: a fixed folder to replace (eval watch); default a new timestamped one.
    static func write(_ progression: Progression, series: String, to directory: URL, folderName: String? = nil) throws -> URL {
        let name = URL(fileURLWithPath: series).lastPathComponent
        let id = folderName ?? ResultsWriter.makeRunID(model: name, task: "progression")
        let final = directory.appendingPathComponent(id)
        let temporary = directory.appendingPathComponent(".tmp-\(id)")
        let fileManager = FileManager.default
        try? fileManager.removeItem(at: temporary)
        try fileManager.createDirectory(at: temporary, withIntermediateDirectories: true)
        do {
            try progression.markdown().write(to: temporary.appendingPathComponent("progression.md"), atomically: false, encoding: .utf8)
            let index: [String: JSONValue] = [
                "series": .string(series),
                "checkpoints": .array(progression.points.map { point in
                    .object(["step": .number(Double(point.step)), "run_id": .string(point.results.runID)])
                }),
            ]
            try ResultsWriter.encoder().encode(JSONValue.object(index)).write(to: temporary.appendingPathComponent("progression.json"))
            for (file, svg) in progression.charts() {
                try svg.write(to: temporary.appendingPathComponent(file), atomically: false, encoding: .utf8)
            }
            try? fileManager.removeItem(at: final)
            try fileManager.moveItem(at: temporary, to: final)
        } catch {
            try? fileManager.removeItem(at: temporary)
            throw error
        }
        return final
    }
}
