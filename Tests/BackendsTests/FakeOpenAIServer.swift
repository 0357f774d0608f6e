import Foundation

/// The answers of a pretend OpenAI-compatible server, as pure functions of the request, for the
/// client tests. Its "tokenizer" splits text into runs of optional white space followed by
/// non-space characters ("The capital is" → "The", " capital", " is"). Token log-probability:
/// -0.5 - 0.1 × (code points in the token); the first token has none (no BOS). A token is the
/// most likely one when its length in code points is even; otherwise "<alt>" is, 0.5 nats likelier.
/// A prompt list is answered with one choice per prompt (`index` in order), unless the options
/// make the server refuse lists (HTTP 400, as a server taking only a string would) or answer only
/// the first prompt of a list. With `echoFrom` its `/v1/models` offers `echo_logprobs_from`, and
/// an echo that carries it has null log-probabilities before each prompt's value (capped at the
/// prompt's last token), as `eval serve` answers.
enum FakeOpenAI {
    struct Options: Sendable {
        var tokenize = false
        var rejectZeroMaxTokens = false
        var ignoreEcho = false
        var refusePromptLists = false
        var answerFirstPromptOnly = false
        var echoFrom = false
    }

    /// The prompts of a completions body: a string is one, a list is several.
    static func prompts(_ body: [String: Any]) -> [String] {
        if let list = body["prompt"] as? [String] { return list }
        return [body["prompt"] as? String ?? ""]
    }

    /// One echo choice (prompt tokens with log-probabilities, then " next" when a token is asked for).
    static func echoChoice(_ prompt: String, index: Int, maxTokens: Int, from: Int = 1) -> [String: Any] {
        var promptTokens = tokens(prompt)
        var offsets: [Int] = []
        var offset = 0
        for token in promptTokens { offsets.append(offset); offset += token.unicodeScalars.count }
        let first = max(1, min(from, promptTokens.count - 1))
        var values: [Any] = promptTokens.enumerated().map { $0.offset < first ? NSNull() : logprob($0.element) as Any }
        var text = prompt
        if maxTokens > 0 {
            promptTokens.append(" next"); offsets.append(offset); values.append(-0.1); text += " next"
        }
        let top: [Any] = promptTokens.enumerated().map { index, token -> Any in
            if index < first { return NSNull() }
            return token.unicodeScalars.count % 2 == 0 ? [token: logprob(token)] : ["<alt>": logprob(token) + 0.5]
        }
        let logprobs: [String: Any] = ["tokens": promptTokens, "token_logprobs": values, "top_logprobs": top, "text_offset": offsets]
        return ["index": index, "text": text, "finish_reason": "length", "logprobs": logprobs]
    }

    static func tokens(_ text: String) -> [String] {
        var result: [String] = []
        var current = ""
        var seenNonSpace = false
        for scalar in text.unicodeScalars {
            let isSpace = scalar.properties.isWhitespace
            if isSpace && seenNonSpace {
                result.append(current)
                current = ""
                seenNonSpace = false
            }
            current.unicodeScalars.append(scalar)
            if !isSpace { seenNonSpace = true }
        }
        if !current.isEmpty { result.append(current) }
        return result
    }

    static func logprob(_ token: String) -> Double { -0.5 - 0.1 * Double(token.unicodeScalars.count) }

    static func json(_ object: Any) -> String {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// The normal answer to `request`.
    static func answer(_ request: RecordedRequest, options: Options = Options()) -> ServerReply {
        if request.path == "/v1/models", options.echoFrom {
            return .respond(status: 200, body: json(["object": "list", "data": [["id": "fake-model", "object": "model", "echo_logprobs_from": true]]]))
        }
        guard let body = request.json else { return .respond(status: 400, body: #"{"error":"body is not JSON"}"#) }
        switch request.path {
        case "/tokenize":
            guard options.tokenize else { return .respond(status: 404, body: #"{"detail":"Not Found"}"#) }
            let text = body["prompt"] as? String ?? ""
            return .respond(status: 200, body: json(["tokens": tokens(text).indices.map { 1000 + $0 }, "count": tokens(text).count]))
        case "/v1/completions":
            let isList = body["prompt"] is [Any]
            if isList && options.refusePromptLists {
                return .respond(status: 400, body: #"{"error":{"message":"'prompt' must be a string","type":"invalid_request_error"}}"#)
            }
            let prompts = prompts(body)
            let prompt = prompts[0]
            let maxTokens = body["max_tokens"] as? Int ?? 16
            if body["echo"] as? Bool == true && !options.ignoreEcho {
                if maxTokens == 0 && options.rejectZeroMaxTokens {
                    return .respond(status: 400, body: #"{"error":{"message":"max_tokens must be at least 1"}}"#)
                }
                let answered = options.answerFirstPromptOnly ? [prompt] : prompts
                let from = options.echoFrom ? body["echo_logprobs_from"] as? [Int] : nil
                return .respond(status: 200, body: json(["choices": answered.enumerated().map {
                    echoChoice($1, index: $0, maxTokens: maxTokens, from: from?[$0] ?? 1)
                }]))
            }
            // Generation: the last word of the prompt, upper-cased, then a stop-able tail.
            let last = tokens(prompt).last?.trimmingCharacters(in: .whitespaces) ?? ""
            var text = " \(last.uppercased())\nsecond line"
            if options.ignoreEcho && body["echo"] as? Bool == true { text = maxTokens == 0 ? "" : " \(last)" }
            let logprobs: Any = body["logprobs"] == nil ? NSNull() : ["tokens": tokens(text), "token_logprobs": tokens(text).map { logprob($0) }, "text_offset": [0]]
            return .respond(status: 200, body: json(["choices": [["text": text, "finish_reason": "length", "logprobs": logprobs]],
                                                     "usage": ["completion_tokens": 3]]))
        case "/v1/chat/completions":
            let messages = body["messages"] as? [[String: Any]] ?? []
            let content = messages.last?["content"] as? String ?? ""
            return .respond(status: 200, body: json(["choices": [["message": ["role": "assistant", "content": "chat: \(content)"], "finish_reason": "stop"]],
                                                     "usage": ["completion_tokens": 2]]))
        default:
            return .respond(status: 404, body: #"{"detail":"Not Found"}"#)
        }
    }
}
