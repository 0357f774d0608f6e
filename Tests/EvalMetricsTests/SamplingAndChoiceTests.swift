import EvalMetrics
import Testing

@Suite("pass@k, maj@k and multiple-choice metrics")
struct SamplingAndChoiceTests {
    struct PassAtKInput: Decodable, Sendable { let n: Int; let correct: Int; let k: Int }
    struct VoteInput: Decodable, Sendable { let answers: [String]; let k: Int }
    struct ChoiceInput: Decodable, Sendable {
        let kind: String
        let logLikelihoods: [Double]?
        let lengths: [Int]?
        let conditional: [Double]?
        let unconditional: [Double]?
        let gold: [Int]
    }

    @Test func passAtKMatchesNumpyEstimator() throws {
        let fixture = try loadFixture("pass_at_k", input: PassAtKInput.self, expected: Double.self)
        for testCase in fixture.cases {
            let input = testCase.input
            let got = SamplingMetrics.passAtK(n: input.n, correct: input.correct, k: input.k)
            expectClose(got, testCase.expected, tolerance: testCase.tolerance, "pass_at_k/\(testCase.name)")
        }
    }

    @Test func passAtKIncreasesWithK() {
        var previous = 0.0
        for k in 1...20 {
            let value = SamplingMetrics.passAtK(n: 20, correct: 3, k: k)
            #expect(value >= previous)
            previous = value
        }
        #expect(previous == 1)
    }

    @Test func majorityVote() throws {
        let fixture = try loadFixture("majority_at_k", input: VoteInput.self, expected: String.self)
        for testCase in fixture.cases {
            let got = SamplingMetrics.majorityAtK(answers: testCase.input.answers, k: testCase.input.k)
            #expect(got == testCase.expected, "\(testCase.name): got \(got.debugDescription)")
        }
    }

    @Test func scoredMajorityVote() {
        let score = SamplingMetrics.majorityAtK(answers: ["The 4", "5", "the 4."], k: 3, references: ["4"]) {
            GenerationMetrics.quasiExactMatch(prediction: $0, references: $1)
        }
        // "The 4" and "the 4." are different strings, so all three answers have one vote and
        // the first, "The 4", wins; it normalises to "4".
        #expect(score == 1)
    }

    @Test func multipleChoiceFixture() throws {
        let fixture = try loadFixture("multiple_choice", input: ChoiceInput.self, expected: Double.self)
        for testCase in fixture.cases {
            let input = testCase.input
            let gold = Set(input.gold)
            let got: Double
            switch input.kind {
            case "acc":
                got = MultipleChoiceMetrics.accuracy(logLikelihoods: input.logLikelihoods ?? [], gold: gold)
            case "acc_norm":
                got = MultipleChoiceMetrics.normalizedAccuracy(
                    logLikelihoods: input.logLikelihoods ?? [], lengths: input.lengths ?? [], gold: gold)
            case "pmi":
                got = MultipleChoiceMetrics.pmiAccuracy(
                    conditional: input.conditional ?? [], unconditional: input.unconditional ?? [], gold: gold)
            case "brier":
                got = MultipleChoiceMetrics.brier(logLikelihoods: input.logLikelihoods ?? [], gold: gold)
            default:
                Issue.record("unknown kind \(input.kind) in \(testCase.name)")
                continue
            }
            expectClose(got, testCase.expected, tolerance: testCase.tolerance, "multiple_choice/\(testCase.name)")
        }
    }

    @Test func nanLogLikelihoodNeverWins() {
        #expect(MultipleChoiceMetrics.accuracy(logLikelihoods: [.nan, -5], gold: [1]) == 1)
        #expect(MultipleChoiceMetrics.brier(logLikelihoods: [-1, -2], gold: -1).isNaN)
    }
}
