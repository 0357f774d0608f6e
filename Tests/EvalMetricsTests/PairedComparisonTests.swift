import EvalMetrics
import SeededRandom
import Testing

@Suite("Paired bootstrap, McNemar and Spearman")
struct PairedComparisonTests {
    struct CountsInput: Decodable, Sendable { let b: Int; let c: Int }
    struct McNemarExpected: Decodable, Sendable { let statistic: Double; let pValue: Double; let exact: Bool }
    struct SeriesInput: Decodable, Sendable { let x: [Double]; let y: [Double] }
    struct SpearmanExpected: Decodable, Sendable { let rho: Double?; let pValue: Double? }

    @Test func mcNemarMatchesStatsmodels() throws {
        let fixture = try loadFixture("mcnemar", input: CountsInput.self, expected: McNemarExpected.self)
        for testCase in fixture.cases {
            let expected = try #require(testCase.expected)
            let result = PairedComparison.mcNemar(onlyFirstCorrect: testCase.input.b, onlySecondCorrect: testCase.input.c)
            #expect((result.method == .exactBinomial) == expected.exact, "\(testCase.name): method \(result.method)")
            expectClose(result.statistic, expected.statistic, tolerance: testCase.tolerance, "\(testCase.name) statistic")
            // p-values can be tiny: compare relative to their size as well.
            let tolerance = max(testCase.tolerance, 1e-9 * expected.pValue)
            expectClose(result.pValue, expected.pValue, tolerance: tolerance, "\(testCase.name) p")
        }
    }

    @Test func mcNemarFromOutcomes() throws {
        let first = [true, true, true, false, false, true, true]
        let second = [true, false, false, false, true, false, true]
        let result = try PairedComparison.mcNemar(first, second)
        #expect(result.onlyFirstCorrect == 3 && result.onlySecondCorrect == 1)
        #expect(abs(result.pValue - 0.625) < 1e-12)  // 2 · P(X ≤ 1), X ~ Bin(4, ½) = 2 · 5/16
        #expect(throws: MetricsError.self) { try PairedComparison.mcNemar([true], []) }
    }

    @Test func spearmanMatchesScipy() throws {
        let fixture = try loadFixture("spearman", input: SeriesInput.self, expected: SpearmanExpected.self)
        for testCase in fixture.cases {
            let expected = try #require(testCase.expected)
            let result = RankCorrelation.spearman(testCase.input.x, testCase.input.y)
            expectClose(result.rho, expected.rho, tolerance: testCase.tolerance, "\(testCase.name) rho")
            expectClose(result.pValue, expected.pValue, tolerance: testCase.tolerance, "\(testCase.name) p")
            #expect(result.n == testCase.input.x.count)
        }
    }

    @Test func averageRanksOfTies() {
        #expect(RankCorrelation.averageRanks([10, 20, 20, 5, 20]) == [2, 4, 4, 1, 4])
        #expect(RankCorrelation.spearman([1, 2], [1, 2, 3]).rho.isNaN)
    }

    @Test func pairedBootstrapIsDeterministicAndCoversTheDifference() throws {
        var generator = Xoshiro256(seed: 21)
        let first = (0..<400).map { _ in generator.nextUnitDouble() < 0.7 ? 1.0 : 0.0 }
        let second = first.map { $0 == 1 && generator.nextUnitDouble() < 0.2 ? 0.0 : $0 }
        let result = try PairedComparison.pairedBootstrap(first, second, resamples: 400, seed: 9)
        let again = try PairedComparison.pairedBootstrap(first, second, resamples: 400, seed: 9)
        #expect(result == again)
        #expect(result.difference == Statistics.mean(first) - Statistics.mean(second))
        #expect(result.low < result.difference && result.difference < result.high)
        #expect(result.low > 0, "second run only loses items, so the whole interval is above 0")
    }

    /// Pairing cancels item difficulty: the interval width follows the stderr of the per-item
    /// differences, s_d/√n, not that of the two runs separately.
    @Test func pairedBootstrapWidthMatchesNormalApproximation() throws {
        var generator = Xoshiro256(seed: 4)
        let difficulty = (0..<3000).map { _ in generator.nextGaussian() * 5 }
        let first = difficulty.map { $0 + generator.nextGaussian() + 0.1 }
        let second = difficulty.map { $0 + generator.nextGaussian() }
        let result = try PairedComparison.pairedBootstrap(first, second, resamples: 600, seed: 1)
        let differences = zip(first, second).map { $0 - $1 }
        let halfWidth = 1.96 * Statistics.meanWithStderr(differences).stderr
        let measured = (result.high - result.low) / 2
        #expect(abs(measured - halfWidth) / halfWidth < 0.15, "bootstrap \(measured) vs normal \(halfWidth)")
    }

    @Test func pairedBootstrapRejectsBadInput() {
        #expect(throws: MetricsError.self) { try PairedComparison.pairedBootstrap([1, 0], [1], seed: 1) }
        #expect(throws: MetricsError.self) { try PairedComparison.pairedBootstrap([], [], seed: 1) }
        #expect(throws: MetricsError.self) {
            try PairedComparison.pairedBootstrap([1], [0], seed: 1, confidence: 1.5)
        }
    }
}
