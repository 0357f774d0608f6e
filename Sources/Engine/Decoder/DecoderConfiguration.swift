/// Hyper-parameters of a decoder-only transformer of the Llama / Gemma 3 kind, read from GGUF
/// metadata (`DecoderConfiguration+Llama.swift`, `DecoderConfiguration+Gemma3.swift`).
///
/// Shapes: C = width, NH = headCount, KVH = keyValueHeadCount (NH is a multiple of it: grouped-query
/// attention, query head h reads key/value head h / (NH/KVH)), hd = headDimension (independent of
/// C/NH in Gemma), F = feedForwardWidth, V = vocabularySize, L = layerCount.
public struct DecoderConfiguration: Sendable {
    /// GGUF `general.architecture`, e.g. "llama", "gemma3".
    public var architecture: String
    public var vocabularySize: Int
    public var width: Int
    public var layerCount: Int
    public var headCount: Int
    public var keyValueHeadCount: Int
    public var headDimension: Int
    public var feedForwardWidth: Int
    /// The longest sequence the engine runs: the trained context length, capped at load (see `DecoderModel.load`).
    public var contextLength: Int
    public var normEpsilon: Float
    public var activation: GatedActivation
    /// Multiplies the looked-up embeddings (√C for Gemma, 1 for Llama).
    public var embeddingScale: Float
    /// Multiplies q·k (1/√hd for both families, except Gemma 3 27B: 1/√(C/NH)).
    public var attentionScale: Float
    /// RMSNorm of each query and key head before RoPE (Gemma 3).
    public var hasQueryKeyNorm: Bool
    /// RMSNorm of the attention and MLP outputs before the residual add (Gemma 2/3).
    public var hasPostNorms: Bool
    /// The distinct rotary embeddings (Gemma 3: local and global); layers name one by index.
    public var rotaryEmbeddings: [RotaryEmbedding]
    /// Per layer: index into `rotaryEmbeddings`, and the sliding window (nil: global attention).
    public var layers: [Layer]

    public struct Layer: Sendable, Equatable {
        public var rotaryEmbedding: Int
        /// A query at position p sees keys at positions p − window + 1 … p (nil: all earlier positions).
        public var slidingWindow: Int?

        public init(rotaryEmbedding: Int, slidingWindow: Int?) {
            self.rotaryEmbedding = rotaryEmbedding
            self.slidingWindow = slidingWindow
        }
    }

    /// Width of the query projection, NH·hd.
    var queryWidth: Int { headCount * headDimension }
    /// Width of the key and value projections, KVH·hd.
    var keyValueWidth: Int { keyValueHeadCount * headDimension }

    /// Throws unless sizes are positive and heads group evenly.
    func validate(file: String) throws {
        let sizes = [("vocabulary size", vocabularySize), ("embedding_length", width), ("block_count", layerCount),
                     ("attention.head_count", headCount), ("attention.head_count_kv", keyValueHeadCount),
                     ("head dimension", headDimension), ("feed_forward_length", feedForwardWidth), ("context_length", contextLength)]
        for (name, value) in sizes where value <= 0 {
            throw EngineError.file(path: file, message: "\(architecture).\(name) must be positive, found \(value)")
        }
        guard headCount % keyValueHeadCount == 0 else {
            throw EngineError.file(path: file, message: "\(architecture).attention.head_count \(headCount) is not a multiple of head_count_kv \(keyValueHeadCount)")
        }
        for rope in rotaryEmbeddings where rope.rotatedDimensions > headDimension || rope.rotatedDimensions % 2 != 0 {
            throw EngineError.file(path: file, message: "\(architecture).rope.dimension_count \(rope.rotatedDimensions) must be even and at most the head dimension \(headDimension)")
        }
    }
}
