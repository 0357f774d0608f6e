import Foundation
import Testing

/// Runs the built `eval` executable (built by `swift build --build-tests`, which scripts/test does
/// first) and checks exit codes and output.
@Suite struct CLITests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var executable: URL? {
        let candidates = ["debug", "release"].map { packageRoot.appendingPathComponent(".build/\($0)/eval") }
            .filter { FileManager.default.isExecutableFile(atPath: $0.path) }
        return candidates.max { a, b in
            let da = (try? a.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate) ?? .distantPast
            let db = (try? b.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate) ?? .distantPast
            return da < db
        }
    }

    struct Output {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static func run(_ arguments: [String], in directory: URL = packageRoot) throws -> Output {
        try runProcess(try #require(executable, "build the eval executable first (swift build)"), arguments, in: directory)
    }

    /// Runs any program to its end and collects its exit status and output.
    static func runProcess(_ program: URL, _ arguments: [String], in directory: URL) throws -> Output {
        let process = Process()
        process.executableURL = program
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("evalkit-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func generateStreamsFromAnyEngineModelAndRefusesOthers() throws {
        // A GPT-2 checkpoint folder: the same seed gives the same text.
        let checkpoint = "Tests/EngineTests/Fixtures/tiny-gpt2"
        let first = try Self.run(["generate", "--model", checkpoint, "--prompt", "To be", "--max-tokens", "8", "--seed", "3"])
        let again = try Self.run(["generate", "--model", checkpoint, "--prompt", "To be", "--max-tokens", "8", "--seed", "3"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.hasPrefix("To be") && first.stdout == again.stdout)
        // GGUF models go through the same resolver and engine calls (not run here: the debug build
        // hashes the 250 MB Gemma file for over a minute; see docs/models.md for a release run).
        let remote = try Self.run(["generate", "--model", "openai:m@http://127.0.0.1:9/v1", "--prompt", "x"])
        #expect(remote.status == 2 && remote.stderr.contains("is a remote endpoint"), "\(remote.stderr)")
        let missing = try Self.run(["generate", "--model", "/nonexistent/model", "--prompt", "x"])
        #expect(missing.status == 2 && missing.stderr.contains("--model /nonexistent/model: no model at"), "\(missing.stderr)")
    }

    @Test func validateShippedTasksSucceeds() throws {
        let result = try Self.run(["tasks", "validate", "tasks"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("ok      tasks/gsm8k/gsm8k.yaml (1 task, 4 docs)"))
    }

    @Test func validateBadFileExitsTwoWithLocation() throws {
        let directory = try Self.temporaryDirectory()
        try "name: t\nkind: generation\ndocs:\n  - {q: 1}\nprompt: \"{{q}}\"\ntarget: \"{{a}}\"\nmax_tokens: 3\n"
            .write(to: directory.appendingPathComponent("bad.yaml"), atomically: true, encoding: .utf8)
        let result = try Self.run(["tasks", "validate", "bad.yaml"], in: directory)
        #expect(result.status == 2)
        #expect(result.stderr.contains("bad.yaml:7:1: max_tokens: unknown key 'max_tokens'"))
    }

    @Test func runWithBadTaskWritesNoResults() throws {
        let directory = try Self.temporaryDirectory()
        try "name: t\nkind: multiple_choice\ndocs:\n  - {q: 1, c: [], l: 0}\nprompt: \"{{q}}\"\nchoices: c\ntarget: \"{{l}}\"\n"
            .write(to: directory.appendingPathComponent("empty.yaml"), atomically: true, encoding: .utf8)
        let result = try Self.run(["run", "empty.yaml", "--model", "nowhere", "--output-dir", "out"], in: directory)
        #expect(result.status == 2)
        #expect(result.stderr.contains("doc 0: the choice list is empty"))
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("out").path))
    }

    @Test func runWithMissingModelExitsTwo() throws {
        let result = try Self.run(["run", "tasks/arc/arc.yaml", "--model", "/nonexistent/model", "--output-dir", "/tmp/evalkit-never"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("no model at '/nonexistent/model'"))
    }

    @Test func showPrintsExactRequests() throws {
        let result = try Self.run(["tasks", "show", "tasks/arc/arc.yaml", "--n", "1"])
        #expect(result.status == 0)
        let golden = try String(contentsOf: Self.packageRoot.appendingPathComponent("Tests/EvalCLITests/Fixtures/show-arc.txt"), encoding: .utf8)
        #expect(result.stdout == golden)
    }

    @Test func usageErrorExitsTwo() throws {
        let result = try Self.run(["run", "tasks/arc/arc.yaml"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--model"))
    }

    @Test func judgeTasksValidateAndNeedAJudge() throws {
        let validate = try Self.run(["tasks", "validate", "tasks/judge/single.yaml", "tasks/judge/pairwise.yaml"])
        #expect(validate.status == 0, "\(validate.stderr)")
        #expect(validate.stdout.contains("ok      tasks/judge/single.yaml (1 task, 6 docs)"))
        let noJudge = try Self.run(["run", "tasks/judge/single.yaml", "--model", "nowhere", "--output-dir", "/tmp/evalkit-never"])
        #expect(noJudge.status == 2)
        #expect(noJudge.stderr.contains("task 'judge_single' needs a judge model: give --judge SPEC or set judge.model"))
        let badJudge = try Self.run(["run", "tasks/judge/single.yaml", "--model", "nowhere", "--judge", "/nonexistent/judge",
                                     "--output-dir", "/tmp/evalkit-never"])
        #expect(badJudge.status == 2)
        #expect(badJudge.stderr.contains("judge '/nonexistent/judge': no model at '/nonexistent/judge'"))
        #expect(!FileManager.default.fileExists(atPath: "/tmp/evalkit-never"))
    }

    @Test func chessTaskPlaysWritesPGNAndResumes() throws {
        let directory = try Self.temporaryDirectory()
        try """
            name: tiny_arena
            kind: chess
            players:
              - {name: alpha, spec: random}
              - {name: beta, spec: random}
            games_per_pairing: 2
            max_plies: 30
            seed: 7
            """.write(to: directory.appendingPathComponent("arena.yaml"), atomically: true, encoding: .utf8)
        let first = try Self.run(["run", "arena.yaml", "--output-dir", "out"], in: directory)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("| alpha |") && first.stdout.contains("| beta |"))
        let pgn = try String(contentsOf: directory.appendingPathComponent("out/tiny_arena-chess/games.pgn"), encoding: .utf8)
        #expect(pgn.components(separatedBy: "[Event ").count == 3)
        let second = try Self.run(["run", "arena.yaml", "--output-dir", "out"], in: directory)
        #expect(second.status == 0)
        #expect(second.stderr.contains("resuming: 2 game(s)"))
        let again = try String(contentsOf: directory.appendingPathComponent("out/tiny_arena-chess/games.pgn"), encoding: .utf8)
        #expect(again == pgn)
    }
}
