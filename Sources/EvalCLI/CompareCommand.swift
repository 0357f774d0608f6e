import ArgumentParser
import EvalCore
import Foundation
import Leaderboard

extension Eval {
    /// `eval compare`: two runs, doc by doc (logic in the Leaderboard target).
    struct Compare: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare two runs on the docs both scored: paired bootstrap CI, McNemar's test, a verdict.",
            discussion: """
                RUN_A and RUN_B are results folders holding results.json and samples.jsonl. Tasks whose \
                version or content hash differ, and tasks in one run only, are listed as not compared. \
                See docs/leaderboards.md.
                """
        )

        enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
            case markdown, json
        }

        @Argument(help: ArgumentHelp("First run's results folder (A).", valueName: "run-a"))
        var runA: String

        @Argument(help: ArgumentHelp("Second run's results folder (B); differences are A − B.", valueName: "run-b"))
        var runB: String

        @Option(name: .long, help: ArgumentHelp("Seed of the paired bootstrap (same seed, same intervals).", valueName: "n"))
        var seed: UInt64 = 1234

        @Option(name: .long, help: ArgumentHelp("Paired-bootstrap resamples.", valueName: "n"))
        var resamples: Int = 1000

        @Option(name: .long, help: ArgumentHelp("Output format: markdown or json.", valueName: "format"))
        var format: OutputFormat = .markdown

        @Option(name: .long, help: ArgumentHelp("Write the comparison to this file (atomically) instead of stdout.", valueName: "file"))
        var out: String?

        func run() throws {
            guard resamples >= 1 else { throw UsageError("--resamples must be at least 1, got \(resamples)") }
            for folder in [runA, runB] {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
                    throw UsageError("no results folder '\(folder)'")
                }
            }
            let comparison: RunComparison
            do {
                comparison = try RunComparison.compare(runA: runA, runB: runB, resamples: resamples, seed: seed)
            } catch let error as ResultsReadError {
                throw UsageError("\(error)")
            }
            let text: String
            switch format {
            case .markdown: text = comparison.markdown()
            case .json: text = try LeaderboardJSON.string(comparison)
            }
            if let out {
                try AtomicFile.write(text, to: out)
            } else {
                print(text, terminator: "")
            }
        }
    }
}
