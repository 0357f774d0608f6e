import EvalCore
import Foundation
import Leaderboard
import Testing

@Suite struct LeaderboardTableTests {
    func report() throws -> LeaderboardReport {
        let spec = try BoardSpec.load(path: try FixturePaths.path("boards/main.yaml"))
        return LeaderboardReport.make(directories: [try FixturePaths.path("results")], spec: spec)
    }

    /// The golden file was rendered once and checked by hand (values, bold, ranks, footnotes).
    @Test func markdownMatchesGolden() throws {
        let markdown = try report().markdown(chartFile: "main.progression.svg")
        let golden = try String(contentsOfFile: try FixturePaths.path("golden/main.md"), encoding: .utf8)
        if markdown != golden {
            try? markdown.write(toFile: "/tmp/leaderboard-main.actual.md", atomically: true, encoding: .utf8)
        }
        #expect(markdown == golden, "actual output written to /tmp/leaderboard-main.actual.md")
    }

    @Test func averagesRanksAndNewestRun() throws {
        let board = try report().board
        #expect(board.columns.map(\.task) == ["hellaswag", "arc_easy", "gsm8k"])
        #expect(board.columns.map(\.metric) == ["acc", "acc_norm", "exact_match"])
        // Weights come from alpha-new's group: hellaswag 2, arc_easy 1, gsm8k 1.
        #expect(board.columns.map(\.weight) == [2, 1, 1])
        #expect(board.rows.map(\.model) == ["alpha", "beta", "tiny@400", "gamma"])
        let alpha = try #require(board.rows.first)
        let average: Double = try #require(alpha.average)
        let weighted: Double = try #require(alpha.weightedAverage)
        let averageStderr: Double = try #require(alpha.averageStderr)
        let expectedAverage: Double = (0.40 + 0.62 + 0.10) / 3
        let expectedWeighted: Double = (2 * 0.40 + 0.62 + 0.10) / 4
        let expectedStderr: Double = (0.0001 + 0.0004 + 0.0001).squareRoot() / 3
        #expect(abs(average - expectedAverage) < 1e-12)
        #expect(abs(weighted - expectedWeighted) < 1e-12)
        #expect(abs(averageStderr - expectedStderr) < 1e-12)
        // arc_easy comes from the newer alpha run (0.62, not 0.52).
        #expect(alpha.cells[1]?.value == 0.62)
        #expect(alpha.cells[1]?.runID == "alpha-new")
        #expect(board.footnotes.contains("alpha: arc_easy (2 runs) found; the newest run is shown (alpha-new, 2026-02-01T10:00:00Z)."))
        // alpha and beta overlap; partial rows (tiny@400, gamma) rank after complete ones.
        #expect(board.rows.map(\.rankLabel) == ["1=", "1=", "3", "4"])
        #expect(board.rows[0].cells[1]?.isBest == true)
        #expect(board.rows[1].cells[0]?.isBest == true)
        #expect(board.rows[3].tasksCovered == 1)
    }

    @Test func rankTiesFollowIntervalOverlap() {
        #expect(LeaderboardTable.intervalsOverlap(0.50, 0.01, 0.53, 0.01))
        #expect(!LeaderboardTable.intervalsOverlap(0.50, 0.01, 0.54, 0.01))
    }

    @Test func jsonAndCSVRender() throws {
        let report = try report()
        let json = try report.render(.json)
        #expect(json.contains("\"weighted_average_stderr\" : 0.0075"))
        let decoded = try LeaderboardJSON.decoder().decode(LeaderboardReport.self, from: Data(json.utf8))
        #expect(decoded.board == report.board)
        #expect(decoded.warnings.count == 3)
        let csv = try report.render(.csv).split(separator: "\n")
        #expect(csv.count == 5)
        #expect(csv[0].hasPrefix("rank,model,display,hellaswag/acc/none,hellaswag/acc/none/stderr,"))
        #expect(csv[1].hasPrefix("1=,alpha,Alpha 1B,0.4,0.01,"))
    }

    @Test func boardWithoutFileUsesEveryTaskAndFirstMetric() throws {
        let report = LeaderboardReport.make(directories: [try FixturePaths.path("results")], spec: BoardSpec())
        #expect(report.board.columns.map(\.task) == ["arc_easy", "gsm8k", "hellaswag"])
        #expect(report.board.columns.map(\.metric) == ["acc", "exact_match", "acc"])
        #expect(report.progression == nil)
        // Without a progression section every checkpoint is a model of its own.
        #expect(report.board.rows.count == 7)
    }

    @Test func atomicWriteReplacesFile() throws {
        let path = NSTemporaryDirectory() + "leaderboard-atomic-\(UUID().uuidString)/board.md"
        try AtomicFile.write("one", to: path)
        try AtomicFile.write("two", to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "two")
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["board.md"])
    }
}
