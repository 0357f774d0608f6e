/// Who a model is, for caches and results: a name a person reads and a hash of what determines
/// its outputs (the weights' bytes for local checkpoints, the endpoint configuration for remote ones).
public struct ModelIdentity: Hashable, Sendable, Codable {
    public var name: String
    /// "engine", "openai", ... and, for tests, "test-double".
    public var backend: String
    public var contentHash: String
    public init(name: String, backend: String, contentHash: String) {
        self.name = name
        self.backend = backend
        self.contentHash = contentHash
    }
}

public struct ModelCapabilities: Hashable, Sendable, Codable {
    /// Tokens the model attends to at once.
    public var contextLength: Int
    /// Whether `logLikelihoods` / `rollingLogLikelihoods` give real values (chat-only APIs cannot).
    public var canScoreLogLikelihoods: Bool
    public var canGenerate: Bool
    public var supportsChat: Bool
    public init(contextLength: Int, canScoreLogLikelihoods: Bool, canGenerate: Bool, supportsChat: Bool) {
        self.contextLength = contextLength
        self.canScoreLogLikelihoods = canScoreLogLikelihoods
        self.canGenerate = canGenerate
        self.supportsChat = supportsChat
    }
}

/// A model as the harness sees it: three batched calls (as lm-evaluation-harness's `LM` and
/// lighteval's `LightevalModel`), an identity and capabilities.
///
/// Implementations must return one response per request, in request order, and must give the
/// same response for a request whatever else is in the batch: scores may not depend on batch
/// size, order or concurrency. The runner deduplicates and orders requests; a model may group
/// requests sharing a context to score them together.
public protocol LanguageModel: Sendable {
    var identity: ModelIdentity { get }
    var capabilities: ModelCapabilities { get }

    /// - Parameter requests: context/continuation pairs.
    /// - Returns: one response per request, in order.
    func logLikelihoods(_ requests: [LogLikelihoodRequest]) async throws -> [LogLikelihoodResponse]

    /// - Parameter requests: whole texts, scored in windows of the context length.
    func rollingLogLikelihoods(_ requests: [RollingLogLikelihoodRequest]) async throws -> [RollingLogLikelihoodResponse]

    /// - Parameter requests: prompts with decoding settings.
    func generate(_ requests: [GenerationRequest]) async throws -> [GenerationResponse]

    /// Token count of a text (for `acc_norm_tokens`); nil when the model cannot say.
    func tokenCount(of text: String) async throws -> Int?
}

extension LanguageModel {
    public func tokenCount(of text: String) async throws -> Int? { nil }
}

/// A model failure the runner reports (exit 1) without losing what was computed.
public struct ModelError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
