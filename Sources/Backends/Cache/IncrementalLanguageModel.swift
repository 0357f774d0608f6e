import EvalCore

/// A model that can report each answer of a batch as soon as it has it, before the batch ends.
///
/// `CachedLanguageModel` uses this to commit every answer the moment it arrives, so a batch that
/// fails halfway (an endpoint going down, the process being killed) keeps what was answered.
/// Each `onAnswer(index, response)` names the request by its index in `requests`; it may be called
/// from several tasks at once and in any order. The returned array is still the whole batch in order.
public protocol IncrementalLanguageModel: LanguageModel {
    /// - Parameters:
    ///   - requests: context/continuation pairs.
    ///   - onAnswer: called once per answered request, with its index in `requests`.
    func logLikelihoods(_ requests: [LogLikelihoodRequest],
                        onAnswer: @escaping @Sendable (Int, LogLikelihoodResponse) -> Void) async throws -> [LogLikelihoodResponse]

    /// - Parameters:
    ///   - requests: whole texts.
    ///   - onAnswer: called once per answered request, with its index in `requests`.
    func rollingLogLikelihoods(_ requests: [RollingLogLikelihoodRequest],
                               onAnswer: @escaping @Sendable (Int, RollingLogLikelihoodResponse) -> Void) async throws -> [RollingLogLikelihoodResponse]

    /// - Parameters:
    ///   - requests: prompts with decoding settings.
    ///   - onAnswer: called once per answered request, with its index in `requests`.
    func generate(_ requests: [GenerationRequest],
                  onAnswer: @escaping @Sendable (Int, GenerationResponse) -> Void) async throws -> [GenerationResponse]
}

extension IncrementalLanguageModel {
    public func logLikelihoods(_ requests: [LogLikelihoodRequest]) async throws -> [LogLikelihoodResponse] {
        try await logLikelihoods(requests, onAnswer: { _, _ in })
    }
    public func rollingLogLikelihoods(_ requests: [RollingLogLikelihoodRequest]) async throws -> [RollingLogLikelihoodResponse] {
        try await rollingLogLikelihoods(requests, onAnswer: { _, _ in })
    }
    public func generate(_ requests: [GenerationRequest]) async throws -> [GenerationResponse] {
        try await generate(requests, onAnswer: { _, _ in })
    }
}
