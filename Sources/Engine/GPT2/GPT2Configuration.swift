/// The shape of a GPT-2 model, read from and written to a Hugging Face `config.json`
/// (keys `n_layer`, `n_head`, `n_embd`, `n_positions`, `vocab_size`, ...).
public struct GPT2Configuration: Codable, Sendable, Equatable {
    /// Number of transformer blocks.
    public var layerCount: Int
    /// Attention heads per block; must divide `width`.
    public var headCount: Int
    /// Model width C (`n_embd`).
    public var width: Int
    /// Maximum sequence length (rows of the position embedding, `n_positions`).
    public var positionCount: Int
    /// Vocabulary size V (rows of the token embedding).
    public var vocabularySize: Int
    /// LayerNorm epsilon.
    public var layerNormEpsilon: Double
    /// Only `gelu_new` (tanh approximation) is implemented.
    public var activationFunction: String
    /// `bos_token_id`: written so transformers does not default it to GPT-2's 50256.
    public var bosTokenID: Int?
    /// `eos_token_id` (for models trained here: `<|endoftext|>`).
    public var eosTokenID: Int?

    enum CodingKeys: String, CodingKey {
        case layerCount = "n_layer", headCount = "n_head", width = "n_embd", positionCount = "n_positions"
        case contextCount = "n_ctx", vocabularySize = "vocab_size", layerNormEpsilon = "layer_norm_epsilon"
        case activationFunction = "activation_function", architectures, modelType = "model_type"
        case bosTokenID = "bos_token_id", eosTokenID = "eos_token_id"
        case inner = "n_inner", scaleByInverseLayer = "scale_attn_by_inverse_layer_idx", scaleAttention = "scale_attn_weights"
    }

    /// A configuration with GPT-2's defaults for everything but the sizes (call `validate()` or
    /// construct a `GPT2Model`, which validates).
    public init(
        layerCount: Int, headCount: Int, width: Int, positionCount: Int, vocabularySize: Int,
        layerNormEpsilon: Double = 1e-5, bosTokenID: Int? = nil, eosTokenID: Int? = nil
    ) {
        self.layerCount = layerCount
        self.headCount = headCount
        self.width = width
        self.positionCount = positionCount
        self.vocabularySize = vocabularySize
        self.layerNormEpsilon = layerNormEpsilon
        self.activationFunction = "gelu_new"
        self.bosTokenID = bosTokenID
        self.eosTokenID = eosTokenID
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        layerCount = try container.decode(Int.self, forKey: .layerCount)
        headCount = try container.decode(Int.self, forKey: .headCount)
        width = try container.decode(Int.self, forKey: .width)
        vocabularySize = try container.decode(Int.self, forKey: .vocabularySize)
        let positions = try container.decodeIfPresent(Int.self, forKey: .positionCount)
        let context = try container.decodeIfPresent(Int.self, forKey: .contextCount)
        guard let count = positions ?? context else {
            throw DecodingError.keyNotFound(CodingKeys.positionCount, .init(codingPath: container.codingPath, debugDescription: "config needs n_positions (or n_ctx)"))
        }
        positionCount = count
        layerNormEpsilon = try container.decodeIfPresent(Double.self, forKey: .layerNormEpsilon) ?? 1e-5
        activationFunction = try container.decodeIfPresent(String.self, forKey: .activationFunction) ?? "gelu_new"
        bosTokenID = try container.decodeIfPresent(Int.self, forKey: .bosTokenID)
        eosTokenID = try container.decodeIfPresent(Int.self, forKey: .eosTokenID)
        if let modelType = try container.decodeIfPresent(String.self, forKey: .modelType), modelType != "gpt2" {
            throw GPT2ConfigurationError.unsupported(key: "model_type", value: modelType, expected: "gpt2")
        }
        // Variants this engine does not implement must not load silently with wrong numbers.
        if let inner = try container.decodeIfPresent(Int.self, forKey: .inner), inner != 4 * width {
            throw GPT2ConfigurationError.unsupported(key: "n_inner", value: String(inner), expected: "null or 4 * n_embd")
        }
        if try container.decodeIfPresent(Bool.self, forKey: .scaleByInverseLayer) == true {
            throw GPT2ConfigurationError.unsupported(key: "scale_attn_by_inverse_layer_idx", value: "true", expected: "false")
        }
        if try container.decodeIfPresent(Bool.self, forKey: .scaleAttention) == false {
            throw GPT2ConfigurationError.unsupported(key: "scale_attn_weights", value: "false", expected: "true")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(layerCount, forKey: .layerCount)
        try container.encode(headCount, forKey: .headCount)
        try container.encode(width, forKey: .width)
        try container.encode(positionCount, forKey: .positionCount)
        try container.encode(positionCount, forKey: .contextCount)
        try container.encode(vocabularySize, forKey: .vocabularySize)
        try container.encode(layerNormEpsilon, forKey: .layerNormEpsilon)
        try container.encode(activationFunction, forKey: .activationFunction)
        try container.encode(["GPT2LMHeadModel"], forKey: .architectures)
        try container.encode("gpt2", forKey: .modelType)
        try container.encodeIfPresent(bosTokenID, forKey: .bosTokenID)
        try container.encodeIfPresent(eosTokenID, forKey: .eosTokenID)
    }

    /// Checks that every size is positive, heads divide the width and the activation is supported.
    public func validate() throws {
        let sizes = [("n_layer", layerCount), ("n_head", headCount), ("n_embd", width), ("n_positions", positionCount), ("vocab_size", vocabularySize)]
        for (key, value) in sizes where value <= 0 {
            throw GPT2ConfigurationError.notPositive(key: key, value: value)
        }
        guard width % headCount == 0 else { throw GPT2ConfigurationError.headsDoNotDivideWidth(heads: headCount, width: width) }
        guard activationFunction == "gelu_new" || activationFunction == "gelu_pytorch_tanh" else {
            throw GPT2ConfigurationError.unsupported(key: "activation_function", value: activationFunction, expected: "gelu_new")
        }
        guard layerNormEpsilon > 0, layerNormEpsilon.isFinite else {
            throw GPT2ConfigurationError.unsupported(key: "layer_norm_epsilon", value: "\(layerNormEpsilon)", expected: "a small positive number")
        }
        if vocabularySize > Int(Int32.max) || positionCount > Int(Int32.max) {
            throw GPT2ConfigurationError.unsupported(key: "vocab_size/n_positions", value: "\(vocabularySize)/\(positionCount)", expected: "< 2^31")
        }
    }

    /// Width of one attention head.
    public var headSize: Int { width / headCount }
}

/// Why a `GPT2Configuration` was rejected.
public enum GPT2ConfigurationError: Error, CustomStringConvertible, Equatable {
    case notPositive(key: String, value: Int)
    case headsDoNotDivideWidth(heads: Int, width: Int)
    case unsupported(key: String, value: String, expected: String)

    public var description: String {
        switch self {
        case let .notPositive(key, value): "GPT-2 config: \(key) must be positive, got \(value)"
        case let .headsDoNotDivideWidth(heads, width): "GPT-2 config: n_head \(heads) must divide n_embd \(width)"
        case let .unsupported(key, value, expected): "GPT-2 config: \(key) \"\(value)\" is not supported (expected \(expected))"
        }
    }
}
