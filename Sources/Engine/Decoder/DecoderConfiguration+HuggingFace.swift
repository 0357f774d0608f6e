import Foundation

extension DecoderConfiguration {
    /// config.json `model_type` values read as the Llama family.
    public static let supportedHuggingFaceModelTypes = ["llama", "mistral"]

    /// The hyper-parameters of a Llama-family checkpoint in the Hugging Face layout (config.json of
    /// transformers' `LlamaForCausalLM`; Mistral without a sliding window too).
    ///
    /// RoPE uses Hugging Face's rotate-half pairing (`.halves`): q and k are used as stored, unlike
    /// GGUF files, whose converter permutes them for llama.cpp's adjacent pairs.
    /// - Parameters:
    ///   - data: the bytes of config.json.
    ///   - file: its path, for errors (which name the key).
    ///   - maximumContextLength: caps `max_position_embeddings`.
    public init(huggingFaceConfig data: Data, file: String, maximumContextLength: Int) throws {
        let config: HuggingFaceLlamaConfig
        do {
            config = try JSONDecoder().decode(HuggingFaceLlamaConfig.self, from: data)
        } catch let error as DecodingError {
            throw EngineError.file(path: file, message: HuggingFaceLlamaConfig.describe(error))
        } catch {
            throw EngineError.file(path: file, message: "not valid JSON: \(error)")
        }
        func fail(_ key: String, _ message: String) -> EngineError { .file(path: file, message: "key '\(key)': \(message)") }
        guard Self.supportedHuggingFaceModelTypes.contains(config.modelType) else {
            throw fail("model_type", "'\(config.modelType)' is not supported; supported: \(Self.supportedHuggingFaceModelTypes.joined(separator: ", "))")
        }
        if let activation = config.hiddenAct, activation != "silu" {
            throw fail("hidden_act", "'\(activation)' is not supported; the Llama family uses silu")
        }
        if config.attentionBias == true { throw fail("attention_bias", "biases are not supported (the engine's Llama layers have none)") }
        if config.mlpBias == true { throw fail("mlp_bias", "biases are not supported (the engine's Llama layers have none)") }
        if let window = config.slidingWindow { throw fail("sliding_window", "a sliding window (\(window)) is not supported for this layout; expected null") }
        let heads = config.numAttentionHeads
        let headDimension = config.headDim ?? (heads > 0 ? config.hiddenSize / heads : 0)
        let base = config.ropeTheta ?? 10_000
        let (linearScale, factors) = try Self.ropeScaling(config.ropeScaling, headDimension: headDimension, base: base, fail: fail)
        let rope = RotaryEmbedding(rotatedDimensions: headDimension, base: base, pairing: .halves, linearScale: linearScale, frequencyFactors: factors)
        self.init(
            architecture: config.modelType, vocabularySize: config.vocabSize, width: config.hiddenSize, layerCount: config.numHiddenLayers,
            headCount: heads, keyValueHeadCount: config.numKeyValueHeads ?? heads, headDimension: headDimension,
            feedForwardWidth: config.intermediateSize, contextLength: min(config.maxPositionEmbeddings, maximumContextLength),
            normEpsilon: Float(config.rmsNormEps ?? 1e-6), activation: .silu, embeddingScale: 1,
            attentionScale: 1 / Float(headDimension).squareRoot(), hasQueryKeyNorm: false, hasPostNorms: false,
            rotaryEmbeddings: [rope], layers: Array(repeating: Layer(rotaryEmbedding: 0, slidingWindow: nil), count: max(0, config.numHiddenLayers)))
        try validate(file: file)
    }

