import Foundation

/// The table `eval run` prints: Task | Version | Shots | Metric | Value | ± Stderr.
public enum MarkdownTable {
    public static func render(_ results: RunResults) -> String {
        var rows: [[String]] = []
        for task in results.tasks {
            for metric in task.metrics {
                let name = metric.filter == "none" ? metric.metric : "\(metric.metric) (\(metric.filter))"
                let arrow = metric.higherIsBetter ? "↑" : "↓"
                rows.append([task.name, task.version, String(task.fewshot), "\(name) \(arrow)",
                             format(metric.value), format(metric.stderr)])
            }
        }
        return table(header: ["Task", "Version", "Shots", "Metric", "Value", "± Stderr"], rows: rows,
                     rightAligned: [false, false, true, false, true, true])
    }

    public static func format(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value > 0 ? "inf" : "-inf" }
        return String(format: "%.4f", value)
    }

    /// A GitHub-flavoured Markdown table with padded columns.
    public static func table(header: [String], rows: [[String]], rightAligned: [Bool]) -> String {
        var widths = header.map { $0.count }
        for row in rows { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count, 3) } }
        func pad(_ cell: String, _ i: Int) -> String {
            let padding = String(repeating: " ", count: max(0, widths[i] - cell.count))
            return rightAligned[i] ? padding + cell : cell + padding
        }
        var lines = ["| " + header.enumerated().map { pad($1, $0) }.joined(separator: " | ") + " |"]
        lines.append("|" + widths.enumerated().map { i, w in
            rightAligned[i] ? " " + String(repeating: "-", count: w - 1) + ": " : " " + String(repeating: "-", count: w) + " "
        }.joined(separator: "|") + "|")
        for row in rows { lines.append("| " + row.enumerated().map { pad($1, $0) }.joined(separator: " | ") + " |") }
        return lines.joined(separator: "\n") + "\n"
    }
}
