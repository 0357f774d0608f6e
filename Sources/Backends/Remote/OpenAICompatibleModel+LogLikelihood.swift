import EvalCore
import Foundation

/// Log-likelihoods over the completions API.
///
/// The text `context + continuation` is sent to `/v1/completions` with `echo: true`, `logprobs: 1`
/// and `max_tokens: 0` (or 1 when the server refuses 0; the generated token is then ignored), so the
/// answer holds every prompt token with its log-probability and its most likely alternative.
/// Which of those tokens are the continuation's:
/// - when the server answers vLLM's `POST /tokenize`: the tokens after the first
///   `tokenize(context).count` of `tokenize(context + continuation)`, as lm-evaluation-harness does
///   (when a merge across the boundary leaves none, the last token, which holds the continuation);
/// - otherwise from `text_offset`: from the token holding character `len(context)` (counted in
///   Unicode code points, as Python servers count them) to the end of the prompt, so a token that
///   straddles the boundary belongs to the continuation.
/// Trailing white space of a context moves to the start of its continuation first (as the engine
/// and lm-evaluation-harness do). A server that ignores `echo` is refused with an error, never
/// scored at chance.
extension OpenAICompatibleModel {
    public func logLikelihoods(_ requests: [LogLikelihoodRequest],
                               onAnswer: @escaping @Sendable (Int, LogLikelihoodResponse) -> Void) async throws -> [LogLikelihoodResponse] {
        try requireCompletionsAPI()
        return try await boundedMap(requests, onAnswer: onAnswer) { request in try await self.scoreOne(request) }
    }

    /// Each text is echoed whole (one window): a text longer than the server's context fails with
    /// the server's error rather than being split. A first token with no log-probability (nothing
    /// precedes it) is not scored; with a BOS-prepending server every text token is scored.
    public func rollingLogLikelihoods(_ requests: [RollingLogLikelihoodRequest],
                                      onAnswer: @escaping @Sendable (Int, RollingLogLikelihoodResponse) -> Void) async throws -> [RollingLogLikelihoodResponse] {
        try requireCompletionsAPI()
        return try await boundedMap(requests, onAnswer: onAnswer) { request in try await self.scoreRolling(request) }
    }

    /// Token count from `POST /tokenize` (no special tokens); nil when the server has no such route.
    public func tokenCount(of text: String) async throws -> Int? {
        try await tokenize(text, addSpecialTokens: false)?.count
    }

    func requireCompletionsAPI() throws {
        guard endpoint.api == .completions else {
            throw ModelError("model '\(endpoint.name)' uses api=chat, which returns no prompt log-probabilities; log-likelihood tasks need api=completions")
        }
    }

    /// The prompt's tokens as the server echoed them.
    struct EchoedPrompt {
        var tokens: [String]
        var logprobs: [Double?]
        var topLogprobs: [[String: Double]?]?
        var offsets: [Int]?
        /// Whether one generated token follows the prompt's tokens.
        var hasGeneratedToken: Bool
    }

    func echo(_ prompt: String) async throws -> EchoedPrompt {
        func payload(_ maxTokens: Int) -> CompletionPayload {
            CompletionPayload(model: endpoint.model, prompt: prompt, maxTokens: maxTokens, temperature: 0,
                              echo: true, logprobs: 1)
        }
        var oneToken = lock.withLock { echoNeedsOneToken }
        let answer: CompletionAnswer
        if oneToken {
            answer = try await send(completionsURL, payload(1), as: CompletionAnswer.self)
        } else {
            do {
                answer = try await transport.post(completionsURL, payload: payload(0), as: CompletionAnswer.self)
            } catch let failure as OpenAIHTTPTransport.StatusFailure where failure.status == 400 || failure.status == 422 {
                // Some servers reject max_tokens 0; ask for one token and ignore it.
                lock.withLock { echoNeedsOneToken = true }
                oneToken = true
                answer = try await send(completionsURL, payload(1), as: CompletionAnswer.self)
            } catch let failure as OpenAIHTTPTransport.StatusFailure {
                throw ModelError("model '\(endpoint.name)': POST \(completionsURL) answered HTTP \(failure.status); body: \(failure.excerpt)")
            }
        }
        let refusal = ModelError("""
            model '\(endpoint.name)': \(completionsURL) ignored echo=true (its answer holds no log-probabilities for the prompt's tokens), \
            so log-likelihoods cannot be computed; refusing rather than scoring at chance. Use a server whose /v1/completions \
            supports echo with logprobs (vLLM does), or only generation tasks
            """)
        guard let choice = answer.choices.first, let logprobs = choice.logprobs,
              let tokens = logprobs.tokens, let values = logprobs.tokenLogprobs,
              !tokens.isEmpty, values.count == tokens.count else { throw refusal }
        if let text = choice.text, !text.hasPrefix(prompt) { throw refusal }
        if let offsets = logprobs.textOffset, offsets.count != tokens.count {
            throw ModelError("model '\(endpoint.name)': \(completionsURL) answered \(offsets.count) text offsets for \(tokens.count) tokens")
        }
        return EchoedPrompt(tokens: tokens, logprobs: values, topLogprobs: logprobs.topLogprobs,
                            offsets: logprobs.textOffset, hasGeneratedToken: oneToken)
    }

