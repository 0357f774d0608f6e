import EvalCore
import Foundation
import Testing

/// Each bad file under Fixtures/errors has a golden message (`<name>.txt`). Set
/// EVALKIT_UPDATE_GOLDEN=1 to rewrite them after an intended change, then review the diff.
@Suite struct ValidationGoldenTests {
    static let cases = [
        "unknown_key", "wrong_type", "malformed", "missing_dataset", "metric_kind", "bad_line",
        "empty_choices", "gold_range", "missing_field", "unknown_kind", "template_syntax", "filter_unknown",
    ]

    static func message(for name: String) -> String {
        let path = Fixtures.path("errors/\(name).yaml")
        do {
            let loaded = try TaskLoader.load(path: path)
            _ = try EvaluationRunner.prepare(loaded.tasks.map { ($0, 1) }, options: RunOptions())
            return "no error"
        } catch {
            return Fixtures.normalized("\(error)") + "\n"
        }
    }

    @Test(arguments: cases)
    func errorMatchesGolden(name: String) throws {
        let actual = Self.message(for: name)
        let goldenURL = Fixtures.root.appendingPathComponent("errors/\(name).txt")
        if ProcessInfo.processInfo.environment["EVALKIT_UPDATE_GOLDEN"] == "1" {
            // Written into the source tree, not the test bundle's copy.
            let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/errors/\(name).txt")
            try actual.write(to: source, atomically: true, encoding: .utf8)
        }
        let golden = try String(contentsOf: goldenURL, encoding: .utf8)
        #expect(actual == golden)
        #expect(actual != "no error\n")
    }
}
