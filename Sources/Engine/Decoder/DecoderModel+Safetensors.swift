import Foundation
import ModelFormats
import Tokenizers

extension DecoderModel {
    /// Whether `folder` holds a Llama-family checkpoint in the Hugging Face layout: a config.json whose
    /// `model_type` is one of `DecoderConfiguration.supportedHuggingFaceModelTypes`.
    public static func isHuggingFaceDecoderFolder(_ folder: URL) -> Bool {
        struct ModelType: Decodable { var model_type: String? }
        guard let data = try? Data(contentsOf: folder.appendingPathComponent("config.json")),
              let type = (try? JSONDecoder().decode(ModelType.self, from: data))?.model_type else { return false }
        return DecoderConfiguration.supportedHuggingFaceModelTypes.contains(type)
    }

    /// Loads a Llama-family checkpoint in the Hugging Face layout: config.json, and model.safetensors or
    /// the shards listed by model.safetensors.index.json (`weight_map`). Tensors (F32, F16, BF16, …) are
    /// widened to Float; the embedding and an untied `lm_head.weight` stay in their stored F32/F16/BF16
    /// bytes (`PackedMatrix`). q and k are used as stored with rotate-half RoPE (see
    /// `DecoderConfiguration(huggingFaceConfig:)`).
    /// - Throws: `EngineError` naming the file and the key or tensor: a missing or mistyped config key,
    ///   a missing tensor, a shape that does not match config.json.
    public static func load(huggingFaceFolder folder: URL, maximumContextLength: Int = defaultMaximumContextLength) throws -> DecoderModel {
        let configURL = folder.appendingPathComponent("config.json")
        let configData: Data
        do { configData = try Data(contentsOf: configURL) } catch {
            throw EngineError.file(path: configURL.path, message: "cannot read: \(error.localizedDescription)")
        }
        let cfg = try DecoderConfiguration(huggingFaceConfig: configData, file: configURL.path, maximumContextLength: maximumContextLength)
        let tied = (try? JSONDecoder().decode(HuggingFaceLlamaConfig.self, from: configData))?.tieWordEmbeddings ?? false
        let tensors = try SafetensorsShards(folder: folder)
        let c = cfg.width, v = cfg.vocabularySize
        let embedding = try tensors.packed("model.embed_tokens.weight", rows: v, columns: c)
        let output: PackedMatrix
        if tensors.contains("lm_head.weight") {
            output = try tensors.packed("lm_head.weight", rows: v, columns: c)
        } else if tied {
            output = embedding
        } else {
            throw EngineError.file(path: tensors.describe("lm_head.weight"), message: "tensor 'lm_head.weight': missing, and config.json's tie_word_embeddings is not true")
        }
        let blocks = try Self.blocks(cfg, from: tensors, names: .huggingFaceLlama)
        return DecoderModel(configuration: cfg, embedding: embedding, outputProjection: output, blocks: blocks,
                            outputNorm: try tensors.vector("model.norm.weight", count: c))
    }

    /// The safetensors files of a Hugging Face folder, for hashing: model.safetensors or the shards.
    public static func huggingFaceWeightFiles(in folder: URL) throws -> [URL] {
        try SafetensorsShards.fileNames(in: folder).map { folder.appendingPathComponent($0) }
    }
}

/// The tensors of a Hugging Face folder, in one model.safetensors or in shards named by
/// model.safetensors.index.json, with errors naming the file and the tensor.
struct SafetensorsShards: DecoderTensorSource {
    let folder: URL
    /// Open files by name.
    let files: [String: SafetensorsFile]
    /// Tensor name → file name.
    let location: [String: String]

    static let singleFile = "model.safetensors"
    static let indexFile = "model.safetensors.index.json"

    /// File names: the shards of the index (in order of first use), else model.safetensors.
    static func fileNames(in folder: URL) throws -> [String] {
        try weightMap(in: folder).map { map in
            var seen = Set<String>()
            return map.values.sorted().filter { seen.insert($0).inserted }
        } ?? [singleFile]
    }

