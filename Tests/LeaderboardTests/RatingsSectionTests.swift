import Foundation
import Leaderboard
import Testing

@Suite struct RatingsSectionTests {
    @Test func boardShowsRatingsTablesAndWarnsAboutMissingOnes() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("evalkit-ratings-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let standings = folder.appendingPathComponent("standings.md")
        let table = "| # | Player | Rating |\n|---:|---|---:|\n| 1 | stockfish | 1683 |\n| 2 | random | 1000 |\n"
        try table.write(to: standings, atomically: true, encoding: .utf8)
        let missing = folder.appendingPathComponent("nowhere/standings.md").path
        let spec = try BoardSpec.parse("title: t\nratings: [\(standings.path), \(missing)]\n", file: "b.yaml")
        #expect(spec.ratings == [standings.path, missing])
        let report = LeaderboardReport.make(runs: [], spec: spec)
        #expect(report.ratings.map(\.source) == [standings.path])
        #expect(report.warnings.contains { $0.hasPrefix(missing) })
        let markdown = report.markdown()
        #expect(markdown.contains("## Ratings\n\nFrom `\(standings.path)`:\n\n| # | Player | Rating |"))
        #expect(markdown.contains("| 1 | stockfish | 1683 |"))
    }

    @Test func ratingsMustBeAListOfPaths() {
        #expect(throws: (any Error).self) { try BoardSpec.parse("title: t\nratings: {a: 1}\n", file: "b.yaml") }
    }
}
