import EvalMetrics
import SeededRandom
import Testing

@Suite("Perplexity, means, standard errors and the bootstrap")
struct StatisticsTests {
    struct PerplexityInput: Decodable, Sendable { let kind: String; let documents: [[Double]] }
    struct StatisticsInput: Decodable, Sendable { let kind: String; let values: [Double]; let q: Double? }

    @Test func perplexityFixture() throws {
        let fixture = try loadFixture("perplexity", input: PerplexityInput.self, expected: Double.self)
        for testCase in fixture.cases {
            let documents = testCase.input.documents.map {
                LogLikelihoodCount(logLikelihood: $0[0], count: Int($0[1]))
            }
            let got: Double
            switch testCase.input.kind {
            case "word": got = PerplexityMetrics.wordPerplexity(documents)
            case "byte": got = PerplexityMetrics.bytePerplexity(documents)
            case "bits": got = PerplexityMetrics.bitsPerByte(documents)
            default:
                Issue.record("unknown kind \(testCase.input.kind)")
                continue
            }
            expectClose(got, testCase.expected, tolerance: testCase.tolerance, "perplexity/\(testCase.name)")
            if documents.count == 1, let document = documents.first {
                let single: Double
                switch testCase.input.kind {
                case "word": single = PerplexityMetrics.wordPerplexity(logLikelihood: document.logLikelihood, words: document.count)
                case "byte": single = PerplexityMetrics.bytePerplexity(logLikelihood: document.logLikelihood, bytes: document.count)
                default: single = PerplexityMetrics.bitsPerByte(logLikelihood: document.logLikelihood, bytes: document.count)
                }
                expectClose(single, testCase.expected, tolerance: testCase.tolerance, "single/\(testCase.name)")
            }
        }
    }

    @Test func statisticsFixture() throws {
        let fixture = try loadFixture("statistics", input: StatisticsInput.self, expected: JSONNumberOrList.self)
        for testCase in fixture.cases {
            let input = testCase.input
            switch (input.kind, testCase.expected) {
            case let ("mean", .list(expected)?):
                let estimate = Statistics.meanWithStderr(input.values)
                expectClose(estimate.value, expected[0], tolerance: testCase.tolerance, "\(testCase.name) mean")
                expectClose(estimate.stderr, expected[1], tolerance: testCase.tolerance, "\(testCase.name) stderr")
                #expect(estimate.n == input.values.count)
                #expect(Statistics.mean(input.values) == estimate.value)
            case let ("quantile", .number(expected)?):
                let got = Statistics.quantile(input.values, input.q ?? .nan)
                expectClose(got, expected, tolerance: testCase.tolerance, "\(testCase.name)")
            default:
                Issue.record("malformed case \(testCase.name)")
            }
        }
    }

    @Test func emptyMeanIsNaN() {
        #expect(Statistics.mean([]).isNaN)
        #expect(Statistics.meanWithStderr([]).n == 0)
        #expect(Statistics.bootstrapStderr([Double](), seed: 1) { Statistics.mean($0) }.isNaN)
    }

    @Test func bootstrapIsDeterministicForASeed() {
        let values = (0..<200).map { Double(($0 * 37) % 11) }
        let first = Statistics.bootstrapStderr(values, resamples: 300, seed: 42) { Statistics.mean($0) }
        let second = Statistics.bootstrapStderr(values, resamples: 300, seed: 42) { Statistics.mean($0) }
        let other = Statistics.bootstrapStderr(values, resamples: 300, seed: 43) { Statistics.mean($0) }
        #expect(first == second)
        #expect(first != other)
        #expect(first > 0)
    }

    /// On a large sample, the bootstrap stderr of the mean approaches s / √n.
    @Test func bootstrapStderrOfMeanMatchesAnalytic() {
        var generator = Xoshiro256(seed: 7)
        let values = (0..<2000).map { _ in generator.nextGaussian() * 3 + 1 }
        let analytic = Statistics.meanWithStderr(values).stderr
        let bootstrap = Statistics.bootstrapStderr(values, resamples: 500, seed: 11) { Statistics.mean($0) }
        // With 500 resamples the bootstrap std has a relative error of about 1/√(2·500) ≈ 3%.
        #expect(abs(bootstrap - analytic) / analytic < 0.1, "bootstrap \(bootstrap) vs analytic \(analytic)")
    }

    @Test func bootstrapWorksForCorpusPerplexity() {
        var generator = Xoshiro256(seed: 3)
        let documents = (0..<300).map { _ -> LogLikelihoodCount in
            let words = 20 + generator.nextInt(below: 80)
            return LogLikelihoodCount(logLikelihood: -Double(words) * (2 + generator.nextUnitDouble()), count: words)
        }
        let stderr = PerplexityMetrics.bootstrapStderr(documents, resamples: 200, seed: 5,
                                                       aggregate: PerplexityMetrics.wordPerplexity)
        let again = Statistics.bootstrapStderr(documents, resamples: 200, seed: 5,
                                               statistic: PerplexityMetrics.wordPerplexity)
        #expect(stderr == again)
        // Per-word log-likelihood is uniform in [-3, -2]: perplexity ≈ e^2.5 ≈ 12.2, and the
        // corpus estimate's spread over 300 documents is a small fraction of that.
        let value = PerplexityMetrics.wordPerplexity(documents)
        #expect(value > 10 && value < 15)
        #expect(stderr > 0.01 && stderr < 0.5)
    }
}

/// A fixture expectation that is either one number or a list of numbers.
enum JSONNumberOrList: Decodable, Sendable {
    case number(Double)
    case list([Double])

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else {
            self = .list(try container.decode([Double].self))
        }
    }
}
