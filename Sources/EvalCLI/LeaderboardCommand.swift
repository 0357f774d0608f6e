import ArgumentParser
import EvalCore
import Foundation
import Leaderboard

extension LeaderboardFormat: ExpressibleByArgument {}

extension Eval {
    /// `eval leaderboard`: many results folders → one board (logic in the Leaderboard target).
    struct Leaderboard: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Aggregate results.json files into a models × tasks leaderboard (Markdown, JSON or CSV).",
            discussion: """
                Reads every results.json below the folders (default: the board's `results`, else results/). \
                Unreadable files are skipped with a warning on stderr. With --out, a \
                Markdown board also writes <out without extension>.averages.svg (bar chart) and, with a \
                progression section, <out without extension>.progression.svg next to it. \
                See docs/leaderboards.md.
                """
        )

        @Argument(help: ArgumentHelp("Results folders (or results.json files) to read.", valueName: "results-dir"))
        var directories: [String] = []

        @Option(name: .long, help: ArgumentHelp("Board file: title, tasks, metrics, aliases, sort, progression (leaderboards/<name>.yaml).", valueName: "file"))
        var config: String?

        @Option(name: .long, help: ArgumentHelp("Output format: markdown, json or csv.", valueName: "format"))
        var format: LeaderboardFormat = .markdown

        @Option(name: .long, help: ArgumentHelp("Write the board to this file (atomically) instead of stdout.", valueName: "file"))
        var out: String?

        func run() throws {
            let spec = try config.map { try BoardSpec.load(path: $0) } ?? BoardSpec()
            let report = LeaderboardReport.make(directories: directories, spec: spec)
            for warning in report.warnings {
                FileHandle.standardError.write(Data("warning: skipped \(warning)\n".utf8))
            }
            guard !report.board.rows.isEmpty else {
                let folders = directories.isEmpty ? (spec.results.isEmpty ? [ResultStore.defaultDirectory] : spec.results) : directories
                throw UsageError("no readable results with the board's tasks under \(folders.joined(separator: ", "))")
            }
            guard let out else {
                print(try report.render(format), terminator: "")
                return
            }
            var written = [out]
            var chartFile: String?, averageChartFile: String?
            if format == .markdown {
                let stem = URL(fileURLWithPath: out).deletingPathExtension()
                let averageURL = stem.appendingPathExtension("averages.svg")
                try AtomicFile.write(report.board.averageChart(), to: averageURL.path)
                averageChartFile = averageURL.lastPathComponent
                written.append(averageURL.path)
                if let progression = report.progression {
                    let chartURL = stem.appendingPathExtension("progression.svg")
                    try AtomicFile.write(progression.chart(), to: chartURL.path)
                    chartFile = chartURL.lastPathComponent
                    written.append(chartURL.path)
                }
            }
            try AtomicFile.write(try report.render(format, chartFile: chartFile, averageChartFile: averageChartFile), to: out)
            FileHandle.standardError.write(Data("wrote \(written.joined(separator: ", "))\n".utf8))
        }
    }
}
