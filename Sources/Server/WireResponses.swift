import Foundation

// Response bodies in the shapes OpenAI's API and vLLM give, field names as on the wire. Fields
// clients read as nullable (`logprobs`, `finish_reason`) are written as explicit nulls.

struct Usage: Encodable, Sendable {
    var promptTokens: Int
    var completionTokens: Int
    enum CodingKeys: String, CodingKey { case promptTokens = "prompt_tokens", completionTokens = "completion_tokens", totalTokens = "total_tokens" }
    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(promptTokens, forKey: .promptTokens)
        try container.encode(completionTokens, forKey: .completionTokens)
        try container.encode(promptTokens + completionTokens, forKey: .totalTokens)
    }
}

/// `choices[].logprobs` of `/v1/completions`: parallel arrays, one entry per token.
struct CompletionLogprobsBody: Encodable, Sendable {
    var logprobs: TokenLogprobs
    enum CodingKeys: String, CodingKey { case tokens, tokenLogprobs = "token_logprobs", topLogprobs = "top_logprobs", textOffset = "text_offset" }
    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(logprobs.tokens, forKey: .tokens)
        try container.encode(logprobs.tokenLogprobs, forKey: .tokenLogprobs)
        // A dictionary per position (token text → log-probability); the likelier of two tokens with the same text wins.
        let top: [[String: Double]?] = logprobs.topLogprobs.map { entries in
            entries.map { Dictionary($0.map { ($0.token, $0.logprob) }, uniquingKeysWith: { max($0, $1) }) }
        }
        try container.encode(top, forKey: .topLogprobs)
        try container.encode(logprobs.textOffset, forKey: .textOffset)
    }
}

struct CompletionChoiceBody: Encodable, Sendable {
    var index: Int
    var text: String
    var logprobs: CompletionLogprobsBody?
    var finishReason: String?
    enum CodingKeys: String, CodingKey { case index, text, logprobs, finishReason = "finish_reason" }
    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(index, forKey: .index)
        try container.encode(text, forKey: .text)
        try container.encode(logprobs, forKey: .logprobs)
        try container.encode(finishReason, forKey: .finishReason)
    }
}

/// `/v1/completions` answer, and each streamed chunk of one (`object` is `text_completion` for both).
struct CompletionBody: Encodable, Sendable {
    var id: String
    var object = "text_completion"
    var created: Int
    var model: String
    var choices: [CompletionChoiceBody]
    var usage: Usage?
}

/// `choices[].logprobs` of `/v1/chat/completions`.
struct ChatLogprobsBody: Encodable, Sendable {
    struct Alternative: Encodable, Sendable {
        var token: String
        var logprob: Double
        var bytes: [UInt8]
    }
    struct Entry: Encodable, Sendable {
        var token: String
        var logprob: Double
        var bytes: [UInt8]
        var topLogprobs: [Alternative]
        enum CodingKeys: String, CodingKey { case token, logprob, bytes, topLogprobs = "top_logprobs" }
    }
    var content: [Entry]

    /// From the generated tokens' log-probabilities, `topCount` alternatives each.
    init(_ logprobs: TokenLogprobs, topCount: Int) {
        content = logprobs.tokens.indices.compactMap { index in
            guard let value = logprobs.tokenLogprobs[index] else { return nil }
            let token = logprobs.tokens[index]
            let top = (logprobs.topLogprobs[index] ?? []).prefix(topCount).map {
                Alternative(token: $0.token, logprob: $0.logprob, bytes: Array($0.token.utf8))
            }
            return Entry(token: token, logprob: value, bytes: Array(token.utf8), topLogprobs: Array(top))
        }
    }
}

struct ChatMessageBody: Encodable, Sendable {
    var role: String?
    var content: String?
}

struct ChatChoiceBody: Encodable, Sendable {
    var index: Int
    /// `message` in an answer, `delta` in a streamed chunk.
    var message: ChatMessageBody
    var isDelta: Bool
    var logprobs: ChatLogprobsBody?
    var finishReason: String?
    enum CodingKeys: String, CodingKey { case index, message, delta, logprobs, finishReason = "finish_reason" }
    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(index, forKey: .index)
        try container.encode(message, forKey: isDelta ? .delta : .message)
        try container.encode(logprobs, forKey: .logprobs)
        try container.encode(finishReason, forKey: .finishReason)
    }
}

/// `/v1/chat/completions` answer (`chat.completion`) or streamed chunk (`chat.completion.chunk`).
struct ChatBody: Encodable, Sendable {
    var id: String
    var object: String
    var created: Int
    var model: String
    var choices: [ChatChoiceBody]
    var usage: Usage?
}

struct ModelListBody: Encodable, Sendable {
    struct Entry: Encodable, Sendable {
        var id: String
        var object = "model"
        var created: Int
        var ownedBy = "evalkit"
        var maxModelLen: Int
        /// `/v1/completions` takes `echo_logprobs_from` (`CompletionRequest.echoLogprobsFrom`): the
        /// EvalKit client reads this and sends it; other clients and servers ignore both. Absent when
        /// the model gives no token log-probabilities.
        var echoLogprobsFrom: Bool?
        enum CodingKeys: String, CodingKey {
            case id, object, created, ownedBy = "owned_by", maxModelLen = "max_model_len", echoLogprobsFrom = "echo_logprobs_from"
        }
    }
    var object = "list"
    var data: [Entry]
}

/// vLLM's `/tokenize` answer.
struct TokenizeBody: Encodable, Sendable {
    var count: Int
    var maxModelLen: Int
    var tokens: [Int]
    var tokenStrs: [String]?
    enum CodingKeys: String, CodingKey { case count, maxModelLen = "max_model_len", tokens, tokenStrs = "token_strs" }
}

/// vLLM's `/tokenizer_info` answer, as far as a GPT-2 style tokenizer has these fields.
struct TokenizerInfoBody: Encodable, Sendable {
    var tokenizerClass: String
    var eosToken: String?
    var bosToken: String?
    var padToken: String?
    var modelMaxLength: Int
    var vocabSize: Int
    var addBosToken: Bool
    var chatTemplate: String?
    enum CodingKeys: String, CodingKey {
        case tokenizerClass = "tokenizer_class", eosToken = "eos_token", bosToken = "bos_token", padToken = "pad_token"
        case modelMaxLength = "model_max_length", vocabSize = "vocab_size", addBosToken = "add_bos_token", chatTemplate = "chat_template"
    }
}
