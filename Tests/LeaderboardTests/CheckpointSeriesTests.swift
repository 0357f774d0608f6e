import EvalCore
import Foundation
import Leaderboard
import Testing

@Suite struct CheckpointSeriesTests {
    @Test func analysisValues() {
        // Ranks of the scores are 1, 2, 4, 3: ρ = 1 − 6·Σd² / (n(n² − 1)) = 1 − 12/60 = 0.8.
        let analysis = CheckpointSeries.analyze(steps: [100, 200, 300, 400], scores: [0.25, 0.27, 0.30, 0.29],
                                                lastK: 2, chance: 0.25)
        #expect(abs(analysis.spearmanRho - 0.8) < 1e-12)
        #expect(abs(analysis.monotonicity - 2.0 / 3) < 1e-12)
        #expect(abs(analysis.lastKMean - 0.295) < 1e-12)
        // std of (0.30, 0.29) = 0.01/√2.
        #expect(abs(analysis.signalToNoise - 0.295 / (0.01 / 2.0.squareRoot())) < 1e-9)
        #expect(abs((analysis.aboveChance ?? 0) - 0.045) < 1e-12)
    }

    @Test func lowerIsBetterFlipsDirection() {
        let analysis = CheckpointSeries.analyze(steps: [1, 2, 3], scores: [30, 20, 10], higherIsBetter: false, lastK: 3)
        #expect(analysis.spearmanRho == 1)
        #expect(analysis.monotonicity == 1)
        #expect(analysis.aboveChance == nil)
    }

    @Test func progressionFromFixtures() throws {
        let spec = try BoardSpec.load(path: try FixturePaths.path("boards/main.yaml"))
        let report = LeaderboardReport.make(directories: [try FixturePaths.path("results")], spec: spec)
        let progression = try #require(report.progression)
        #expect(progression.steps == [100, 200, 300, 400])
        #expect(progression.tasks.map(\.task) == ["hellaswag", "arc_easy"])
        let arc = progression.tasks[1]
        #expect(arc.points.map { $0?.value } == [0.27, 0.36, 0.42, 0.45])
        #expect(arc.analysis.spearmanRho == 1)
        // Chance comes from samples.jsonl (4 choices), not the board's 0.25 default... both agree here.
        #expect(arc.analysis.chance == 0.25)
        #expect(abs(progression.tasks[0].analysis.monotonicity - 2.0 / 3) < 1e-12)
    }
}
