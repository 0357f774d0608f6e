import EvalMetrics
import Testing

@Suite("Generation metrics against fixtures")
struct GenerationMetricsTests {
    struct TextInput: Decodable, Sendable { let text: String }
    struct RegexInput: Decodable, Sendable { let prediction: String; let pattern: String }

    @Test func squadNormalization() throws {
        let fixture = try loadFixture("squad_normalization", input: TextInput.self, expected: String.self)
        for testCase in fixture.cases {
            let got = TextNormalization.squad(testCase.input.text)
            #expect(Array(got.unicodeScalars) == Array((testCase.expected ?? "").unicodeScalars),
                    "\(testCase.name): got \(got.debugDescription)")
        }
    }

    @Test func unicodePunctuationRemoval() throws {
        let fixture = try loadFixture("remove_punctuation", input: TextInput.self, expected: String.self)
        for testCase in fixture.cases {
            let got = TextNormalization.removePunctuation(testCase.input.text)
            #expect(Array(got.unicodeScalars) == Array((testCase.expected ?? "").unicodeScalars),
                    "\(testCase.name): got \(got.debugDescription)")
        }
    }

    @Test(arguments: [
        ("exact_match", GenerationMetrics.exactMatch),
        ("quasi_exact_match", GenerationMetrics.quasiExactMatch),
        ("f1", GenerationMetrics.f1),
        ("contains", GenerationMetrics.contains),
        ("rouge_l", GenerationMetrics.rougeL),
    ] as [(String, @Sendable (String, [String]) -> Double)])
    func referenceScoredMetric(file: String, metric: @Sendable (String, [String]) -> Double) throws {
        let fixture = try loadFixture(file, input: PredictionReferences.self, expected: Double.self)
        for testCase in fixture.cases {
            let got = metric(testCase.input.prediction, testCase.input.references)
            expectClose(got, testCase.expected, tolerance: testCase.tolerance, "\(file)/\(testCase.name)")
        }
    }

    @Test func regexMatch() throws {
        let fixture = try loadFixture("regex_match", input: RegexInput.self, expected: Double.self)
        for testCase in fixture.cases {
            if let expected = testCase.expected {
                let got = try GenerationMetrics.regexMatch(prediction: testCase.input.prediction,
                                                           pattern: testCase.input.pattern)
                #expect(got == expected, "\(testCase.name): got \(got)")
            } else {
                #expect(throws: MetricsError.self, "\(testCase.name) should throw") {
                    try GenerationMetrics.regexMatch(prediction: testCase.input.prediction,
                                                     pattern: testCase.input.pattern)
                }
            }
        }
    }

    @Test func invalidRegexErrorNamesThePattern() {
        do {
            _ = try GenerationMetrics.regexMatch(prediction: "x", pattern: "[a-")
            Issue.record("expected an error")
        } catch {
            #expect(String(describing: error).contains("[a-"))
        }
    }

    @Test func scoresStayInUnitInterval() {
        let pairs = [("the cat", ["a cat sat"]), ("", [""]), ("x y z", ["z y x", "x"])]
        for (prediction, references) in pairs {
            for score in [GenerationMetrics.f1(prediction: prediction, references: references),
                          GenerationMetrics.rougeL(prediction: prediction, references: references)] {
                #expect(score >= 0 && score <= 1)
            }
        }
    }
}
