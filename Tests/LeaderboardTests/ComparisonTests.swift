import EvalCore
import EvalMetrics
import Foundation
import Leaderboard
import Testing

@Suite struct ComparisonTests {
    @Test func comparesSharedDocsAndReportsMismatches() throws {
        let comparison = try RunComparison.compare(runA: try FixturePaths.path("compare/runA"),
                                                   runB: try FixturePaths.path("compare/runB"), resamples: 500, seed: 7)
        let row = try #require(comparison.rows.first)
        #expect(comparison.rows.count == 1)
        #expect(row.task == "arc_easy" && row.metric == "acc")
        // B has docs 0...37: A right on 0...29 (30), B right on 0...17, 35, 36 (20).
        #expect(row.sharedDocs == 38)
        #expect(abs(row.meanA - 30.0 / 38) < 1e-12)
        #expect(abs(row.difference.difference - 10.0 / 38) < 1e-12)
        let mcNemar = try #require(row.mcNemar)
        #expect(mcNemar.onlyFirstCorrect == 12 && mcNemar.onlySecondCorrect == 2)
        // Exact binomial: 2 · P(X ≤ 2), X ~ Bin(14, ½) = 2 · (1 + 14 + 91) / 16384.
        #expect(abs(mcNemar.pValue - 212.0 / 16384) < 1e-12)
        // The same call as PairedComparison gives the same interval (the bootstrap is reused, not rewritten).
        let a = (0..<38).map { $0 < 30 ? 1.0 : 0.0 }
        let b = (0..<38).map { $0 < 18 || $0 == 35 || $0 == 36 ? 1.0 : 0.0 }
        #expect(row.difference == (try PairedComparison.pairedBootstrap(a, b, resamples: 500, seed: 7)))
        #expect(row.difference.low > 0)
        #expect(row.verdict == .better)
        #expect(comparison.issues.contains { $0.hasPrefix("boolq: task versions differ (A 2, B 3)") })
        #expect(comparison.issues.contains("piqa: only in B"))
        #expect(comparison.issues.contains { $0.hasPrefix("arc_easy: 38 docs shared; 2 only in A") })
        #expect(comparison.markdown().contains("| arc_easy | acc ↑  |   38 |"))
    }

    @Test func verdictFollowsDirection() {
        let positive = PairedDifference(difference: 0.1, low: 0.02, high: 0.2, confidence: 0.95)
        let straddling = PairedDifference(difference: 0.01, low: -0.02, high: 0.05, confidence: 0.95)
        #expect(RunComparison.verdict(positive, higherIsBetter: true) == .better)
        #expect(RunComparison.verdict(positive, higherIsBetter: false) == .worse)
        #expect(RunComparison.verdict(straddling, higherIsBetter: true) == .noSignificantDifference)
    }

    @Test func missingSamplesIsAnError() throws {
        #expect(throws: ResultsReadError.self) {
            try RunComparison.compare(runA: try FixturePaths.path("results/beta"), runB: try FixturePaths.path("compare/runB"))
        }
    }
}