    /// `rope_scaling`: null; `linear` (positions divided by `factor`); or `llama3` (Llama 3.1's
    /// per-frequency divisors from `factor`, `low_freq_factor`, `high_freq_factor` and
    /// `original_max_position_embeddings`, as transformers computes them; GGUF files store the same
    /// divisors as `rope_freqs.weight`).
    static func ropeScaling(_ scaling: HuggingFaceLlamaConfig.RopeScaling?, headDimension: Int, base: Double,
                            fail: (String, String) -> EngineError) throws -> (linearScale: Double, factors: [Float]?) {
        guard let scaling else { return (1, nil) }
        guard let type = scaling.ropeType ?? scaling.type else { throw fail("rope_scaling.rope_type", "missing") }
        if type == "default" { return (1, nil) }
        guard let factor = scaling.factor, factor > 0 else { throw fail("rope_scaling.factor", "missing or not positive") }
        switch type {
        case "linear":
            return (1 / factor, nil)
        case "llama3":
            guard let low = scaling.lowFreqFactor else { throw fail("rope_scaling.low_freq_factor", "missing (required for llama3 scaling)") }
            guard let high = scaling.highFreqFactor, high > low else { throw fail("rope_scaling.high_freq_factor", "missing or not above low_freq_factor") }
            guard let original = scaling.originalMaxPositionEmbeddings.map(Double.init), original > 0 else {
                throw fail("rope_scaling.original_max_position_embeddings", "missing or not positive")
            }
            let factors = (0..<(headDimension / 2)).map { i -> Float in
                let wavelength = 2 * Double.pi / pow(base, -2 * Double(i) / Double(headDimension))
                if wavelength < original / high { return 1 }
                if wavelength > original / low { return Float(factor) }
                let smooth = (original / wavelength - low) / (high - low)
                return Float(1 / ((1 - smooth) / factor + smooth))
            }
            return (1, factors)
        default:
            throw fail("rope_scaling.rope_type", "'\(type)' is not supported; supported: default, linear, llama3")
        }
    }
}

/// The keys of a Llama-family config.json the engine reads (transformers' `LlamaConfig` names).
struct HuggingFaceLlamaConfig: Decodable {
    var modelType: String
    var vocabSize: Int
    var hiddenSize: Int
    var intermediateSize: Int
    var numHiddenLayers: Int
    var numAttentionHeads: Int
    var numKeyValueHeads: Int?
    var headDim: Int?
    var maxPositionEmbeddings: Int
    var rmsNormEps: Double?
    var ropeTheta: Double?
    var ropeScaling: RopeScaling?
    var hiddenAct: String?
    var attentionBias: Bool?
    var mlpBias: Bool?
    var slidingWindow: Int?
    var tieWordEmbeddings: Bool?

    struct RopeScaling: Decodable {
        var type: String?
        var ropeType: String?
        var factor: Double?
        var lowFreqFactor: Double?
        var highFreqFactor: Double?
        var originalMaxPositionEmbeddings: Int?

        enum CodingKeys: String, CodingKey {
            case type, factor, ropeType = "rope_type", lowFreqFactor = "low_freq_factor", highFreqFactor = "high_freq_factor"
            case originalMaxPositionEmbeddings = "original_max_position_embeddings"
        }
    }

    enum CodingKeys: String, CodingKey {
        case modelType = "model_type", vocabSize = "vocab_size", hiddenSize = "hidden_size", intermediateSize = "intermediate_size"
        case numHiddenLayers = "num_hidden_layers", numAttentionHeads = "num_attention_heads", numKeyValueHeads = "num_key_value_heads"
        case headDim = "head_dim", maxPositionEmbeddings = "max_position_embeddings", rmsNormEps = "rms_norm_eps", ropeTheta = "rope_theta"
        case ropeScaling = "rope_scaling", hiddenAct = "hidden_act", attentionBias = "attention_bias", mlpBias = "mlp_bias"
        case slidingWindow = "sliding_window", tieWordEmbeddings = "tie_word_embeddings"
    }

    /// "key 'hidden_size': missing …" from a decoding error.
    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context, _ last: CodingKey? = nil) -> String {
            (context.codingPath + (last.map { [$0] } ?? [])).map(\.stringValue).joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "key '\(path(context, key))': missing (required for a Llama-family checkpoint)"
        case .valueNotFound(let type, let context):
            return "key '\(path(context))': is null, expected \(type == String.self ? "a string" : "a number")"
        case .typeMismatch(let type, let context):
            return "key '\(path(context))': expected \(type == String.self ? "a string" : type == Bool.self ? "true or false" : "a number (\(type))")"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not valid JSON: \(context.debugDescription)" : "key '\(path(context))': \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
