import EvalCore
import Foundation

extension LeaderboardTable {
    /// A column heading: "ARC-e (acc_norm ↑)", with the filter when it is not "none".
    func heading(_ column: Column) -> String {
        let arrow = column.higherIsBetter ? "↑" : "↓"
        let metric = column.filter == "none" ? column.metric : "\(column.metric), \(column.filter)"
        return "\(column.display) (\(metric) \(arrow))"
    }

    /// "0.6543 ± 0.0123", bold value when best.
    static func cellText(_ cell: Cell?) -> String {
        guard let cell else { return "–" }
        let value = MarkdownTable.format(cell.value)
        return "\(cell.isBest ? "**\(value)**" : value) ± \(MarkdownTable.format(cell.stderr))"
    }

    static func averageText(_ value: Double?, _ stderr: Double?, partial: Bool) -> String {
        guard let value else { return "–" }
        return "\(MarkdownTable.format(value)) ± \(MarkdownTable.format(stderr ?? 0))" + (partial ? "*" : "")
    }

    /// The board as Markdown: title, table, how to read it, footnotes and (unless `includeNotes` is false) notes.
    public func markdown(includeNotes: Bool = true) -> String {
        var header = ["Rank", "Model"] + columns.map(heading) + ["Average"]
        if hasWeights { header.append("Weighted average") }
        header.append("n")
        var rows: [[String]] = []
        for row in self.rows {
            let partial = row.tasksCovered < columns.count
            var line = [row.rankLabel, row.display] + row.cells.map(Self.cellText)
            line.append(Self.averageText(row.average, row.averageStderr, partial: partial))
            if hasWeights { line.append(Self.averageText(row.weightedAverage, row.weightedAverageStderr, partial: partial)) }
            line.append(String(row.n))
            rows.append(line)
        }
        let aligned = [true, false] + columns.map { _ in true } + (hasWeights ? [true, true] : [true]) + [true]
        var text = "# \(title)\n\n"
        if self.rows.isEmpty {
            text += "No results found.\n"
        } else {
            text += MarkdownTable.table(header: header, rows: rows, rightAligned: aligned)
            text += "\nSorted by \(sortedBy). Values are the primary metric ± standard error; **bold** is the best in its column. "
            text += "\"k=\" ranks share a 95% interval (value ± 1.96·stderr) with a neighbour: the data cannot order them. "
            text += "n is the number of documents scored.\n"
            if self.rows.contains(where: { $0.tasksCovered < columns.count }) {
                text += "\n\\* average over the tasks the model has results for; such rows rank after complete ones.\n"
            }
        }
        if !footnotes.isEmpty {
            text += "\n" + footnotes.enumerated().map { "\($0 + 1). \($1)" }.joined(separator: "\n") + "\n"
        }
        if includeNotes, let notes, !notes.isEmpty {
            text += "\n" + notes.trimmingCharacters(in: .whitespacesAndNewlines) + "\n"
        }
        return text
    }

    /// The board as CSV (RFC 4180 quoting): one row per model, value and stderr columns per task.
    public func csv() -> String {
        var header = ["rank", "model", "display"]
        for column in columns { header += ["\(column.task)/\(column.metric)/\(column.filter)", "\(column.task)/\(column.metric)/\(column.filter)/stderr"] }
        header += ["average", "average_stderr", "weighted_average", "weighted_average_stderr", "n"]
        var lines = [header.map(Self.csvField).joined(separator: ",")]
        func number(_ value: Double?) -> String { value.map { $0.isNaN ? "nan" : String($0) } ?? "" }
        for row in rows {
            var fields = [row.rankLabel, row.model, row.display]
            for cell in row.cells { fields += [number(cell?.value), number(cell?.stderr)] }
            fields += [number(row.average), number(row.averageStderr), number(row.weightedAverage), number(row.weightedAverageStderr), String(row.n)]
            lines.append(fields.map(Self.csvField).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

extension ProgressionReport {
    /// Two tables: task × step scores, then the series analysis per task.
    public func markdown() -> String {
        var text = "## Progression: \(run)\n\n"
        let header = ["Task"] + steps.map { "step \($0)" }
        let rows = tasks.map { task in [task.display] + task.points.map(LeaderboardTable.cellText) }
        text += MarkdownTable.table(header: header, rows: rows, rightAligned: [false] + steps.map { _ in true })
        text += "\n### Series analysis\n\n"
        let analysisHeader = ["Task", "Spearman ρ (p)", "Monotonicity", "Last-k mean", "Signal/noise", "Chance", "Above chance"]
        let analysisRows = tasks.map { task -> [String] in
            let a = task.analysis
            let p = a.spearmanPValue.isNaN ? "–" : String(format: "%.3f", a.spearmanPValue)
            return [task.display, "\(Self.short(a.spearmanRho)) (\(p))", Self.short(a.monotonicity),
                    "\(MarkdownTable.format(a.lastKMean)) (k=\(a.lastK))", Self.short(a.signalToNoise),
                    a.chance.map(MarkdownTable.format) ?? "–", a.aboveChance.map(MarkdownTable.format) ?? "–"]
        }
        text += MarkdownTable.table(header: analysisHeader, rows: analysisRows,
                                    rightAligned: [false, true, true, true, true, true, true])
        text += "\nρ > 0: the score improves with training (direction-aware). Monotonicity: fraction of consecutive "
        text += "checkpoints that improve. Signal/noise: |mean| / std of the last k checkpoints. Above chance: last-k mean "
        text += "minus the random-chance score.\n"
        return text
    }

    static func short(_ value: Double) -> String {
        if value.isNaN { return "–" }
        if value.isInfinite { return value > 0 ? "∞" : "-∞" }
        return String(format: "%.2f", value)
    }
}

extension LeaderboardTable {
    /// A bar chart of each model's average (weighted when the board has weights) ± its standard error, in rank order.
    public func averageChart() -> String {
        let bars = rows.compactMap { row -> ChartBar? in
            let value = hasWeights ? row.weightedAverage : row.average
            let stderr = hasWeights ? row.weightedAverageStderr : row.averageStderr
            return value.map { ChartBar(label: row.display, value: $0, stderr: stderr) }
        }
        return SVGChart.bar(bars: bars, title: title, yLabel: hasWeights ? "weighted average" : "average")
    }
}
