import EvalCore
import Foundation

/// A prompt as a client sent it: text, or token ids (lm-evaluation-harness sends ids).
enum PromptInput: Sendable, Equatable {
    case text(String)
    case tokens([Int])
}

/// Decoding settings shared by `/v1/completions` and `/v1/chat/completions`.
struct DecodingSettings: Sendable, Equatable {
    /// Tokens to generate at most (OpenAI's default is 16).
    var maxTokens = 16
    var temperature = 1.0
    var topP: Double?
    var stop: [String] = []
    /// Completions per prompt.
    var n = 1
    /// nil: a fresh seed per request (sampling is then not reproducible).
    var seed: UInt64?
    var stream = false
    /// `stream_options.include_usage`: a last chunk with token counts.
    var includeUsage = false

    /// Largest `n` accepted.
    static let maxChoices = 64

    init() {}

    init(_ fields: RequestFields, maxTokensKeys: [String]) throws {
        for key in maxTokensKeys {
            if let value = try fields.integer(key, in: 0...Int(Int32.max)) {
                maxTokens = value
                break
            }
        }
        temperature = try fields.number("temperature", in: 0...2) ?? 1
        topP = try fields.number("top_p", in: 0...1, openBelow: true)
        stop = try fields.stopSequences()
        n = try fields.integer("n", in: 1...Self.maxChoices) ?? 1
        if let seed = try fields.integer("seed") { self.seed = UInt64(bitPattern: Int64(seed)) }
        stream = try fields.bool("stream") ?? false
        if let options = fields["stream_options"] {
            guard case .object(let object) = options else { throw APIError.invalid("stream_options", "expected an object") }
            includeUsage = try RequestFields(object: object).bool("include_usage") ?? false
            if includeUsage, !stream { throw APIError.invalid("stream_options", "is only allowed with \"stream\": true") }
        }
        if let bestOf = try fields.integer("best_of"), bestOf != n {
            throw APIError.invalid("best_of", "is not supported (only best_of == n)")
        }
        if let suffix = try fields.string("suffix"), !suffix.isEmpty {
            throw APIError.invalid("suffix", "is not supported")
        }
    }
}

/// `POST /v1/completions`, validated.
struct CompletionRequest: Sendable, Equatable {
    var model: String?
    var prompts: [PromptInput]
    /// Return the prompt (its tokens, with log-probabilities when `logprobs` is set) before the completion.
    var echo: Bool
    /// Alternatives per token in `top_logprobs` (0 ... 20); nil: no log-probabilities.
    var logprobs: Int?
    /// `echo_logprobs_from` (an EvalKit extension, advertised in `/v1/models`): per prompt, the first
    /// prompt token whose log-probability is returned; the ones before it come back as null (their
    /// tokens and offsets are still echoed), so the server does not compute the context's logits a
    /// log-likelihood client never reads. At most the prompt's last token; nil: every token.
    var echoLogprobsFrom: [Int]?
    var decoding: DecodingSettings

    /// Largest `logprobs` / `top_logprobs` accepted.
    static let maxLogprobs = 20
    /// The request field of `echoLogprobsFrom`.
    static let echoLogprobsFromKey = "echo_logprobs_from"

    init(_ fields: RequestFields) throws {
        model = try fields.string("model")
        prompts = try Self.prompts(fields["prompt"])
        echo = try fields.bool("echo") ?? false
        logprobs = try fields.integer("logprobs", in: 0...Self.maxLogprobs)
        decoding = try DecodingSettings(fields, maxTokensKeys: ["max_tokens"])
        echoLogprobsFrom = try Self.echoLogprobsFrom(fields, promptCount: prompts.count)
        if echoLogprobsFrom != nil, !(echo && logprobs != nil && decoding.maxTokens == 0 && !decoding.stream) {
            throw APIError.invalid(Self.echoLogprobsFromKey, "applies only to scoring requests: \"echo\": true, \"logprobs\" set, \"max_tokens\": 0, not streamed")
        }
        if echo, decoding.stream, logprobs != nil {
            throw APIError.invalid("echo", "echo with logprobs is not supported when streaming; send \"stream\": false")
        }
    }

    /// `echo_logprobs_from`: an integer (every prompt) or an array of integers, one per prompt, each >= 0.
    static func echoLogprobsFrom(_ fields: RequestFields, promptCount: Int) throws -> [Int]? {
        let key = echoLogprobsFromKey
        guard let value = fields[key] else { return nil }
        if case .array(let items) = value {
            guard items.count == promptCount else {
                throw APIError.invalid(key, "has \(items.count) values for \(promptCount) prompts (send one per prompt, or one integer for all)")
            }
            return try items.enumerated().map { index, item in
                guard let first = RequestFields.integer(item), first >= 0 else {
                    throw APIError.invalid("\(key)[\(index)]", "expected a token index (an integer >= 0), got \(RequestFields.describe(item))")
                }
                return first
            }
        }
        guard let first = RequestFields.integer(value), first >= 0 else {
            throw APIError.invalid(key, "expected a token index (an integer >= 0) or an array of them, got \(RequestFields.describe(value))")
        }
        return Array(repeating: first, count: promptCount)
    }

