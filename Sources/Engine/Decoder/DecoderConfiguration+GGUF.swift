import ModelFormats

extension DecoderConfiguration {
    /// GGUF `general.architecture` values this engine runs.
    public static let supportedArchitectures = ["llama", "gemma3"]

    /// Reads the hyper-parameters of a supported architecture from GGUF metadata.
    /// - Parameters:
    ///   - vocabularySize: rows of `token_embd.weight`.
    ///   - maximumContextLength: caps `<arch>.context_length` (activations and caches grow with it).
    public init(gguf file: GGUFFile, vocabularySize: Int, maximumContextLength: Int) throws {
        let architecture = try file.requiredString("general.architecture")
        switch architecture {
        case "llama": try self.init(llama: file, vocabularySize: vocabularySize)
        case "gemma3": try self.init(gemma3: file, vocabularySize: vocabularySize)
        default:
            throw EngineError.file(path: file.url.path, message: "key 'general.architecture': architecture '\(architecture)' is not supported; supported: \(Self.supportedArchitectures.joined(separator: ", "))")
        }
        contextLength = min(contextLength, maximumContextLength)
        try validate(file: file.url.path)
    }

    /// The Llama family (Llama 1–3, Mistral and others converted as `llama`): RMSNorm pre-norms,
    /// RoPE on adjacent pairs, grouped-query attention, SwiGLU, optional tied output.
    init(llama file: GGUFFile, vocabularySize: Int) throws {
        let a = "llama"
        let width = try file.requiredInt("\(a).embedding_length")
        let heads = try file.requiredInt("\(a).attention.head_count")
        let headDimension = try file.optionalInt("\(a).attention.key_length") ?? (heads > 0 ? width / heads : 0)
        let layerCount = try file.requiredInt("\(a).block_count")
        let base = Double(try file.optionalFloat("\(a).rope.freq_base") ?? 10_000)
        let rope = RotaryEmbedding(rotatedDimensions: try file.optionalInt("\(a).rope.dimension_count") ?? headDimension, base: base,
                                   pairing: .adjacent, linearScale: try Self.linearRopeScale(file, architecture: a),
                                   frequencyFactors: file.tensor(named: "rope_freqs.weight") != nil ? try file.floats("rope_freqs.weight") : nil)
        self.init(
            architecture: a, vocabularySize: vocabularySize, width: width, layerCount: layerCount, headCount: heads,
            keyValueHeadCount: try file.optionalInt("\(a).attention.head_count_kv") ?? heads, headDimension: headDimension,
            feedForwardWidth: try file.requiredInt("\(a).feed_forward_length"), contextLength: try file.requiredInt("\(a).context_length"),
            normEpsilon: try file.requiredFloat("\(a).attention.layer_norm_rms_epsilon"), activation: .silu, embeddingScale: 1,
            attentionScale: 1 / Float(headDimension).squareRoot(), hasQueryKeyNorm: false, hasPostNorms: false,
            rotaryEmbeddings: [rope], layers: Array(repeating: Layer(rotaryEmbedding: 0, slidingWindow: nil), count: max(0, layerCount)))
    }

    /// Gemma 3: embeddings scaled by √C, pre- and post-norms around attention and MLP, QK-norm,
    /// GeGLU (GELU-tanh), RoPE on halves, and interleaved attention: five sliding-window layers
    /// (window `gemma3.attention.sliding_window`, RoPE base 10,000) then one global layer
    /// (RoPE base `gemma3.rope.freq_base`, linear RoPE scaling if the file has one), as llama.cpp runs it.
    init(gemma3 file: GGUFFile, vocabularySize: Int) throws {
        let a = "gemma3"
        let width = try file.requiredInt("\(a).embedding_length")
        let heads = try file.requiredInt("\(a).attention.head_count")
        let headDimension = try file.optionalInt("\(a).attention.key_length") ?? (heads > 0 ? width / heads : 0)
        let layerCount = try file.requiredInt("\(a).block_count")
        let window = try file.requiredInt("\(a).attention.sliding_window")
        let pattern = try Self.gemma3SlidingLayers(file, layerCount: layerCount)
        let local = RotaryEmbedding(rotatedDimensions: headDimension, base: 10_000, pairing: .halves)
        let global = RotaryEmbedding(rotatedDimensions: headDimension, base: Double(try file.optionalFloat("\(a).rope.freq_base") ?? 1_000_000),
                                     pairing: .halves, linearScale: try Self.linearRopeScale(file, architecture: a))
        // llama.cpp scales queries by 1/√(C/NH) for the 27B model (62 layers) and by 1/√hd otherwise,
        // matching each checkpoint's query_pre_attn_scalar.
        let scale = layerCount == 62 ? 1 / Float(width / heads).squareRoot() : 1 / Float(headDimension).squareRoot()
        self.init(
            architecture: a, vocabularySize: vocabularySize, width: width, layerCount: layerCount, headCount: heads,
            keyValueHeadCount: try file.optionalInt("\(a).attention.head_count_kv") ?? heads, headDimension: headDimension,
            feedForwardWidth: try file.requiredInt("\(a).feed_forward_length"), contextLength: try file.requiredInt("\(a).context_length"),
            normEpsilon: try file.requiredFloat("\(a).attention.layer_norm_rms_epsilon"), activation: .geluTanh,
            embeddingScale: Float(width).squareRoot(), attentionScale: scale, hasQueryKeyNorm: true, hasPostNorms: true,
            rotaryEmbeddings: [local, global],
            layers: pattern.map { $0 ? Layer(rotaryEmbedding: 0, slidingWindow: window) : Layer(rotaryEmbedding: 1, slidingWindow: nil) })
    }

    /// Which layers use the sliding window: `gemma3.attention.sliding_window_pattern` when present
    /// (an integer n: every n-th layer is global; or one bool per layer), else every 6th layer is global.
    static func gemma3SlidingLayers(_ file: GGUFFile, layerCount: Int) throws -> [Bool] {
        let key = "gemma3.attention.sliding_window_pattern"
        var period = 6
        if let value = file.metadata[key] {
            if let flags = value.array?.compactMap(\.bool), flags.count == layerCount { return flags }
            guard let n = value.int, n > 0 else {
                throw EngineError.file(path: file.url.path, message: "key '\(key)': expected a positive integer or \(layerCount) bools, found \(value.summary)")
            }
            period = n
        }
        return (0..<max(0, layerCount)).map { ($0 + 1) % period != 0 }
    }

    /// 1 / `rope.scaling.factor` when `rope.scaling.type` is "linear"; 1 when there is no scaling.
    static func linearRopeScale(_ file: GGUFFile, architecture a: String) throws -> Double {
        guard let type = file.metadata["\(a).rope.scaling.type"]?.string, type != "none" else { return 1 }
        guard type == "linear" else {
            throw EngineError.file(path: file.url.path, message: "key '\(a).rope.scaling.type': '\(type)' is not supported; supported: none, linear")
        }
        let factor = try file.requiredFloat("\(a).rope.scaling.factor")
        guard factor > 0 else { throw EngineError.file(path: file.url.path, message: "key '\(a).rope.scaling.factor' must be positive, found \(factor)") }
        return 1 / Double(factor)
    }
}

extension GGUFFile {
    /// The integer at `key`, nil when absent; throws when present with another type.
    func optionalInt(_ key: String) throws -> Int? { metadata[key] == nil ? nil : try requiredInt(key) }
    /// The number at `key`, nil when absent; throws when present with another type.
    func optionalFloat(_ key: String) throws -> Float? { metadata[key] == nil ? nil : try requiredFloat(key) }
}
