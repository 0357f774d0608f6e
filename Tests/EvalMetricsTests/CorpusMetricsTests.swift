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

@Suite("Corpus metrics under the bootstrap")
struct CorpusBootstrapTests {
    /// Resampling per-sample sufficient statistics gives a corpus-level bootstrap without
    /// re-tokenising; its spread shrinks as the corpus grows.
    @Test func bleuAndChrFBootstrapOverSampleStatistics() {
        let words = ["the", "cat", "dog", "sat", "ran", "on", "mat", "rug", "quickly", "slowly"]
        func sentence(_ seed: Int, _ length: Int) -> String {
            (0..<length).map { words[(seed * 7 + $0 * 3 + $0 * $0) % words.count] }.joined(separator: " ")
        }
        let predictions = (0..<120).map { sentence($0, 8) }
        let references = (0..<120).map { [sentence($0 + ($0 % 3 == 0 ? 1 : 0), 8)] }
        let bleuStatistics = zip(predictions, references).map { CorpusMetrics.BLEUStatistics(prediction: $0, references: $1) }
        let chrFStatistics = zip(predictions, references).map { CorpusMetrics.ChrFStatistics(prediction: $0, references: $1) }
        #expect(abs(CorpusMetrics.BLEUStatistics.combined(bleuStatistics).score()
                    - CorpusMetrics.bleu(predictions: predictions, references: references)) < 1e-9)
        #expect(abs(CorpusMetrics.ChrFStatistics.combined(chrFStatistics).score()
                    - CorpusMetrics.chrF(predictions: predictions, references: references)) < 1e-9)
        let bleuStderr = Statistics.bootstrapStderr(bleuStatistics, resamples: 200, seed: 8) {
            CorpusMetrics.BLEUStatistics.combined($0).score()
        }
        let smallStderr = Statistics.bootstrapStderr(Array(bleuStatistics.prefix(30)), resamples: 200, seed: 8) {
            CorpusMetrics.BLEUStatistics.combined($0).score()
        }
        #expect(bleuStderr > 0 && bleuStderr < smallStderr)
    }
}
