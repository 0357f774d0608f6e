import Foundation
import Testing

/// `eval train` when a checkpoint cannot be written: a clear error naming the checkpoint, exit 1,
/// and no folder that looks like a checkpoint (complete or not) left behind.
@Suite struct TrainFailureTests {
    static func writeTinyRun(in directory: URL) throws {
        let corpus = directory.appendingPathComponent("corpus")
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        let text = (0..<200).map { "Line \($0): the quick brown fox jumps over the lazy dog, and the dog sleeps on.\n" }.joined()
        try text.write(to: corpus.appendingPathComponent("text.txt"), atomically: true, encoding: .utf8)
        try """
        name: tiny
        output_directory: runs
        corpus: corpus
        tokenizer: 300
        n_layer: 1
        n_head: 2
        n_embd: 32
        context_length: 32
        batch_size: 2
        steps: 4
        checkpoint_interval: 2
        validation_fraction: 0
        """.write(to: directory.appendingPathComponent("tiny.yaml"), atomically: true, encoding: .utf8)
    }

    /// Runs `eval train` under `ulimit -f` (file size limit in KiB) with SIGXFSZ ignored, so a write
    /// past the limit fails with EFBIG the way a full disk fails with ENOSPC.
    static func trainWithFileSizeLimit(kibibytes: Int, in directory: URL) throws -> CLITests.Output {
        let executable = try #require(CLITests.executable, "build the eval executable first (swift build)")
        return try CLITests.runProcess(URL(fileURLWithPath: "/bin/bash"),
                                       ["-c", "ulimit -f \(kibibytes); trap '' XFSZ; exec \"$0\" train tiny.yaml --quiet", executable.path],
                                       in: directory)
    }

    @Test func failedCheckpointWriteLeavesNothingThatLooksComplete() throws {
        let directory = try CLITests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try Self.writeTinyRun(in: directory)
        // The weights of this model take about 100 KiB; 40 KiB lets the tokenizer and metrics through.
        let failed = try Self.trainWithFileSizeLimit(kibibytes: 40, in: directory)
        #expect(failed.status == 1, "\(failed.stderr)")
        #expect(failed.stderr.contains("runs/tiny/step-000002: checkpoint not written, nothing kept of it"), "\(failed.stderr)")
        #expect(failed.stderr.contains("model.safetensors: write failed: File too large"), "\(failed.stderr)")
        let run = directory.appendingPathComponent("runs/tiny")
        let left = try FileManager.default.contentsOfDirectory(atPath: run.path)
        #expect(!left.contains { $0.contains("step-") || $0 == "final" }, "left behind: \(left)")

        // With room again the same command trains to the end and writes every checkpoint.
        let finished = try CLITests.run(["train", "tiny.yaml", "--quiet"], in: directory)
        #expect(finished.status == 0, "\(finished.stderr)")
        for name in ["step-000002", "final"] {
            #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent("\(name)/model.safetensors").path))
        }
    }
}
