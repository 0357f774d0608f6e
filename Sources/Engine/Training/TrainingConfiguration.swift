/// Where a training run's tokenizer comes from: trained on the corpus with this vocabulary size,
/// or read from a tokenizer.json. In YAML/JSON, `tokenizer: 4096` or `tokenizer: path/to/tokenizer.json`.
public enum TokenizerSource: Codable, Sendable, Equatable {
    case train(vocabularySize: Int)
    case file(path: String)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let size = try? container.decode(Int.self) {
            self = .train(vocabularySize: size)
        } else if let path = try? container.decode(String.self) {
            self = .file(path: path)
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "tokenizer must be a vocabulary size to train (e.g. 4096) or the path of a tokenizer.json")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case let .train(size): try container.encode(size)
        case let .file(path): try container.encode(path)
        }
    }
}

/// Everything a `TrainingRun` needs, decoded from the CLI's YAML with snake_case keys.
/// Only `corpus` is required; every other key has the default shown on its property.
public struct TrainingConfiguration: Codable, Sendable, Equatable {
    /// Run name: output goes to `<output_directory>/<name>/`. Default "gpt2".
    public var name: String = "gpt2"
    /// Default "runs".
    public var outputDirectory: String = "runs"
    /// Text files or folders (searched recursively for .txt), read in sorted path order.
    public var corpus: [String]
    /// Default: train a byte-level BPE with 4096 tokens on the corpus.
    public var tokenizer: TokenizerSource = .train(vocabularySize: 4096)
    public var layerCount: Int = 4        // n_layer
    public var headCount: Int = 4         // n_head
    public var width: Int = 256           // n_embd
    /// Tokens per training sequence; also the model's n_positions. Default 256.
    public var contextLength: Int = 256
    public var batchSize: Int = 8
    public var gradientAccumulationSteps: Int = 1
    /// Optimizer steps to train for. Default 1000.
    public var steps: Int = 1000
    public var learningRate: Double = 6e-4
    public var minLearningRate: Double = 6e-5
    public var warmupSteps: Int = 100
    public var weightDecay: Double = 0.1
    public var gradientClip: Double = 1.0
    public var beta1: Double = 0.9
    public var beta2: Double = 0.95
    public var seed: UInt64 = 1
    /// Share of the token stream (its tail) held out for validation. Default 0.05.
    public var validationFraction: Double = 0.05
    /// Steps between validation losses (0: only at the end). Default 100.
    public var validationInterval: Int = 100
    /// At most this many T-token windows per validation. Default 64.
    public var validationWindows: Int = 64
    /// Steps between checkpoints (0: only the final one). Default 500.
    public var checkpointInterval: Int = 500

    enum CodingKeys: String, CodingKey {
        case name, outputDirectory = "output_directory", corpus, tokenizer
        case layerCount = "n_layer", headCount = "n_head", width = "n_embd", contextLength = "context_length"
        case batchSize = "batch_size", gradientAccumulationSteps = "gradient_accumulation_steps", steps
        case learningRate = "learning_rate", minLearningRate = "min_learning_rate", warmupSteps = "warmup_steps"
        case weightDecay = "weight_decay", gradientClip = "grad_clip", beta1, beta2, seed
        case validationFraction = "validation_fraction", validationInterval = "validation_interval"
        case validationWindows = "validation_windows", checkpointInterval = "checkpoint_interval"
    }

    public init(corpus: [String]) { self.corpus = corpus }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let paths = try? c.decode([String].self, forKey: .corpus) {
            corpus = paths
        } else {
            corpus = [try c.decode(String.self, forKey: .corpus)]
        }
        func value<T: Decodable>(_ key: CodingKeys, _ fallback: T) throws -> T { try c.decodeIfPresent(T.self, forKey: key) ?? fallback }
        name = try value(.name, name)
        outputDirectory = try value(.outputDirectory, outputDirectory)
        tokenizer = try value(.tokenizer, tokenizer)
        layerCount = try value(.layerCount, layerCount)
        headCount = try value(.headCount, headCount)
        width = try value(.width, width)
        contextLength = try value(.contextLength, contextLength)
        batchSize = try value(.batchSize, batchSize)
        gradientAccumulationSteps = try value(.gradientAccumulationSteps, gradientAccumulationSteps)
        steps = try value(.steps, steps)
        learningRate = try value(.learningRate, learningRate)
        minLearningRate = try value(.minLearningRate, minLearningRate)
        warmupSteps = try value(.warmupSteps, warmupSteps)
        weightDecay = try value(.weightDecay, weightDecay)
        gradientClip = try value(.gradientClip, gradientClip)
        beta1 = try value(.beta1, beta1)
        beta2 = try value(.beta2, beta2)
        seed = try value(.seed, seed)
        validationFraction = try value(.validationFraction, validationFraction)
        validationInterval = try value(.validationInterval, validationInterval)
        validationWindows = try value(.validationWindows, validationWindows)
        checkpointInterval = try value(.checkpointInterval, checkpointInterval)
    }

    /// Checks ranges; the message names the key.
    public func validate() throws {
        func require(_ condition: Bool, _ message: String) throws {
            if !condition { throw EngineError.invalidArgument("training configuration: \(message)") }
        }
        try require(!corpus.isEmpty, "corpus lists no files or folders")
        try require(!name.isEmpty && !name.contains("/"), "name \"\(name)\" must be a non-empty folder name")
        for (key, value) in [("n_layer", layerCount), ("n_head", headCount), ("n_embd", width), ("context_length", contextLength),
                             ("batch_size", batchSize), ("gradient_accumulation_steps", gradientAccumulationSteps), ("steps", steps),
                             ("validation_windows", validationWindows)] {
            try require(value > 0, "\(key) must be positive, got \(value)")
        }
        try require(width % headCount == 0, "n_head \(headCount) must divide n_embd \(width)")
        try require(learningRate > 0 && minLearningRate >= 0 && minLearningRate <= learningRate, "need 0 <= min_learning_rate <= learning_rate and learning_rate > 0")
        try require(warmupSteps >= 0 && validationInterval >= 0 && checkpointInterval >= 0, "warmup_steps, validation_interval and checkpoint_interval must be >= 0")
        try require(validationFraction >= 0 && validationFraction < 1, "validation_fraction must be in [0, 1), got \(validationFraction)")
        try require(weightDecay >= 0 && (0..<1).contains(beta1) && (0..<1).contains(beta2), "weight_decay must be >= 0 and beta1, beta2 in [0, 1)")
        if case let .train(size) = tokenizer { try require(size >= 257, "tokenizer vocabulary size \(size) must be at least 257 (256 bytes + <|endoftext|>)") }
    }

    /// The Trainer settings this configuration implies (the cosine ends at `steps`).
    public var trainerConfiguration: TrainerConfiguration {
        TrainerConfiguration(
            batchSize: batchSize, sequenceLength: contextLength, gradientAccumulationSteps: gradientAccumulationSteps, seed: seed,
            optimizer: OptimizerConfiguration(learningRate: learningRate, minLearningRate: minLearningRate, warmupSteps: warmupSteps,
                                              decaySteps: steps, beta1: beta1, beta2: beta2, weightDecay: weightDecay, gradientClip: gradientClip))
    }
}
