import Engine
import Foundation
import Testing

@Suite struct TrainingRunTests {
    /// A corpus folder with two .txt files (and one ignored .md file).
    func makeCorpus() throws -> URL {
        let folder = temporaryFolder("corpus")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("b"), withIntermediateDirectories: true)
        let text = (0..<40).map { "Line \($0): the fox counts \($0 % 7) small words and scores them." }.joined(separator: "\n")
        try Data(text.utf8).write(to: folder.appendingPathComponent("a.txt"))
        try Data(String(text.reversed()).utf8).write(to: folder.appendingPathComponent("b/c.txt"))
        try Data("ignored".utf8).write(to: folder.appendingPathComponent("notes.md"))
        return folder
    }

    func tinyRunConfiguration(corpus: URL, output: URL) throws -> TrainingConfiguration {
        let json = """
        {"name": "tiny", "output_directory": "\(output.path)", "corpus": "\(corpus.path)", "tokenizer": 300,
         "n_layer": 2, "n_head": 2, "n_embd": 16, "context_length": 16, "batch_size": 2, "steps": 6,
         "learning_rate": 0.01, "min_learning_rate": 0.001, "warmup_steps": 2, "validation_fraction": 0.2,
         "validation_interval": 2, "validation_windows": 4, "checkpoint_interval": 3, "seed": 5}
        """
        return try JSONDecoder().decode(TrainingConfiguration.self, from: Data(json.utf8))
    }

    func metrics(_ run: TrainingRun) throws -> [[String: Any]] {
        let text = try String(contentsOf: run.runFolder.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
        return try text.split(separator: "\n").map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    @Test func configurationDefaultsAndKeys() throws {
        let minimal = try JSONDecoder().decode(TrainingConfiguration.self, from: Data(#"{"corpus": ["data"], "tokenizer": "tok/tokenizer.json"}"#.utf8))
        #expect(minimal.tokenizer == .file(path: "tok/tokenizer.json"))
        #expect(minimal.learningRate == 6e-4 && minimal.contextLength == 256 && minimal.checkpointInterval == 500)
        var bad = minimal
        bad.headCount = 3
        #expect(throws: EngineError.self) { try bad.validate() }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(TrainingConfiguration.self, from: Data(#"{"steps": 3}"#.utf8)) }
    }

    @Test func emptyCorpusIsAClearError() throws {
        let empty = temporaryFolder("empty-corpus")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        let output = temporaryFolder("runs")
        defer { try? FileManager.default.removeItem(at: output) }
        let run = try TrainingRun(configuration: tinyRunConfiguration(corpus: empty, output: output))
        do {
            try run.run()
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("corpus is empty"))
        }
    }

    @Test func runWritesCheckpointsMetricsAndResumesExactly() throws {
        let corpus = try makeCorpus()
        defer { try? FileManager.default.removeItem(at: corpus) }
        let output = temporaryFolder("runs")
        defer { try? FileManager.default.removeItem(at: output) }

        var configuration = try tinyRunConfiguration(corpus: corpus, output: output)
        let straight = try TrainingRun(configuration: configuration)
        var progress: [Int] = []
        straight.onProgress = { progress.append($0.step) }
        let result = try straight.run()
        #expect(progress == [1, 2, 3, 4, 5, 6])
        #expect(result.step == 6 && !result.wasCancelled && result.checkpoint.lastPathComponent == "final")
        #expect(Checkpoint.isComplete(straight.runFolder.appendingPathComponent("step-000003")))
        let loaded = try Checkpoint.load(from: result.checkpoint)
        #expect(loaded.trainingState?.step == 6)
        #expect(loaded.model.configuration.vocabularySize == loaded.tokenizer.vocabularySize)
        let straightMetrics = try metrics(straight)
        #expect(straightMetrics.map { $0["step"] as? Int } == [1, 2, 3, 4, 5, 6])
        #expect(straightMetrics.compactMap { $0["val_loss"] as? Double }.count == 3)  // steps 2, 4, 6

        // Same configuration, another name: cancel after step 4, then run again to resume.
        configuration.name = "tiny-resumed"
        let interrupted = try TrainingRun(configuration: configuration)
        interrupted.onProgress = { [cancellation = interrupted.cancellation] in if $0.step == 4 { cancellation.cancel() } }
        let stopped = try interrupted.run()
        #expect(stopped.wasCancelled && stopped.step == 4)
        #expect(stopped.checkpoint.lastPathComponent == "step-000004")
        let resumed = try TrainingRun(configuration: configuration)
        let finished = try resumed.run()
        #expect(finished.resumedFromStep == 4 && finished.step == 6)
        let resumedMetrics = try metrics(resumed)
        #expect(resumedMetrics.map { $0["train_loss"] as? Double } == straightMetrics.map { $0["train_loss"] as? Double })
        #expect(resumedMetrics.map { $0["val_loss"] as? Double } == straightMetrics.map { $0["val_loss"] as? Double })
        #expect(try Checkpoint.load(from: finished.checkpoint).model.parameters.array == loaded.model.parameters.array)
    }
}
