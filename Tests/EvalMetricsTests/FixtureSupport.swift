import Foundation
import Testing

/// One metric's test data, in the style of lighteval's `tests/unit/metrics/test_cases/*.json`:
/// where the expected values come from, and a list of cases. An `expected` of `null` means the
/// metric must return NaN (or throw, for metrics that throw); see each fixture's `source`.
struct MetricFixture<Input: Decodable & Sendable, Expected: Decodable & Sendable>: Decodable, Sendable {
    struct Case: Decodable, Sendable {
        let name: String
        let input: Input
        let expected: Expected?
        let tolerance: Double
        let note: String?
    }

    let name: String
    let metric: String
    let source: String
    let cases: [Case]

    enum CodingKeys: String, CodingKey {
        case name, metric, source
        case cases = "test_cases"
    }
}

enum FixtureError: Error, CustomStringConvertible {
    case missing(String)
    var description: String {
        switch self {
        case let .missing(file): return "fixture \(file) not found in the test bundle's Fixtures/metrics"
        }
    }
}

/// Reads `Fixtures/metrics/<file>.json` from the test bundle.
func loadFixture<Input: Decodable & Sendable, Expected: Decodable & Sendable>(
    _ file: String, input: Input.Type = Input.self, expected: Expected.Type = Expected.self
) throws -> MetricFixture<Input, Expected> {
    guard let folder = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
        throw FixtureError.missing(file)
    }
    let url = folder.appendingPathComponent("metrics").appendingPathComponent("\(file).json")
    guard FileManager.default.fileExists(atPath: url.path) else { throw FixtureError.missing(file) }
    let fixture = try JSONDecoder().decode(MetricFixture<Input, Expected>.self, from: Data(contentsOf: url))
    #expect(!fixture.cases.isEmpty, "\(file) has no cases")
    #expect(!fixture.source.isEmpty, "\(file) does not say where its expected values come from")
    return fixture
}

/// Checks a numeric result against a fixture case; a `nil` expectation means NaN.
func expectClose(_ actual: Double, _ expected: Double?, tolerance: Double, _ label: String,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    if let expected {
        #expect(abs(actual - expected) <= tolerance,
                "\(label): got \(actual), expected \(expected) ± \(tolerance)", sourceLocation: sourceLocation)
    } else {
        #expect(actual.isNaN, "\(label): got \(actual), expected NaN", sourceLocation: sourceLocation)
    }
}

/// Input of fixtures that score one prediction against references.
struct PredictionReferences: Decodable, Sendable {
    let prediction: String
    let references: [String]
}

/// Input of the corpus fixtures: `references[i]` belongs to `predictions[i]`.
struct CorpusInput: Decodable, Sendable {
    let predictions: [String]
    let references: [[String]]
}
