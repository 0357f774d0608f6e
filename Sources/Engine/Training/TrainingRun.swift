import Foundation
import Tokenizers

/// A thread-safe flag the CLI sets (e.g. on Ctrl-C) to stop a run between steps.
public final class CancellationFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false
    public init() {}
    public func cancel() { lock.withLock { cancelled = true } }
    public var isCancelled: Bool { lock.withLock { cancelled } }
}

/// Reported after every optimizer step.
public struct TrainingProgress: Sendable, Equatable {
    public var step: Int
    public var totalSteps: Int
    public var loss: Float
    /// Set on steps where validation ran.
    public var validationLoss: Double?
    public var learningRate: Double
    public var tokensPerSecond: Double
}

/// How a run ended.
public struct TrainingRunResult: Sendable {
    /// Steps completed (including those of earlier, resumed sessions).
    public var step: Int
    /// The last checkpoint written (`final` when the run finished).
    public var checkpoint: URL
    public var wasCancelled: Bool
    /// The step the run resumed from, if it did.
    public var resumedFromStep: Int?
}

/// Trains a GPT-2 model end to end: corpus → tokenizer → model → checkpoints and metrics under
/// `<output_directory>/<name>/`. Re-running the same configuration resumes from the latest complete
/// checkpoint and continues bit-identically.
///
///     runs/<name>/step-000500/   checkpoint with training state (Hugging Face layout)
///     runs/<name>/final/         checkpoint after the last step
///     runs/<name>/metrics.jsonl  {"step","train_loss","val_loss","lr","tokens_per_second"} per step
public final class TrainingRun {
    public let configuration: TrainingConfiguration
    /// `<output_directory>/<name>`.
    public let runFolder: URL
    let baseFolder: URL
    /// Checked between steps; when set, a checkpoint is written and `run()` returns.
    public let cancellation: CancellationFlag
    /// Called after each step.
    public var onProgress: ((TrainingProgress) -> Void)?

    /// - Parameters:
    ///   - baseFolder: folder relative paths (corpus, tokenizer, output) are resolved against.
    ///   - cancellation: the flag to watch (pass one a signal handler already holds, or use the default).
    public init(
        configuration: TrainingConfiguration, baseFolder: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
        cancellation: CancellationFlag = CancellationFlag()
    ) throws {
        try configuration.validate()
        self.configuration = configuration
        self.cancellation = cancellation
        self.baseFolder = baseFolder
        let output = configuration.outputDirectory.hasPrefix("/") ? URL(fileURLWithPath: configuration.outputDirectory) : baseFolder.appendingPathComponent(configuration.outputDirectory)
        runFolder = output.appendingPathComponent(configuration.name)
    }

    static func checkpointName(step: Int) -> String { "step-" + String(repeating: "0", count: max(0, 6 - String(step).count)) + String(step) }

