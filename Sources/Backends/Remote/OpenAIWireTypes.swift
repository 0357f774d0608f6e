import Foundation

// JSON bodies of the OpenAI-compatible API, as far as EvalKit uses them. Property names are
// camelCase; the transport encodes them snake_case (`maxTokens` → `max_tokens`).

/// The `prompt` field of `/v1/completions`: one text, or a list (one choice per prompt in the answer).
/// Token ids are accepted by vLLM and `eval serve` (lm-evaluation-harness sends them).
enum CompletionPrompt: Encodable, Sendable, Equatable {
    case one(String)
    case list([String])
    case tokens([Int])
    case tokenLists([[Int]])

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .one(let text): try container.encode(text)
        case .list(let texts): try container.encode(texts)
        case .tokens(let ids): try container.encode(ids)
        case .tokenLists(let lists): try container.encode(lists)
        }
    }
}

/// `POST /v1/completions`.
struct CompletionPayload: Encodable, Sendable {
    var model: String
    var prompt: CompletionPrompt
    var maxTokens: Int
    var temperature: Double
    var topP: Double?
    var stop: [String]?
    var seed: Int?
    var n: Int?
    /// Return the prompt's tokens with their log-probabilities before the generated ones.
    var echo: Bool?
    /// Number of top alternatives per token (1: the most likely token, to decide greediness).
    var logprobs: Int?
    /// `echo_logprobs_from`, an `eval serve` extension: per prompt, the first token whose
    /// log-probability the answer needs (the context's are never read). Sent only to servers
    /// whose `/v1/models` entry says they take it.
    var echoLogprobsFrom: [Int]?
}

/// `GET /v1/models`, as far as EvalKit reads it: which extensions the model's server takes.
struct ModelListAnswer: Decodable, Sendable {
    struct Entry: Decodable, Sendable {
        var id: String
        var echoLogprobsFrom: Bool?
        enum CodingKeys: String, CodingKey { case id, echoLogprobsFrom = "echo_logprobs_from" }
    }
    var data: [Entry]
}

/// `POST /v1/chat/completions`.
struct ChatCompletionPayload: Encodable, Sendable {
    struct Message: Encodable, Sendable {
        var role: String
        var content: String
    }
    var model: String
    var messages: [Message]
    var maxTokens: Int
    var temperature: Double
    var topP: Double?
    var stop: [String]?
    var seed: Int?
    var n: Int?
}

/// vLLM's `POST /tokenize` (at the server root, beside `/v1`).
struct TokenizePayload: Encodable, Sendable {
    var model: String
    var prompt: String
    var addSpecialTokens: Bool
}

struct TokenizeAnswer: Decodable, Sendable {
    var tokens: [Int]
}

/// vLLM's `GET /tokenizer_info` (the tokenizer's configuration), as far as EvalKit reads it: the
/// special tokens' texts, each a string or (in some configurations) an object with `content`.
struct TokenizerInfoAnswer: Decodable, Sendable {
    var eosToken: String?
    var bosToken: String?
    enum CodingKeys: String, CodingKey { case eosToken = "eos_token", bosToken = "bos_token" }
    private struct AddedToken: Decodable { var content: String }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func text(_ key: CodingKeys) -> String? {
            (try? container.decodeIfPresent(String.self, forKey: key)) ?? (try? container.decodeIfPresent(AddedToken.self, forKey: key))?.content
        }
        eosToken = text(.eosToken)
        bosToken = text(.bosToken)
    }
}

struct CompletionUsage: Decodable, Sendable {
    var completionTokens: Int?
    enum CodingKeys: String, CodingKey { case completionTokens = "completion_tokens" }
}

struct CompletionAnswer: Decodable, Sendable {
    struct Choice: Decodable, Sendable {
        /// Which prompt (of a prompt list) the choice answers, with `n: 1`.
        var index: Int?
        var text: String?
        var finishReason: String?
        var logprobs: Logprobs?
        enum CodingKeys: String, CodingKey {
            case index, text, logprobs
            case finishReason = "finish_reason"
        }
    }
    /// The legacy completions `logprobs` object: parallel arrays, one entry per token.
    struct Logprobs: Decodable, Sendable {
        var tokens: [String]?
        /// Natural-log probability of each token; null for a token nothing precedes.
        var tokenLogprobs: [Double?]?
        /// The most likely alternatives at each position (token → logprob); null where none.
        var topLogprobs: [[String: Double]?]?
        /// Character offset of each token in `text` (Python string offsets: Unicode code points).
        var textOffset: [Int]?
        enum CodingKeys: String, CodingKey {
            case tokens
            case tokenLogprobs = "token_logprobs"
            case topLogprobs = "top_logprobs"
            case textOffset = "text_offset"
        }
    }
    var choices: [Choice]
    var usage: CompletionUsage?
}

struct ChatCompletionAnswer: Decodable, Sendable {
    struct Choice: Decodable, Sendable {
        struct Message: Decodable, Sendable {
            var content: String?
        }
        var message: Message
        var finishReason: String?
        enum CodingKeys: String, CodingKey {
            case message
            case finishReason = "finish_reason"
        }
    }
    var choices: [Choice]
    var usage: CompletionUsage?
}
