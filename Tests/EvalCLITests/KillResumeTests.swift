import Backends
import Foundation
import Testing

/// `eval run` killed with SIGKILL part-way, then started again with the same command: what the
/// response cache already held is not recomputed, and the results equal an uninterrupted run's.
@Suite struct KillResumeTests {
    /// About 5 s for a whole run in a debug build.
    static let docs = 1000
    static let checkpoint = CLITests.packageRoot.appendingPathComponent("Tests/EngineTests/Fixtures/tiny-gpt2").path

    static func writeTask(in directory: URL, docs: Int) throws {
        let lines = (0..<docs).map { #"{"q": "Question \#($0): how many legs has a cat?", "a": "\#($0 % 5)"}"# }
        try lines.joined(separator: "\n").write(to: directory.appendingPathComponent("docs.jsonl"), atomically: true, encoding: .utf8)
        try """
            name: resume_probe
            kind: generation
            dataset: {path: docs.jsonl}
            prompt: "{{q}} Answer:"
            target: "{{a}}"
            generation: {max_tokens: 4}
            metrics: [exact_match]
            """.write(to: directory.appendingPathComponent("task.yaml"), atomically: true, encoding: .utf8)
    }

    static func metrics(ofRunIn folder: URL) throws -> String {
        let runs = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        let run = try #require(runs.first, "no results folder in \(folder.path)")
        let data = try Data(contentsOf: folder.appendingPathComponent(run).appendingPathComponent("samples.jsonl"))
        return String(decoding: data, as: UTF8.self)
    }

    @Test func killedRunResumesFromTheCacheWithIdenticalResults() throws {
        let directory = try CLITests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Self.writeTask(in: directory, docs: Self.docs)
        let cacheURL = directory.appendingPathComponent("cache.sqlite")
        let arguments = ["run", "task.yaml", "--model", Self.checkpoint, "--cache", cacheURL.path, "--batch-size", "8"]

        let process = Process()
        process.executableURL = try #require(CLITests.executable, "build the eval executable first (swift build)")
        process.arguments = arguments + ["--output-dir", "killed"]
        process.currentDirectoryURL = directory
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait until some answers are committed, then kill without warning.
        var committed = 0
        for _ in 0..<1200 where process.isRunning {
            if FileManager.default.fileExists(atPath: cacheURL.path) {
                committed = (try? ResponseCache(url: cacheURL).count()) ?? 0
                if committed >= 24 { break }
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        let killedBeforeTheEnd = process.isRunning
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(killedBeforeTheEnd, "the run ended before it could be killed; make the task longer")
        #expect(committed >= 24)
        let keptAfterKill = try ResponseCache(url: cacheURL).count()
        #expect(keptAfterKill >= committed && keptAfterKill < Self.docs)

        let resumed = try CLITests.run(arguments + ["--output-dir", "resumed"], in: directory)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("response cache: \(keptAfterKill) answers reused, \(Self.docs - keptAfterKill) computed"), "\(resumed.stderr)")

        let uninterrupted = try CLITests.run(["run", "task.yaml", "--model", Self.checkpoint, "--no-cache", "--batch-size", "7", "--output-dir", "fresh"], in: directory)
        #expect(uninterrupted.status == 0, "\(uninterrupted.stderr)")
        #expect(try Self.metrics(ofRunIn: directory.appendingPathComponent("resumed")) == Self.metrics(ofRunIn: directory.appendingPathComponent("fresh")))
        #expect(uninterrupted.stdout.split(separator: "\n").filter { $0.contains("exact_match") }
                == resumed.stdout.split(separator: "\n").filter { $0.contains("exact_match") })
    }
}
