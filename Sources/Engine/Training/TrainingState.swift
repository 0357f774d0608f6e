import Foundation
import ModelFormats
import SeededRandom

/// Optimizer and data-order state of a `Trainer` (the weights are saved separately, in
/// model.safetensors). On disk: `training_state.json` (step, trainer configuration, RNG
/// state) and `optimizer.safetensors` (`adam.m`, `adam.v`, flat in the parameter layout).
public struct TrainingState: Sendable {
    /// Optimizer steps already taken.
    public var step: Int
    /// The data-order generator: its state is the position in the data stream.
    public var generator: Xoshiro256
    public var trainer: TrainerConfiguration
    public var adamM: [Float]
    public var adamV: [Float]

    public static let jsonFileName = "training_state.json"
    public static let optimizerFileName = "optimizer.safetensors"

    private struct Header: Codable {
        var step: Int
        var generator: Xoshiro256
        var trainer: TrainerConfiguration
    }

    /// Writes both files into `folder` (which must exist).
    public func write(to folder: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(Header(step: step, generator: generator, trainer: trainer))
            .write(to: folder.appendingPathComponent(Self.jsonFileName), options: .atomic)
        try SafetensorsWriter.write(
            [(name: "adam.m", shape: [adamM.count], values: adamM), (name: "adam.v", shape: [adamV.count], values: adamV)],
            metadata: ["step": String(step)], to: folder.appendingPathComponent(Self.optimizerFileName))
    }

    /// Reads the files `write(to:)` wrote; nil when the folder has no training state.
    public static func read(from folder: URL) throws -> TrainingState? {
        let jsonURL = folder.appendingPathComponent(jsonFileName)
        guard FileManager.default.fileExists(atPath: jsonURL.path) else { return nil }
        let header: Header
        do {
            header = try JSONDecoder().decode(Header.self, from: Data(contentsOf: jsonURL))
        } catch {
            throw EngineError.file(path: jsonURL.path, message: "unreadable training state: \(error)")
        }
        guard header.generator.state.count == 4, header.generator.state.contains(where: { $0 != 0 }) else {
            throw EngineError.file(path: jsonURL.path, message: "generator.state must hold 4 words, not all zero")
        }
        guard header.step >= 0 else { throw EngineError.file(path: jsonURL.path, message: "step \(header.step) is negative") }
        let optimizerURL = folder.appendingPathComponent(optimizerFileName)
        guard FileManager.default.fileExists(atPath: optimizerURL.path) else {
            throw EngineError.file(path: optimizerURL.path, message: "missing (training_state.json is present, so the Adam moments must be too)")
        }
        let file = try SafetensorsFile(contentsOf: optimizerURL)
        for name in ["adam.m", "adam.v"] where file.info(name) == nil {
            throw EngineError.file(path: optimizerURL.path, message: "tensor \(name) is missing")
        }
        return TrainingState(step: header.step, generator: header.generator, trainer: header.trainer,
                             adamM: try file.floats("adam.m"), adamV: try file.floats("adam.v"))
    }
}
