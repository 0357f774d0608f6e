/// One token of a sequence with its log-probability given everything before it, and the most
/// likely tokens the model would have put there instead.
public struct TokenDistributionEntry: Sendable, Equatable {
    /// log p(token | the tokens before it), natural log.
    public var logProbability: Double
    /// The `topCount` most likely tokens at this position, most likely first (ties: lower id
    /// first), each with its natural-log probability. The actual token is among them only when
    /// it is one of the most likely.
    public var top: [TokenCandidate]

    public init(logProbability: Double, top: [TokenCandidate]) {
        self.logProbability = logProbability
        self.top = top
    }
}

/// A token id and its natural-log probability at one position.
public struct TokenCandidate: Sendable, Equatable {
    public var id: Int
    public var logProbability: Double
    public init(id: Int, logProbability: Double) {
        self.id = id
        self.logProbability = logProbability
    }
}

/// Token-level access to a causal model's next-token distributions: what an OpenAI-style
/// `/v1/completions` answer with `echo` and `logprobs` needs (the log-probability of every prompt
/// token and the `top_logprobs` alternatives at each position).
///
/// This is a separate protocol, not a requirement of `CausalLanguageModel`, so a model adopts it
/// when it can (GPT-2 does, in `GPT2Model+NextTokenDistributions.swift`); a model that does not
/// is still served, but requests for prompt log-probabilities are refused with a clear error.
/// A model with logits per position implements it in a few lines: run the sequences, take the
/// log-softmax of each row, pick the target's entry and the `topCount` largest.
public protocol NextTokenDistributions: CausalLanguageModel {
    /// Log-probabilities of every token of several sequences after the first.
    ///
    /// - Parameters:
    ///   - sequences: token ids each, at most `contextLength` per sequence; empty sequences are allowed.
    ///   - topCount: alternatives to report per position (0 for none; at most `vocabularySize`).
    /// - Returns: per sequence, `max(0, count - 1)` entries; entry k is about `sequence[k + 1]`
    ///   given `sequence[0 ... k]`. A sequence's entries do not depend on the other sequences of
    ///   the call (the sequences may run as one batch).
    func tokenDistributions(sequences: [[Int]], topCount: Int) throws -> [[TokenDistributionEntry]]
}

extension NextTokenDistributions {
    /// `tokenDistributions(sequences:topCount:)` for one sequence.
    public func tokenDistributions(of tokens: [Int], topCount: Int) throws -> [TokenDistributionEntry] {
        try tokenDistributions(sequences: [tokens], topCount: topCount)[0]
    }
}