    /// `prompt`: a string, an array of strings, an array of token ids, or an array of arrays of token ids.
    static func prompts(_ value: JSONValue?) throws -> [PromptInput] {
        let expected = "expected a string, an array of strings, an array of token ids, or an array of arrays of token ids"
        guard let value else { throw APIError.invalid("prompt", "is required (\(expected))") }
        switch value {
        case .string(let text): return [.text(text)]
        case .array(let items):
            guard let first = items.first else { throw APIError.invalid("prompt", "is an empty array (\(expected))") }
            switch first {
            case .string:
                return try items.enumerated().map { index, item in
                    guard case .string(let text) = item else { throw APIError.invalid("prompt[\(index)]", "expected a string like the other elements, got \(RequestFields.typeName(item))") }
                    return .text(text)
                }
            case .number: return [.tokens(try tokenIDs(items, at: "prompt"))]
            case .array:
                return try items.enumerated().map { index, item in
                    guard case .array(let ids) = item, !ids.isEmpty else {
                        throw APIError.invalid("prompt[\(index)]", "expected a non-empty array of token ids like the other elements")
                    }
                    return .tokens(try tokenIDs(ids, at: "prompt[\(index)]"))
                }
            default: throw APIError.invalid("prompt[0]", "\(expected), got an array of \(RequestFields.typeName(first)) values")
            }
        default: throw APIError.invalid("prompt", "\(expected), got \(RequestFields.typeName(value))")
        }
    }

    static func tokenIDs(_ items: [JSONValue], at path: String) throws -> [Int] {
        try items.enumerated().map { index, item in
            guard let id = RequestFields.integer(item), id >= 0 else {
                throw APIError.invalid("\(path)[\(index)]", "expected a token id (an integer >= 0), got \(RequestFields.describe(item))")
            }
            return id
        }
    }
}

/// `POST /v1/chat/completions`, validated.
struct ChatRequest: Sendable, Equatable {
    var model: String?
    var messages: [ChatMessage]
    /// `logprobs: true`: log-probabilities of the generated tokens.
    var logprobs: Bool
    /// Alternatives per token (0 ... 20) when `logprobs` is true.
    var topLogprobs: Int
    var decoding: DecodingSettings

    init(_ fields: RequestFields) throws {
        model = try fields.string("model")
        guard let value = fields["messages"] else { throw APIError.invalid("messages", "is required: an array of {\"role\", \"content\"} objects") }
        guard case .array(let items) = value, !items.isEmpty else {
            throw APIError.invalid("messages", "expected a non-empty array of {\"role\", \"content\"} objects")
        }
        messages = try items.enumerated().map { index, item in
            guard case .object(let object) = item else { throw APIError.invalid("messages[\(index)]", "expected an object with role and content") }
            let message = RequestFields(object: object)
            guard let role = try? message.string("role"), !role.isEmpty else {
                throw APIError.invalid("messages[\(index)].role", "is required: system, user or assistant")
            }
            return ChatMessage(role: role, content: try Self.content(message["content"], at: "messages[\(index)].content"))
        }
        logprobs = try fields.bool("logprobs") ?? false
        topLogprobs = try fields.integer("top_logprobs", in: 0...CompletionRequest.maxLogprobs) ?? 0
        if fields["top_logprobs"] != nil, !logprobs { throw APIError.invalid("top_logprobs", "needs \"logprobs\": true") }
        decoding = try DecodingSettings(fields, maxTokensKeys: ["max_completion_tokens", "max_tokens"])
    }

    /// A message's content: a string, or an array of `{"type": "text", "text": ...}` parts.
    static func content(_ value: JSONValue?, at path: String) throws -> String {
        switch value {
        case nil: return ""
        case .string(let text)?: return text
        case .array(let parts)?:
            return try parts.enumerated().map { index, part in
                guard case .object(let object) = part, object["type"] == .string("text"), case .string(let text)? = object["text"] else {
                    throw APIError.invalid("\(path)[\(index)]", "only text parts ({\"type\": \"text\", \"text\": ...}) are supported")
                }
                return text
            }.joined()
        case let other?: throw APIError.invalid(path, "expected a string or an array of text parts, got \(RequestFields.typeName(other))")
        }
    }
}
