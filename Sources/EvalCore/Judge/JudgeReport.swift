import Foundation

/// The Markdown `eval run` prints for judge tasks, and the pairwise standings file the
/// leaderboard's `ratings:` key shows.
public enum JudgeReport {
    public static func markdown(_ run: JudgeTaskRun) -> String {
        guard let spec = run.spec else { return "" }
        var text = "### \(run.prepared.task.name): \(spec.mode.rawValue) judgements by \(run.judge.name)\n\n"
        if run.pairwise != nil {
            text += standingsMarkdown(run)
        } else {
            text += singleTable(run) + "\n" + footer(run)
            if let categories = categoryTable(run) { text += "\nPer category:\n\n" + categories }
        }
        return text
    }

    /// Pairwise standings with ratings, then a line on the judge's consistency.
    public static func standingsMarkdown(_ run: JudgeTaskRun) -> String {
        guard let pairwise = run.pairwise else { return "" }
        let rows = pairwise.standings.enumerated().map { rank, s -> [String] in
            let interval = s.ratingLow.flatMap { low in s.ratingHigh.map { "\(fixed(low, 0))–\(fixed($0, 0))" } } ?? "–"
            return [String(rank + 1), s.model.replacingOccurrences(of: "|", with: "\\|"), s.rating.map { fixed($0, 0) } ?? "–", interval,
                    String(s.wins), String(s.ties), String(s.losses), String(s.unparsed), fixed(s.winRate, 3),
                    fixed(s.adjustedWinRate, 3), fixed(s.meanAnswerCharacters, 0)]
        }
        var text = MarkdownTable.table(
            header: ["#", "Model", "Rating", "95% CI", "W", "T", "L", "Unparsed", "Win rate", "Adjusted win rate", "Mean length (chars)"],
            rows: rows, rightAligned: [true, false, true, false, true, true, true, true, true, true, true])
        text += "\n" + footer(run)
        if let error = pairwise.ratingError { text += "No ratings: \(error)\n" }
        return text
    }

    static func singleTable(_ run: JudgeTaskRun) -> String {
        let turnLabels = run.singleSummaries.first.map { $0.turns.count > 1 ? $0.turns.map(\.label) : [] } ?? []
        let rows = run.singleSummaries.map { s -> [String] in
            [s.model.replacingOccurrences(of: "|", with: "\\|"), fixed(s.overall.mean, 2), s.overall.n == 0 ? "–" : fixed(s.overall.stderr, 2),
             String(s.overall.n), String(s.overall.unparsed)]
                + turnLabels.map { label in s.turns.first { $0.label == label }.map { fixed($0.mean, 2) } ?? "–" }
                + [fixed(s.meanAnswerCharacters, 0)]
        }
        let header = ["Model", "Score", "± Stderr", "n", "Unparsed"] + turnLabels.map { $0.prefix(1).uppercased() + $0.dropFirst() }
            + ["Mean length (chars)"]
        return MarkdownTable.table(header: header, rows: rows,
                                   rightAligned: [false] + Array(repeating: true, count: header.count - 1))
    }

    static func categoryTable(_ run: JudgeTaskRun) -> String? {
        guard let categories = run.singleSummaries.first?.categories.map(\.label), !categories.isEmpty else { return nil }
        let rows = run.singleSummaries.map { s in
            [s.model.replacingOccurrences(of: "|", with: "\\|")] + categories.map { label in
                s.categories.first { $0.label == label && $0.n > 0 }.map { "\(fixed($0.mean, 2)) ± \(fixed($0.stderr, 2))" } ?? "–"
            }
        }
        return MarkdownTable.table(header: ["Model"] + categories, rows: rows,
                                   rightAligned: [false] + Array(repeating: true, count: categories.count))
    }

    static func footer(_ run: JudgeTaskRun) -> String {
        var parts = ["Judge: \(run.judge.name) (\(run.judge.backend))",
                     "unparseable judgements: \(run.unparsedCount) of \(run.judgementCount)"]
        if let pairwise = run.pairwise {
            parts.append("position consistency: \(percent(pairwise.consistencyRate)) (\(pairwise.consistent) of \(pairwise.bothParsed) battles with both verdicts)")
            parts.append("answer shown first chosen in \(percent(pairwise.firstShownRate)) of judgements naming a winner")
        }
        return parts.joined(separator: "; ") + ".\n"
    }

    static func percent(_ value: Double) -> String { value.isNaN ? "–" : String(format: "%.1f%%", 100 * value) }

    static func fixed(_ value: Double, _ digits: Int) -> String {
        value.isNaN ? "–" : String(format: "%.\(digits)f", value)
    }
}
