import Foundation
import Testing

/// Paths of the test fixtures (see scripts/leaderboard-fixtures.py for how the results files were made).
enum FixturePaths {
    static func root() throws -> URL {
        try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
    }

    static func path(_ relative: String) throws -> String {
        try root().appendingPathComponent(relative).path
    }
}