    /// Token ids from `POST /tokenize`; nil when the server has no such route (remembered).
    func tokenize(_ text: String, addSpecialTokens: Bool = true) async throws -> [Int]? {
        if lock.withLock({ tokenizeAvailable }) == false { return nil }
        let payload = TokenizePayload(model: endpoint.model, prompt: text, addSpecialTokens: addSpecialTokens)
        do {
            let answer = try await transport.post(tokenizeURL, payload: payload, as: TokenizeAnswer.self)
            lock.withLock { tokenizeAvailable = true }
            return answer.tokens
        } catch let failure as OpenAIHTTPTransport.StatusFailure where [400, 404, 405, 501].contains(failure.status) {
            lock.withLock { tokenizeAvailable = false }
            return nil
        } catch let failure as OpenAIHTTPTransport.StatusFailure {
            throw ModelError("model '\(endpoint.name)': POST \(tokenizeURL) answered HTTP \(failure.status); body: \(failure.excerpt)")
        }
    }

    /// The indices of the echoed prompt's tokens (generated token excluded).
    func promptTokenCount(_ echoed: EchoedPrompt, promptLength: Int, tokenizedCount: Int?) throws -> Int {
        if let tokenizedCount {
            guard tokenizedCount <= echoed.tokens.count else {
                throw ModelError("model '\(endpoint.name)': /tokenize gives \(tokenizedCount) tokens but the echo holds \(echoed.tokens.count)")
            }
            return tokenizedCount
        }
        if let offsets = echoed.offsets { return offsets.firstIndex { $0 >= promptLength } ?? offsets.count }
        guard !echoed.hasGeneratedToken else {
            throw ModelError("model '\(endpoint.name)': the server gives neither /tokenize nor text_offset, so the generated token cannot be told from the prompt")
        }
        return echoed.tokens.count
    }

    /// First token of the continuation from text offsets: the token holding character `contextLength`.
    static func continuationStart(offsets: [Int], contextLength: Int, promptEnd: Int) -> Int {
        var start = offsets[..<promptEnd].firstIndex { $0 >= contextLength } ?? promptEnd
        if start > 0, start == promptEnd || offsets[start] > contextLength, offsets[start - 1] < contextLength {
            start -= 1
        }
        return start
    }

    func scoreOne(_ request: LogLikelihoodRequest) async throws -> LogLikelihoodResponse {
        var context = request.context
        var continuation = request.continuation
        // Python's len(context) - len(context.rstrip()): trailing white space joins the continuation.
        let trailing = context.reversed().prefix(while: { $0.isWhitespace }).count
        if trailing > 0 {
            continuation = String(context.suffix(trailing)) + continuation
            context = String(context.dropLast(trailing))
        }
        guard !continuation.isEmpty else { return LogLikelihoodResponse(logLikelihood: 0, isGreedy: true, tokenCount: 0) }
        let full = context + continuation
        let echoed = try await echo(full)
        var range: Range<Int>
        if let fullTokens = try await tokenize(full), let contextTokens = try await tokenize(context) {
            let end = try promptTokenCount(echoed, promptLength: full.unicodeScalars.count, tokenizedCount: fullTokens.count)
            // A merge across the boundary can leave tokenize(context) as long as the whole; the
            // last token then holds the continuation's text and is credited to it.
            range = min(contextTokens.count, max(0, end - 1))..<end
        } else if let offsets = echoed.offsets {
            let end = try promptTokenCount(echoed, promptLength: full.unicodeScalars.count, tokenizedCount: nil)
            range = Self.continuationStart(offsets: offsets, contextLength: context.unicodeScalars.count, promptEnd: end)..<end
        } else {
            throw ModelError("model '\(endpoint.name)': the server gives neither /tokenize nor text_offset, so the continuation's tokens cannot be found")
        }
        guard !range.isEmpty else {
            throw ModelError("model '\(endpoint.name)': no echoed token belongs to the continuation '\(continuation.prefix(40))'")
        }
        var total = 0.0
        var greedy = true
        for index in range {
            guard let value = echoed.logprobs[index] else {
                throw ModelError("model '\(endpoint.name)': token \(index) of the continuation has no log-probability (an empty context cannot be scored over this API)")
            }
            total += value
            // Greedy when no alternative is likelier than the token itself; unknown counts as not greedy.
            if let top = echoed.topLogprobs?[safe: index] ?? nil, let best = top.values.max() {
                if value < best - 1e-9 { greedy = false }
            } else {
                greedy = false
            }
        }
        return LogLikelihoodResponse(logLikelihood: total, isGreedy: greedy, tokenCount: range.count)
    }

    func scoreRolling(_ request: RollingLogLikelihoodRequest) async throws -> RollingLogLikelihoodResponse {
        guard !request.text.isEmpty else { return RollingLogLikelihoodResponse(logLikelihood: 0, tokenCount: 0, windowCount: 1) }
        let echoed = try await echo(request.text)
        let tokenized = try await tokenize(request.text)?.count
        let end = try promptTokenCount(echoed, promptLength: request.text.unicodeScalars.count, tokenizedCount: tokenized)
        var total = 0.0
        var scored = 0
        for index in 0..<end {
            guard let value = echoed.logprobs[index] else {
                if index == 0 { continue }
                throw ModelError("model '\(endpoint.name)': token \(index) of an echoed text has no log-probability")
            }
            total += value
            scored += 1
        }
        return RollingLogLikelihoodResponse(logLikelihood: total, tokenCount: scored, windowCount: 1)
    }
}

fileprivate extension Array {
    /// The element at `index`, or nil when out of range (for arrays from the network).
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
