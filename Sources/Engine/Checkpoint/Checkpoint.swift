import Foundation
import ModelFormats
import Tokenizers

/// A model folder in the Hugging Face GPT-2 layout:
///
///     config.json            GPT2Configuration (n_layer, n_head, n_embd, ...)
///     model.safetensors      wte.weight, wpe.weight, h.N.*, ln_f.* (F32, Conv1D [in, out] weights)
///     tokenizer.json         byte-level BPE
///     training_state.json    optional: step, trainer configuration, data-order RNG state
///     optimizer.safetensors  optional: adam.m, adam.v
///
/// `save` writes into a hidden temporary sibling folder and renames it into place, so a folder
/// with the final name is always complete.
public struct Checkpoint: Sendable {
    public let model: GPT2Model
    public let tokenizer: any Tokenizer
    /// Present when the checkpoint was written during training.
    public let trainingState: TrainingState?

    public static let configFileName = "config.json"
    public static let weightsFileName = "model.safetensors"
    public static let tokenizerFileName = "tokenizer.json"

    /// Pairs a model with its tokenizer; throws if the tokenizer has more ids than the model's vocabulary.
    public init(model: GPT2Model, tokenizer: any Tokenizer, trainingState: TrainingState? = nil) throws {
        guard tokenizer.vocabularySize <= model.configuration.vocabularySize else {
            throw EngineError.invalidArgument("tokenizer has \(tokenizer.vocabularySize) tokens but the model's vocab_size is \(model.configuration.vocabularySize)")
        }
        self.model = model
        self.tokenizer = tokenizer
        self.trainingState = trainingState
    }

    /// Reads a checkpoint folder; errors name the file (and tensor or key) that is wrong.
    public static func load(from folder: URL) throws -> Checkpoint {
        let configURL = folder.appendingPathComponent(configFileName)
        guard FileManager.default.fileExists(atPath: configURL.path) else {
            throw EngineError.file(path: configURL.path, message: "missing: not a model folder (expected config.json, model.safetensors, tokenizer.json)")
        }
        let configuration: GPT2Configuration
        do {
            configuration = try JSONDecoder().decode(GPT2Configuration.self, from: Data(contentsOf: configURL))
            try configuration.validate()
        } catch {
            throw EngineError.file(path: configURL.path, message: "invalid GPT-2 config: \(error)")
        }
        let weightsURL = folder.appendingPathComponent(weightsFileName)
        guard FileManager.default.fileExists(atPath: weightsURL.path) else {
            throw EngineError.file(path: weightsURL.path, message: "missing")
        }
        let model = try GPT2Model(configuration: configuration, safetensors: weightsURL)
        let tokenizerURL = folder.appendingPathComponent(tokenizerFileName)
        guard FileManager.default.fileExists(atPath: tokenizerURL.path) else {
            throw EngineError.file(path: tokenizerURL.path, message: "missing")
        }
        let tokenizer = try ByteLevelBPETokenizer(contentsOf: tokenizerURL)
        guard tokenizer.vocabularySize <= configuration.vocabularySize else {
            throw EngineError.file(path: tokenizerURL.path, message: "has \(tokenizer.vocabularySize) tokens, more than config.json's vocab_size \(configuration.vocabularySize)")
        }
        return try Checkpoint(model: model, tokenizer: tokenizer, trainingState: try TrainingState.read(from: folder))
    }

    /// Writes the checkpoint to `folder` atomically (replacing an existing folder of that name).
    /// The tokenizer must be a `ByteLevelBPETokenizer` (the only kind with a tokenizer.json writer).
    public func save(to folder: URL) throws {
        guard let bpe = tokenizer as? ByteLevelBPETokenizer else {
            throw EngineError.invalidArgument("saving a checkpoint needs a ByteLevelBPETokenizer, got \(type(of: tokenizer))")
        }
        let fileManager = FileManager.default
        let parent = folder.deletingLastPathComponent()
        try fileManager.createDirectory(at: parent, withIntermediateDirectories: true)
        let temporary = parent.appendingPathComponent(".\(folder.lastPathComponent).partial-\(UUID().uuidString)")
        try fileManager.createDirectory(at: temporary, withIntermediateDirectories: false)
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(model.configuration).write(to: temporary.appendingPathComponent(Self.configFileName))
            try SafetensorsWriter.write(model.namedTensors(), metadata: ["format": "pt"], to: temporary.appendingPathComponent(Self.weightsFileName))
            try bpe.write(to: temporary.appendingPathComponent(Self.tokenizerFileName))
            try trainingState?.write(to: temporary)
            if fileManager.fileExists(atPath: folder.path) {
                let old = parent.appendingPathComponent(".\(folder.lastPathComponent).old-\(UUID().uuidString)")
                try fileManager.moveItem(at: folder, to: old)
                try fileManager.moveItem(at: temporary, to: folder)
                try? fileManager.removeItem(at: old)
            } else {
                try fileManager.moveItem(at: temporary, to: folder)
            }
        } catch {
            // A full disk (or any failed write) leaves no folder that looks like a checkpoint: the
            // partial folder goes, and a previous checkpoint of the same name stays as it was.
            try? fileManager.removeItem(at: temporary)
            throw EngineError.file(path: folder.path, message: "checkpoint not written, nothing kept of it: \(FileErrorText.describe(error))")
        }
    }

    /// True when `folder` holds the files of a complete checkpoint (config + weights + tokenizer).
    public static func isComplete(_ folder: URL) -> Bool {
        [configFileName, weightsFileName, tokenizerFileName].allSatisfy {
            FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).path)
        }
    }
}