    /// The complete checkpoint with training state and the highest step, if any.
    public func latestCheckpoint() throws -> (folder: URL, step: Int)? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: runFolder.path) else { return nil }
        var best: (folder: URL, step: Int)?
        for name in names.sorted() where name.hasPrefix("step-") || name == "final" {
            let folder = runFolder.appendingPathComponent(name)
            guard Checkpoint.isComplete(folder), let state = try TrainingState.read(from: folder) else { continue }
            if state.step > best?.step ?? -1 { best = (folder, state.step) }
        }
        return best
    }

    /// Runs until `steps` or cancellation. Throws on bad corpus, tokenizer or configuration.
    @discardableResult
    public func run() throws -> TrainingRunResult {
        try FileManager.default.createDirectory(at: runFolder, withIntermediateDirectories: true)
        let documents = try TrainingCorpus.read(configuration.corpus, relativeTo: baseFolder)
        let model: GPT2Model, tokenizer: ByteLevelBPETokenizer, trainer: Trainer
        var resumedFrom: Int?
        var lastCheckpoint: URL? = nil
        let stream: (train: [Int], validation: [Int])
        if let latest = try latestCheckpoint() {
            let checkpoint = try Checkpoint.load(from: latest.folder)
            guard let bpe = checkpoint.tokenizer as? ByteLevelBPETokenizer, let state = checkpoint.trainingState else {
                throw EngineError.file(path: latest.folder.path, message: "cannot resume: needs a byte-level BPE tokenizer and training state")
            }
            let saved = checkpoint.model.configuration
            guard saved.layerCount == configuration.layerCount, saved.headCount == configuration.headCount, saved.width == configuration.width,
                  saved.positionCount == configuration.contextLength else {
                throw EngineError.file(path: latest.folder.path, message: "was trained with n_layer \(saved.layerCount), n_head \(saved.headCount), n_embd \(saved.width), context \(saved.positionCount); the configuration differs — use a new run name")
            }
            model = checkpoint.model
            tokenizer = bpe
            stream = try tokenStream(documents, tokenizer: tokenizer)
            trainer = try Trainer(model: model, trainingTokens: stream.train, resumingFrom: state)
            resumedFrom = state.step
            lastCheckpoint = latest.folder
            try truncateMetrics(after: state.step)
        } else {
            tokenizer = try makeTokenizer(documents)
            stream = try tokenStream(documents, tokenizer: tokenizer)
            let end = tokenizer.endOfTextTokenID
            let modelConfiguration = GPT2Configuration(
                layerCount: configuration.layerCount, headCount: configuration.headCount, width: configuration.width,
                positionCount: configuration.contextLength, vocabularySize: tokenizer.vocabularySize, bosTokenID: end, eosTokenID: end)
            model = try GPT2Model(configuration: modelConfiguration, seed: configuration.seed)
            trainer = try Trainer(model: model, trainingTokens: stream.train, configuration: configuration.trainerConfiguration)
        }
        let canValidate = stream.validation.count > configuration.contextLength
        var lastSavedStep = resumedFrom ?? -1
        func save(_ name: String) throws -> URL {
            let folder = runFolder.appendingPathComponent(name)
            try Checkpoint(model: model, tokenizer: tokenizer, trainingState: trainer.trainingState()).save(to: folder)
            lastSavedStep = trainer.stepCount
            return folder
        }
        let metricsURL = runFolder.appendingPathComponent("metrics.jsonl")
        let tokensPerStep = Double(configuration.batchSize * configuration.contextLength * configuration.gradientAccumulationSteps)
        while trainer.stepCount < configuration.steps {
            if cancellation.isCancelled {
                let folder = lastSavedStep == trainer.stepCount ? lastCheckpoint : try save(Self.checkpointName(step: trainer.stepCount))
                return TrainingRunResult(step: trainer.stepCount, checkpoint: folder ?? runFolder, wasCancelled: true, resumedFromStep: resumedFrom)
            }
            let start = Date()
            let result = try trainer.step()
            let tokensPerSecond = tokensPerStep / max(Date().timeIntervalSince(start), 1e-9)
            let step = trainer.stepCount
            var validationLoss: Double?
            let isLast = step == configuration.steps
            if canValidate, isLast || (configuration.validationInterval > 0 && step % configuration.validationInterval == 0) {
                validationLoss = try trainer.evaluate(validationTokens: stream.validation, maxWindows: configuration.validationWindows)
            }
            try appendMetrics(metricsURL, step: step, loss: result.loss, validationLoss: validationLoss, learningRate: result.learningRate, tokensPerSecond: tokensPerSecond)
            onProgress?(TrainingProgress(step: step, totalSteps: configuration.steps, loss: result.loss, validationLoss: validationLoss,
                                         learningRate: result.learningRate, tokensPerSecond: tokensPerSecond))
            if configuration.checkpointInterval > 0, step % configuration.checkpointInterval == 0, !isLast {
                lastCheckpoint = try save(Self.checkpointName(step: step))
            }
        }
        let final = try save("final")
        return TrainingRunResult(step: trainer.stepCount, checkpoint: final, wasCancelled: false, resumedFromStep: resumedFrom)
    }

    private func makeTokenizer(_ documents: [String]) throws -> ByteLevelBPETokenizer {
        switch configuration.tokenizer {
        case let .train(size):
            return try ByteLevelBPETokenizer.train(corpus: documents, vocabularySize: size, specialTokens: ["<|endoftext|>"])
        case let .file(path):
            let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : baseFolder.appendingPathComponent(path)
            return try ByteLevelBPETokenizer(contentsOf: url)
        }
    }

    /// Documents encoded and joined with <|endoftext|>, split into train (head) and validation (tail).
    private func tokenStream(_ documents: [String], tokenizer: ByteLevelBPETokenizer) throws -> (train: [Int], validation: [Int]) {
        var tokens: [Int] = []
        for document in documents {
            tokens += tokenizer.encode(document)
            if let end = tokenizer.endOfTextTokenID { tokens.append(end) }
        }
        let validationCount = Int(Double(tokens.count) * configuration.validationFraction)
        let train = Array(tokens[..<(tokens.count - validationCount)])
        guard train.count > configuration.contextLength else {
            throw EngineError.invalidArgument("the corpus has \(train.count) training tokens; context_length \(configuration.contextLength) needs more — add text or lower context_length")
        }
        return (train, Array(tokens[(tokens.count - validationCount)...]))
    }

    private func appendMetrics(_ url: URL, step: Int, loss: Float, validationLoss: Double?, learningRate: Double, tokensPerSecond: Double) throws {
        var fields = ["\"step\":\(step)", "\"train_loss\":\(loss)", "\"val_loss\":\(validationLoss.map { "\($0)" } ?? "null")",
                      "\"lr\":\(learningRate)", "\"tokens_per_second\":\((tokensPerSecond * 10).rounded() / 10)"]
        if !loss.isFinite { fields[1] = "\"train_loss\":null" }
        let line = Data(("{" + fields.joined(separator: ",") + "}\n").utf8)
        if let handle = try? FileHandle(forWritingTo: url) {
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: line)
        } else {
            try line.write(to: url)
        }
    }

    /// Drops metric lines logged after `step` (by a session that stopped before its next checkpoint).
    private func truncateMetrics(after step: Int) throws {
        let url = runFolder.appendingPathComponent("metrics.jsonl")
        guard let data = FileManager.default.contents(atPath: url.path) else { return }
        let kept = String(decoding: data, as: UTF8.self).split(separator: "\n").filter { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let lineStep = object["step"] as? Int else { return false }
            return lineStep <= step
        }
        try Data(kept.map { $0 + "\n" }.joined().utf8).write(to: url, options: .atomic)
    }
}
