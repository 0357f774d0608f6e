import EvalCore
import Foundation

extension RunComparison {
    /// The comparison as Markdown: one row per task, metric and filter, then the issues.
    public func markdown() -> String {
        var text = "# \(modelA) (A) vs \(modelB) (B)\n\nA: `\(runA)`  \nB: `\(runB)`\n\n"
        if rows.isEmpty {
            text += "Nothing could be compared.\n"
        } else {
            let header = ["Task", "Metric", "Docs", "A", "B", "A − B", "95% CI", "McNemar p", "Verdict"]
            let lines = rows.map { row -> [String] in
                let metric = (row.filter == "none" ? row.metric : "\(row.metric) (\(row.filter))") + (row.higherIsBetter ? " ↑" : " ↓")
                let interval = "[\(Self.signed(row.difference.low)), \(Self.signed(row.difference.high))]"
                let p = row.mcNemar.map { String(format: "%.4f", $0.pValue) } ?? "–"
                let verdict = row.verdict == .noSignificantDifference ? row.verdict.rawValue : "A \(row.verdict.rawValue)"
                return [row.task, metric, String(row.sharedDocs), MarkdownTable.format(row.meanA), MarkdownTable.format(row.meanB),
                        Self.signed(row.difference.difference), interval, p, verdict]
            }
            text += MarkdownTable.table(header: header, rows: lines,
                                        rightAligned: [false, false, true, true, true, true, true, true, false])
            text += "\nPaired over the docs both runs scored (matched by task and doc_index). 95% CI: percentile paired "
            text += "bootstrap, \(resamples) resamples, seed \(seed). McNemar's test for 0/1 metrics (exact below 25 "
            text += "discordant docs). Verdict from the interval: \"better\" when it excludes 0 on A's good side.\n"
        }
        if !issues.isEmpty {
            text += "\n## Not compared\n\n" + issues.map { "- \($0)" }.joined(separator: "\n") + "\n"
        }
        return text
    }

    static func signed(_ value: Double) -> String {
        value.isNaN ? "nan" : String(format: "%+.4f", value)
    }
}
