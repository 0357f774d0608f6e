import Foundation
import ModelFormats

extension DecoderModel {
    /// Default cap on the context length taken from GGUF metadata (Gemma 3 declares 32,768):
    /// the KV cache and the attention scores grow with it. Pass another value to `load` to change it.
    public static let defaultMaximumContextLength = 8192

    /// Loads a `llama` or `gemma3` GGUF file. Block weights are dequantised to Float; the embedding
    /// (and an untied `output.weight`) stay in their stored type, memory-mapped.
    /// - Throws: `EngineError` naming the file and the key or tensor when the architecture is not
    ///   supported, a key is missing, or a tensor is missing, of an unsupported type or of the wrong shape.
    public static func load(gguf file: GGUFFile, maximumContextLength: Int = defaultMaximumContextLength) throws -> DecoderModel {
        let loader = TensorLoader(file: file)
        let embeddingInfo = try loader.info("token_embd.weight")
        guard embeddingInfo.dimensions.count == 2 else {
            throw loader.error("token_embd.weight", "expected 2 dimensions (width, vocabulary), found \(embeddingInfo.dimensions)")
        }
        let cfg = try DecoderConfiguration(gguf: file, vocabularySize: embeddingInfo.dimensions[1], maximumContextLength: maximumContextLength)
        let c = cfg.width
        let embedding = try loader.packed("token_embd.weight", rows: cfg.vocabularySize, columns: c)
        let output = file.tensor(named: "output.weight") == nil ? embedding : try loader.packed("output.weight", rows: cfg.vocabularySize, columns: c)
        output.prepareRowProducts(in: loader.arena)
        let blocks = try Self.blocks(cfg, from: loader, names: .gguf)
        return DecoderModel(configuration: cfg, embedding: embedding, outputProjection: output, blocks: blocks,
                            outputNorm: try loader.vector("output_norm.weight", count: c))
    }

    /// Opens and loads a GGUF file (see `load(gguf:maximumContextLength:)`).
    public static func load(contentsOf url: URL, maximumContextLength: Int = defaultMaximumContextLength) throws -> DecoderModel {
        try load(gguf: GGUFFile(contentsOf: url), maximumContextLength: maximumContextLength)
    }

    /// The model and the tokenizer stored in the same GGUF file, opened once.
    public static func loadWithTokenizer(contentsOf url: URL, maximumContextLength: Int = defaultMaximumContextLength) throws -> (model: DecoderModel, tokenizer: GGUFTokenizer) {
        let file = try GGUFFile(contentsOf: url)
        return (try load(gguf: file, maximumContextLength: maximumContextLength), try GGUFTokenizer(file: file))
    }
}

/// Reads tensors of the expected shapes out of a GGUF file, with errors naming the tensor.
private struct TensorLoader: DecoderTensorSource {
    let file: GGUFFile
    /// The regrouped rows of every matrix (`PackedMatrix.prepareRowProducts`), in huge pages.
    let arena = LargePageArena()

    func error(_ tensor: String, _ message: String) -> EngineError {
        .file(path: file.url.path, message: "tensor '\(tensor)': \(message)")
    }

    func info(_ name: String) throws -> GGUFTensorInfo {
        guard let info = file.tensor(named: name) else { throw error(name, "missing (the architecture needs it)") }
        return info
    }

    /// A tensor with exactly `dimensions` (ggml order: the row length first), dequantised to Float.
    private func floats(_ name: String, dimensions: [Int]) throws -> FloatBuffer {
        let info = try info(name)
        guard info.dimensions == dimensions else { throw error(name, "expected dimensions \(dimensions), found \(info.dimensions)") }
        guard info.type.isDequantizable else {
            throw error(name, "type \(info.type.name) is not supported (supported: \(GGMLType.dequantizable.map(\.name).joined(separator: ", ")))")
        }
        let buffer = FloatBuffer(count: info.elementCount)
        try file.withRawData(of: name) { bytes in
            _ = GGMLDequantization.dequantize(bytes, type: info.type, into: UnsafeMutableBufferPointer(start: buffer.pointer, count: info.elementCount))
        }
        return buffer
    }

    func vector(_ name: String, count: Int) throws -> FloatBuffer { try floats(name, dimensions: [count]) }

    /// A weight stored (outputs, inputs): GGUF dimensions [inputs, outputs]; a quantised one keeps
    /// its stored form, and a Float copy too unless the stored form serves every row count (then
    /// its rows are regrouped for the integer kernels instead: ~1.1 bytes per weight, not 4).
    func linear(_ name: String, inputs: Int, outputs: Int) throws -> Linear {
        let type = try info(name).type
        if PackedMatrix.servesEveryRowCount(type) {
            let matrix = try packed(name, rows: outputs, columns: inputs)
            matrix.prepareRowProducts(in: arena)
            return Linear(weight: nil, inputs: inputs, outputs: outputs, packed: matrix)
        }
        var linear = Linear(weight: try floats(name, dimensions: [inputs, outputs]), inputs: inputs, outputs: outputs)
        if type != .f32 { linear.packed = try packed(name, rows: outputs, columns: inputs) }
        return linear
    }

    /// A (rows, columns) matrix kept in its stored type.
    func packed(_ name: String, rows: Int, columns: Int) throws -> PackedMatrix {
        let info = try info(name)
        guard info.dimensions == [columns, rows] else { throw error(name, "expected dimensions \([columns, rows]), found \(info.dimensions)") }
        guard info.type.isDequantizable else {
            throw error(name, "type \(info.type.name) is not supported (supported: \(GGMLType.dequantizable.map(\.name).joined(separator: ", ")))")
        }
        return PackedMatrix(rows: rows, columns: columns, type: info.type, data: try file.rawData(of: name))
    }
}
