/// The score of one continuation given a context.
public struct ContinuationScore: Sendable, Equatable {
    /// Σ log p(continuation token | everything before it), natural log.
    public var logProbability: Double
    /// True when every continuation token was the argmax of its distribution (greedy decoding
    /// would have produced the continuation).
    public var isGreedy: Bool
    /// Number of continuation tokens scored.
    public var tokenCount: Int

    public init(logProbability: Double, isGreedy: Bool, tokenCount: Int) {
        self.logProbability = logProbability
        self.isGreedy = isGreedy
        self.tokenCount = tokenCount
    }
}

/// How `generate` picks each token.
public struct SamplingParameters: Sendable, Equatable {
    /// 0 means greedy (argmax); otherwise logits are divided by it before the softmax.
    public var temperature: Double
    /// Keep only the k most likely tokens (nil: all).
    public var topK: Int?
    /// Keep the smallest set of most likely tokens whose probability reaches p (nil: all).
    public var topP: Double?
    /// Seeds the `Xoshiro256` that draws the samples.
    public var seed: UInt64

    public init(temperature: Double = 0, topK: Int? = nil, topP: Double? = nil, seed: UInt64 = 0) {
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.seed = seed
    }

    /// Argmax decoding.
    public static let greedy = SamplingParameters()
}

/// A decoder-only language model the evaluation backends can score and sample from.
/// `GPT2Model` and `DecoderModel` (the Llama family and Gemma 3, from GGUF or Hugging Face files) implement it.
public protocol CausalLanguageModel: AnyObject, Sendable {
    /// Longest sequence (context + continuation) the model accepts.
    var contextLength: Int { get }
    /// Number of token ids; valid ids are 0..<vocabularySize.
    var vocabularySize: Int { get }

    /// Scores several continuations of one context. The context runs once into a KV cache, the
    /// continuations run on top of it, and the output projection is computed only where a
    /// log-probability is needed (the last context position and each continuation position but the last).
    /// A continuation's score depends only on (context, continuation): bit-identical whatever else is in the call.
    /// - Parameters:
    ///   - context: non-empty token ids.
    ///   - continuations: token ids each; `context.count + continuation.count <= contextLength`.
    /// - Returns: one score per continuation, in order.
    func scoreContinuations(context: [Int], continuations: [[Int]]) throws -> [ContinuationScore]

    /// Per-token log-probabilities for rolling-window perplexity.
    /// - Parameters:
    ///   - tokens: at most `contextLength` ids.
    ///   - scoredFrom: first position whose *next* token is scored; earlier positions are context only.
    /// - Returns: `tokens.count - 1 - scoredFrom` values; value k is
    ///   log p(tokens[scoredFrom + k + 1] | tokens[0 ... scoredFrom + k]).
    func tokenLogProbabilities(tokens: [Int], scoredFrom: Int) throws -> [Double]

    /// Generates up to `maxTokens` ids after `prompt` with a KV cache.
    /// - Parameters:
    ///   - prompt: non-empty ids; if it leaves no room in the context, its oldest tokens are dropped.
    ///   - sampling: greedy when `temperature == 0`.
    ///   - onToken: called with each new id; return false to stop (stop sequences are the caller's job).
    /// - Returns: the generated ids (without the prompt). Generation also stops when the context is full.
    func generate(prompt: [Int], maxTokens: Int, sampling: SamplingParameters, onToken: (Int) -> Bool) throws -> [Int]
}

/// Argument checks every implementation makes the same way (GPT-2, Llama, Gemma).
extension CausalLanguageModel {
    /// Throws unless every id is in the vocabulary.
    func validate(_ ids: [Int], what: String) throws {
        let v = vocabularySize
        if let bad = ids.firstIndex(where: { $0 < 0 || $0 >= v }) {
            throw EngineError.invalidArgument("\(what): token id \(ids[bad]) at index \(bad) is outside the vocabulary 0..<\(v)")
        }
    }

    /// The body of every model's `scoreContinuations(context:continuations:prefixSharing:)`: checks
    /// the call, answers all-empty continuations without a pass, and runs the shared (KV cache) or
    /// unshared (each sequence whole) path.
    func scoreChecked(context: [Int], continuations: [[Int]], prefixSharing: Bool,
                      shared: ([Int], [[Int]]) -> [ContinuationScore],
                      unshared: ([Int], [[Int]]) -> [ContinuationScore]) throws -> [ContinuationScore] {
        guard try validateScoring(context: context, continuations: continuations) else {
            return continuations.map { _ in ContinuationScore(logProbability: 0, isGreedy: true, tokenCount: 0) }
        }
        return prefixSharing ? shared(context, continuations) : unshared(context, continuations)
    }

    /// Checks a `scoreContinuations` call. Returns false when no continuation has a token (every
    /// score is then empty and no model pass is needed).
    func validateScoring(context: [Int], continuations: [[Int]]) throws -> Bool {
        guard !context.isEmpty else { throw EngineError.invalidArgument("scoreContinuations: the context is empty") }
        try validate(context, what: "context")
        for (i, continuation) in continuations.enumerated() {
            try validate(continuation, what: "continuation \(i)")
            guard context.count + continuation.count <= contextLength else {
                throw EngineError.invalidArgument("continuation \(i): context (\(context.count)) + continuation (\(continuation.count)) tokens exceed the context length \(contextLength)")
            }
        }
        return continuations.contains { !$0.isEmpty }
    }

    /// Checks a `tokenLogProbabilities` call. Returns false when nothing is to be scored.
    func validateRolling(tokens: [Int], scoredFrom: Int) throws -> Bool {
        try validate(tokens, what: "tokenLogProbabilities")
        guard tokens.count <= contextLength else {
            throw EngineError.invalidArgument("tokenLogProbabilities: \(tokens.count) tokens exceed the context length \(contextLength)")
        }
        guard scoredFrom >= 0 else { throw EngineError.invalidArgument("tokenLogProbabilities: scoredFrom \(scoredFrom) is negative") }
        return tokens.count >= 2 && scoredFrom < tokens.count - 1
    }

    /// Checks a `generate` call. Returns false when no token is to be generated.
    func validateGeneration(prompt: [Int], maxTokens: Int) throws -> Bool {
        guard !prompt.isEmpty else { throw EngineError.invalidArgument("generate: the prompt is empty") }
        guard maxTokens >= 0 else { throw EngineError.invalidArgument("generate: maxTokens \(maxTokens) is negative") }
        try validate(prompt, what: "prompt")
        return maxTokens > 0
    }
}
