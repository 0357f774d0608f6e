import Engine
import Foundation
import ModelFormats
import Testing
import Tokenizers

let checkpointCorpus = [
    "The quick brown fox jumps over the lazy dog. The dog sleeps.",
    "A small model learns small things: counting, copying, and the shapes of words.",
    "Evaluation harnesses score continuations by their log-likelihood under the model.",
]

func temporaryFolder(_ label: String) -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("engine-\(label)-\(UUID().uuidString)")
}

func tinyCheckpoint(seed: UInt64 = 4) throws -> Checkpoint {
    let tokenizer = try ByteLevelBPETokenizer.train(corpus: checkpointCorpus, vocabularySize: 300, specialTokens: ["<|endoftext|>"])
    let model = try GPT2Model(configuration: tinyConfiguration(vocabularySize: 300, positions: 32), seed: seed)
    return try Checkpoint(model: model, tokenizer: tokenizer)
}

@Suite struct CheckpointTests {
    @Test func saveAndLoadRoundTrip() throws {
        let checkpoint = try tinyCheckpoint()
        let folder = temporaryFolder("checkpoint")
        defer { try? FileManager.default.removeItem(at: folder) }
        try checkpoint.save(to: folder)
        #expect(Checkpoint.isComplete(folder))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.deletingLastPathComponent().path).filter { $0.contains(folder.lastPathComponent + ".partial") }
        #expect(leftovers.isEmpty)
        let loaded = try Checkpoint.load(from: folder)
        #expect(loaded.model.configuration == checkpoint.model.configuration)
        #expect(loaded.model.parameters.array == checkpoint.model.parameters.array)
        #expect(loaded.trainingState == nil)
        let text = "the quick brown fox"
        #expect(loaded.tokenizer.encode(text) == checkpoint.tokenizer.encode(text))
        let file = try SafetensorsFile(contentsOf: folder.appendingPathComponent("model.safetensors"))
        #expect(file.info("h.1.attn.c_attn.weight")?.shape == [16, 48])  // Conv1D [in, out]
        #expect(file.info("lm_head.weight") == nil)
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("config.json"))) as? [String: Any]
        #expect(config?["n_embd"] as? Int == 16)
        // Saving again over the same folder replaces it.
        try checkpoint.save(to: folder)
        #expect(try Checkpoint.load(from: folder).model.parameters.array == checkpoint.model.parameters.array)
    }

    @Test func trainingResumesBitIdenticallyFromACheckpoint() throws {
        let base = try tinyCheckpoint(seed: 8)
        let tokens = checkpointCorpus.flatMap { base.tokenizer.encode($0) }
        let configuration = TrainerConfiguration(batchSize: 2, sequenceLength: 8, seed: 3,
                                                 optimizer: OptimizerConfiguration(learningRate: 1e-2, minLearningRate: 1e-3, warmupSteps: 2, decaySteps: 8))
        let straightModel = try GPT2Model(configuration: base.model.configuration, parameters: FloatBuffer(base.model.parameters.array))
        let straight = try Trainer(model: straightModel, trainingTokens: tokens, configuration: configuration)
        let straightLosses = try (0..<8).map { _ in try straight.step().loss }

        let firstModel = try GPT2Model(configuration: base.model.configuration, parameters: FloatBuffer(base.model.parameters.array))
        let first = try Trainer(model: firstModel, trainingTokens: tokens, configuration: configuration)
        var losses = try (0..<4).map { _ in try first.step().loss }
        let folder = temporaryFolder("resume")
        defer { try? FileManager.default.removeItem(at: folder) }
        try Checkpoint(model: firstModel, tokenizer: base.tokenizer, trainingState: first.trainingState()).save(to: folder)
        let loaded = try Checkpoint.load(from: folder)
        let state = try #require(loaded.trainingState)
        #expect(state.step == 4)
        let resumed = try Trainer(model: loaded.model, trainingTokens: tokens, resumingFrom: state)
        losses += try (0..<4).map { _ in try resumed.step().loss }
        #expect(losses == straightLosses)
        #expect(loaded.model.parameters.array == straightModel.parameters.array)
    }

    /// Writes a checkpoint whose safetensors file holds `tensors` instead of the model's own.
    func folderWithTensors(_ transform: ([(name: String, shape: [Int], values: [Float])]) -> [(name: String, shape: [Int], values: [Float])]) throws -> URL {
        let checkpoint = try tinyCheckpoint()
        let folder = temporaryFolder("tensors")
        try checkpoint.save(to: folder)
        try SafetensorsWriter.write(transform(checkpoint.model.namedTensors()), to: folder.appendingPathComponent("model.safetensors"))
        return folder
    }

    @Test func acceptsTransformerPrefixAndTiedLMHead() throws {
        let folder = try folderWithTensors { tensors in
            tensors.map { (name: "transformer." + $0.name, shape: $0.shape, values: $0.values) } + [(name: "lm_head.weight", shape: tensors[0].shape, values: tensors[0].values)]
        }
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try Checkpoint.load(from: folder).model.parameters.array == tinyCheckpoint().model.parameters.array)
    }

    @Test func errorsNameTheFileAndTensor() throws {
        func message(_ body: () throws -> Void) -> String {
            do { try body(); return "no error" } catch { return "\(error)" }
        }
        let missing = try folderWithTensors { $0.filter { $0.name != "h.1.mlp.c_fc.bias" } }
        defer { try? FileManager.default.removeItem(at: missing) }
        let missingMessage = message { _ = try Checkpoint.load(from: missing) }
        #expect(missingMessage.contains("model.safetensors") && missingMessage.contains("h.1.mlp.c_fc.bias") && missingMessage.contains("missing"))

        let transposed = try folderWithTensors { $0.map { $0.name == "h.0.attn.c_attn.weight" ? (name: $0.name, shape: [48, 16], values: $0.values) : $0 } }
        defer { try? FileManager.default.removeItem(at: transposed) }
        let shapeMessage = message { _ = try Checkpoint.load(from: transposed) }
        #expect(shapeMessage.contains("h.0.attn.c_attn.weight") && shapeMessage.contains("[48, 16]") && shapeMessage.contains("[16, 48]"))

        let untied = try folderWithTensors { $0 + [(name: "lm_head.weight", shape: $0[0].shape, values: $0[0].values.map { $0 + 1 })] }
        defer { try? FileManager.default.removeItem(at: untied) }
        #expect(message { _ = try Checkpoint.load(from: untied) }.contains("lm_head.weight"))

        let badConfig = try folderWithTensors { $0 }
        defer { try? FileManager.default.removeItem(at: badConfig) }
        try Data(#"{"n_layer":2,"n_head":3,"n_embd":16,"n_positions":32,"vocab_size":300}"#.utf8).write(to: badConfig.appendingPathComponent("config.json"))
        let configMessage = message { _ = try Checkpoint.load(from: badConfig) }
        #expect(configMessage.contains("config.json") && configMessage.contains("n_head 3 must divide n_embd 16"))

        let empty = temporaryFolder("empty")
        #expect(message { _ = try Checkpoint.load(from: empty) }.contains("config.json"))
    }
}
