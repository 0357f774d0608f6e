import EvalMetrics
import Testing

@Suite("Corpus BLEU and chrF against sacrebleu")
struct CorpusMetricsTests {
    @Test func bleuMatchesSacrebleu() throws {
        let fixture = try loadFixture("bleu", input: CorpusInput.self, expected: Double.self)
        #expect(fixture.source.contains("sacrebleu"))
        for testCase in fixture.cases {
            let got = CorpusMetrics.bleu(predictions: testCase.input.predictions,
                                         references: testCase.input.references)
            expectClose(got, testCase.expected, tolerance: testCase.tolerance, "bleu/\(testCase.name)")
        }
    }

    @Test func chrFMatchesSacrebleu() throws {
        let fixture = try loadFixture("chrf", input: CorpusInput.self, expected: Double.self)
        for testCase in fixture.cases {
            let got = CorpusMetrics.chrF(predictions: testCase.input.predictions,
                                         references: testCase.input.references)
            expectClose(got, testCase.expected, tolerance: testCase.tolerance, "chrf/\(testCase.name)")
        }
    }

    /// Corpus BLEU is not the mean of sentence BLEUs: it sums sufficient statistics first.
    @Test func bleuStatisticsAddUpOverSamples() {
        let predictions = ["the cat sat on the mat", "a dog barked loudly at night"]
        let references = [["the cat is on the mat"], ["the dog barked at night"]]
        var summed = CorpusMetrics.BLEUStatistics()
        for (prediction, sampleReferences) in zip(predictions, references) {
            summed.add(CorpusMetrics.BLEUStatistics(prediction: prediction, references: sampleReferences))
        }
        #expect(summed.hypothesisLength == 12)
        #expect(summed.totals == [12, 10, 8, 6])
        #expect(abs(summed.score() - CorpusMetrics.bleu(predictions: predictions, references: references)) < 1e-12)
    }

    @Test func mismatchedLengthsUseCommonPrefix() {
        let score = CorpusMetrics.bleu(predictions: ["a b c d", "extra"], references: [["a b c d"]])
        #expect(abs(score - 100) < 1e-9)
        #expect(CorpusMetrics.chrF(predictions: ["abc"], references: []) == 0)
    }
}