    /// model.safetensors.index.json's `weight_map`, nil when there is no index.
    static func weightMap(in folder: URL) throws -> [String: String]? {
        let url = folder.appendingPathComponent(indexFile)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        struct Index: Decodable { var weight_map: [String: String] }
        do {
            return try JSONDecoder().decode(Index.self, from: Data(contentsOf: url)).weight_map
        } catch {
            throw EngineError.file(path: url.path, message: "expected an object with 'weight_map' (tensor name → shard file): \(error)")
        }
    }

    init(folder: URL) throws {
        self.folder = folder
        var files: [String: SafetensorsFile] = [:]
        var location: [String: String] = [:]
        if let map = try Self.weightMap(in: folder) {
            for (tensor, file) in map {
                guard !file.contains("/") else {
                    throw EngineError.file(path: folder.appendingPathComponent(Self.indexFile).path, message: "weight_map['\(tensor)']: '\(file)' is not a file name in this folder")
                }
                if files[file] == nil { files[file] = try SafetensorsFile(contentsOf: folder.appendingPathComponent(file)) }
                location[tensor] = file
            }
        } else {
            let url = folder.appendingPathComponent(Self.singleFile)
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw EngineError.file(path: url.path, message: "missing: a Hugging Face checkpoint needs model.safetensors or model.safetensors.index.json with its shards")
            }
            let file = try SafetensorsFile(contentsOf: url)
            files[Self.singleFile] = file
            for name in file.tensorNames { location[name] = Self.singleFile }
        }
        self.files = files
        self.location = location
    }

    func contains(_ name: String) -> Bool { location[name] != nil }

    /// The path of the file that holds (or should hold) `name`.
    func describe(_ name: String) -> String {
        folder.appendingPathComponent(location[name] ?? (files.count == 1 && files[Self.singleFile] != nil ? Self.singleFile : Self.indexFile)).path
    }

    /// The file holding `name` and the tensor's info, with the shape checked.
    private func lookup(_ name: String, shape: [Int]) throws -> (SafetensorsFile, SafetensorsTensorInfo) {
        guard let fileName = location[name], let file = files[fileName], let info = file.info(name) else {
            throw EngineError.file(path: describe(name), message: "tensor '\(name)': missing (a Llama-family checkpoint needs it)")
        }
        guard info.shape == shape else {
            throw EngineError.file(path: describe(name), message: "tensor '\(name)': expected shape \(shape) from config.json, found \(info.shape)")
        }
        return (file, info)
    }

    private func floats(_ name: String, shape: [Int]) throws -> FloatBuffer {
        let (file, _) = try lookup(name, shape: shape)
        return FloatBuffer(try file.floats(name))
    }

    func vector(_ name: String, count: Int) throws -> FloatBuffer { try floats(name, shape: [count]) }

    /// A PyTorch `nn.Linear` weight, (outputs, inputs).
    func linear(_ name: String, inputs: Int, outputs: Int) throws -> Linear {
        Linear(weight: try floats(name, shape: [outputs, inputs]), inputs: inputs, outputs: outputs)
    }

    /// A (rows, columns) matrix in its stored F32/F16/BF16 bytes; other dtypes are widened to F32.
    func packed(_ name: String, rows: Int, columns: Int) throws -> PackedMatrix {
        let (file, info) = try lookup(name, shape: [rows, columns])
        let types: [TensorDType: GGMLType] = [.f32: .f32, .f16: .f16, .bf16: .bf16]
        if let type = types[info.dtype] {
            let data = try file.withRawBytes(of: name) { Data($0) }
            return PackedMatrix(rows: rows, columns: columns, type: type, data: data)
        }
        let values = try file.floats(name)
        return PackedMatrix(rows: rows, columns: columns, type: .f32, data: values.withUnsafeBytes { Data($0) })
    }
}
