/// Log-likelihood of `continuation` given `context` (lm-evaluation-harness's `loglikelihood`).
/// The boundary between the two is decided by the model's tokenizer; see docs/models.md.
public struct LogLikelihoodRequest: Hashable, Sendable, Codable {
    public var context: String
    public var continuation: String
    public init(context: String, continuation: String) {
        self.context = context
        self.continuation = continuation
    }
}

public struct LogLikelihoodResponse: Hashable, Sendable, Codable {
    /// Sum of the continuation tokens' natural-log probabilities.
    public var logLikelihood: Double
    /// True when every continuation token was the model's most likely token.
    public var isGreedy: Bool
    /// Number of tokens in the continuation.
    public var tokenCount: Int

    enum CodingKeys: String, CodingKey {
        case logLikelihood = "loglikelihood", isGreedy = "is_greedy", tokenCount = "token_count"
    }

    public init(logLikelihood: Double, isGreedy: Bool, tokenCount: Int) {
        self.logLikelihood = logLikelihood
        self.isGreedy = isGreedy
        self.tokenCount = tokenCount
    }
}

/// Log-likelihood of a whole text, scored in windows of the model's context length
/// (lm-evaluation-harness's `loglikelihood_rolling`), for perplexity.
public struct RollingLogLikelihoodRequest: Hashable, Sendable, Codable {
    public var text: String
    public init(text: String) { self.text = text }
}

public struct RollingLogLikelihoodResponse: Hashable, Sendable, Codable {
    public var logLikelihood: Double
    public var tokenCount: Int
    /// Number of windows the text was scored in (1 when it fits in the context).
    public var windowCount: Int

    enum CodingKeys: String, CodingKey {
        case logLikelihood = "loglikelihood", tokenCount = "token_count", windowCount = "window_count"
    }

    public init(logLikelihood: Double, tokenCount: Int, windowCount: Int) {
        self.logLikelihood = logLikelihood
        self.tokenCount = tokenCount
        self.windowCount = windowCount
    }
}

public struct ChatMessage: Hashable, Sendable, Codable {
    public var role: String
    public var content: String
    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}

/// What a generation request sends: plain text, or chat messages for chat models.
public enum GenerationPrompt: Hashable, Sendable, Codable {
    case text(String)
    case chat([ChatMessage])

    // Written as {"text": "..."} or {"messages": [...]} in samples.jsonl and cache keys.
    enum CodingKeys: String, CodingKey { case text, messages }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let text = try container.decodeIfPresent(String.self, forKey: .text) {
            self = .text(text)
        } else {
            self = .chat(try container.decode([ChatMessage].self, forKey: .messages))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .text(let text): try container.encode(text, forKey: .text)
        case .chat(let messages): try container.encode(messages, forKey: .messages)
        }
    }
}

public struct GenerationRequest: Hashable, Sendable, Codable {
    public var prompt: GenerationPrompt
    public var maxTokens: Int
    public var stop: [String]
    /// 0 means greedy decoding.
    public var temperature: Double
    public var topP: Double?
    /// Sampling seed; with temperature 0 it has no effect.
    public var seed: UInt64

    enum CodingKeys: String, CodingKey {
        case prompt, maxTokens = "max_tokens", stop, temperature, topP = "top_p", seed
    }

    public init(prompt: GenerationPrompt, maxTokens: Int, stop: [String] = [], temperature: Double = 0, topP: Double? = nil, seed: UInt64 = 0) {
        self.prompt = prompt
        self.maxTokens = maxTokens
        self.stop = stop
        self.temperature = temperature
        self.topP = topP
        self.seed = seed
    }
}

public struct GenerationResponse: Hashable, Sendable, Codable {
    /// The generated text, cut before the first stop sequence.
    public var text: String
    public var tokenCount: Int
    /// "stop" (a stop sequence or end of text), "length" (max tokens) or "context" (context full).
    public var finishReason: String
    /// True when the prompt was cut from the left to fit the context.
    public var promptTruncated: Bool

    enum CodingKeys: String, CodingKey {
        case text, tokenCount = "token_count", finishReason = "finish_reason", promptTruncated = "prompt_truncated"
    }

    public init(text: String, tokenCount: Int, finishReason: String, promptTruncated: Bool = false) {
        self.text = text
        self.tokenCount = tokenCount
        self.finishReason = finishReason
        self.promptTruncated = promptTruncated
    }
}
