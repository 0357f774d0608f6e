import EvalCore
import Foundation
import Leaderboard
import Testing

@Suite struct BoardSpecTests {
    @Test func parsesTheFixtureBoard() throws {
        let spec = try BoardSpec.load(path: try FixturePaths.path("boards/main.yaml"))
        #expect(spec.title == "Small models")
        #expect(spec.tasks.map(\.name) == ["arc_easy", "hellaswag", "gsm8k"])
        #expect(spec.tasks[0] == BoardSpec.TaskColumn(name: "arc_easy", metric: "acc_norm", display: "ARC-Easy", chance: 0.25))
        #expect(spec.tasks[2].filter == "strict-match")
        #expect(spec.aliases["alpha"] == "Alpha 1B")
        #expect(spec.columns == ["hellaswag", "arc_easy", "gsm8k"])
        #expect(spec.sort == .average)
        #expect(spec.progression == BoardSpec.Progression(run: "tiny", lastK: 2))
        #expect(spec.notes == "Fixture board for the Leaderboard tests.\n")
    }

    @Test func unknownKeyGivesFileLineAndColumn() throws {
        let path = try FixturePaths.path("boards/unknown-key.yaml")
        let error = try #require(throws: TaskFileError.self) { try BoardSpec.load(path: path) }
        #expect(error.line == 4)
        #expect(error.column == 5)
        #expect(error.keyPath == "tasks[0].metrik")
        #expect(error.description.contains("unknown key 'metrik'"))
    }

    @Test func sortMustNameABoardTask() throws {
        let path = try FixturePaths.path("boards/bad-sort.yaml")
        let error = try #require(throws: TaskFileError.self) { try BoardSpec.load(path: path) }
        #expect(error.keyPath == "sort")
    }

    @Test func wrongTypesAreReported() {
        let error = #expect(throws: TaskFileError.self) {
            try BoardSpec.parse("title: t\nprogression:\n  run: x\n  last_k: many\n", file: "b.yaml")
        }
        #expect(error?.line == 4)
        #expect(error?.description.contains("expected a whole number") == true)
    }

    @Test func malformedYAMLAndDuplicateKeysAreLocated() {
        let malformed = #expect(throws: TaskFileError.self) {
            try BoardSpec.parse("title: t\ntasks: [arc_easy\n", file: "b.yaml")
        }
        #expect(malformed?.line != nil)
        #expect(malformed?.message.hasPrefix("malformed YAML") == true)
        let duplicate = #expect(throws: TaskFileError.self) {
            try BoardSpec.parse("title: a\ntitle: b\n", file: "b.yaml")
        }
        #expect(duplicate?.message.contains("duplicate key") == true)
        let notMapping = #expect(throws: TaskFileError.self) { try BoardSpec.parse("- a\n- b\n", file: "b.yaml") }
        #expect(notMapping?.description == "b.yaml:1:1: expected a mapping, found a list")
    }
}
