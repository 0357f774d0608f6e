import EvalCore
import Foundation

/// Echo requests: a prompt's tokens with their log-probabilities, for one prompt or a list.
///
/// Several prompts go out as one `/v1/completions` request (`prompt: [...]`, one choice per prompt,
/// matched by `index`). What the server refuses is found once and remembered for the life of the
/// model object (one run):
/// - `max_tokens: 0` refused (HTTP 400/422): one token is asked for and ignored;
/// - a prompt list refused (HTTP 400/422 with `max_tokens` 0 and 1 alike), or answered with a
///   number of choices other than the number of prompts: every prompt goes alone from then on.
/// A 400 to a list from a server that has accepted lists before is an error, not a refusal.
extension OpenAICompatibleModel {
    /// What one echo is asked for: a text, or token ids.
    enum EchoPrompt: Sendable {
        case text(String)
        case tokens([Int])
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

    /// Most texts whose token counts are kept (the map is emptied when full).
    static let tokenCountLimit = 100_000

    /// `from`: per prompt, the first token whose log-probability is read (`echo_logprobs_from`);
    /// not sent with one generated token (the extension is for `max_tokens: 0`).
    func echoPayload(_ prompt: CompletionPrompt, oneToken: Bool, from: [Int]? = nil) -> CompletionPayload {
        CompletionPayload(model: endpoint.model, prompt: prompt, maxTokens: oneToken ? 1 : 0, temperature: 0,
                          echo: true, logprobs: 1, echoLogprobsFrom: oneToken ? nil : from)
    }

    func statusError(_ failure: OpenAIHTTPTransport.StatusFailure, _ url: String) -> ModelError {
        ModelError("model '\(endpoint.name)': POST \(url) answered HTTP \(failure.status); body: \(failure.excerpt)")
    }

    /// Echoes every prompt; `onEcho(index, echo)` is called for each, in order. With a prompt list
    /// all come at once; one by one otherwise, so a failure keeps the echoes before it.
    /// `from`: per prompt, the first token whose log-probability is read, for a server that takes
    /// `echo_logprobs_from` (the ones before may come back null).
    func echo(_ prompts: [EchoPrompt], from: [Int]? = nil, onEcho: (Int, EchoedPrompt) async throws -> Void) async throws {
        if prompts.count > 1, lock.withLock({ promptListsAccepted }) != false, let echoes = try await echoList(prompts, from: from) {
            for (index, echoed) in echoes.enumerated() { try await onEcho(index, echoed) }
            return
        }
        for (index, prompt) in prompts.enumerated() { try await onEcho(index, try await echo(prompt, from: from.map { [$0[index]] })) }
    }

    /// One request for all `prompts`; nil when the server turns out not to take prompt lists (remembered).
    func echoList(_ prompts: [EchoPrompt], from: [Int]? = nil) async throws -> [EchoedPrompt]? {
        var texts: [String] = [], ids: [[Int]] = []
        for prompt in prompts {
            switch prompt {
            case .text(let text): texts.append(text)
            case .tokens(let tokens): ids.append(tokens)
            }
        }
        // A list is all texts or all token ids; a mixed one goes prompt by prompt.
        guard texts.isEmpty || ids.isEmpty else { return nil }
        let list: CompletionPrompt = ids.isEmpty ? .list(texts) : .tokenLists(ids)
        var oneToken = lock.withLock { echoNeedsOneToken }
        var answer: CompletionAnswer?
        do {
            answer = try await transport.post(completionsURL, payload: echoPayload(list, oneToken: oneToken, from: from), as: CompletionAnswer.self)
        } catch let failure as OpenAIHTTPTransport.StatusFailure where failure.status == 400 || failure.status == 422 {
            if lock.withLock({ promptListsAccepted }) == true { throw statusError(failure, completionsURL) }
            // The list or max_tokens 0 was refused: a list with max_tokens 1 tells which.
            if !oneToken {
                do {
                    answer = try await transport.post(completionsURL, payload: echoPayload(list, oneToken: true), as: CompletionAnswer.self)
                    oneToken = true
                    lock.withLock { echoNeedsOneToken = true }
                } catch let again as OpenAIHTTPTransport.StatusFailure where again.status == 400 || again.status == 422 {
                    answer = nil
                } catch let again as OpenAIHTTPTransport.StatusFailure {
                    throw statusError(again, completionsURL)
                }
            }
        } catch let failure as OpenAIHTTPTransport.StatusFailure {
            throw statusError(failure, completionsURL)
        }
        guard let answer, let choices = Self.choicesInPromptOrder(answer.choices, promptCount: prompts.count) else {
            lock.withLock { promptListsAccepted = false }
            return nil
        }
        lock.withLock { promptListsAccepted = true }
        return try zip(prompts, choices).map { try echoed($1, prompt: $0, oneToken: oneToken) }
    }

    /// The choices of a list answer, one per prompt in prompt order; nil when they do not match the prompts.
    static func choicesInPromptOrder(_ choices: [CompletionAnswer.Choice], promptCount: Int) -> [CompletionAnswer.Choice]? {
        guard choices.count == promptCount else { return nil }
        guard choices.allSatisfy({ $0.index != nil }) else { return choices }
        let sorted = choices.sorted { ($0.index ?? 0) < ($1.index ?? 0) }
        guard sorted.map({ $0.index ?? -1 }) == Array(0..<promptCount) else { return nil }
        return sorted
    }

    /// One prompt alone, asking for one token from the first refusal of `max_tokens: 0` on.
    func echo(_ prompt: EchoPrompt, from: [Int]? = nil) async throws -> EchoedPrompt {
        let single: CompletionPrompt
        switch prompt {
        case .text(let text): single = .one(text)
        case .tokens(let ids): single = .tokens(ids)
        }
        var oneToken = lock.withLock { echoNeedsOneToken }
        let answer: CompletionAnswer
        if oneToken {
            answer = try await send(completionsURL, echoPayload(single, oneToken: true), as: CompletionAnswer.self)
        } else {
            do {
                answer = try await transport.post(completionsURL, payload: echoPayload(single, oneToken: false, from: from), as: CompletionAnswer.self)
            } catch let failure as OpenAIHTTPTransport.StatusFailure where failure.status == 400 || failure.status == 422 {
                // Some servers reject max_tokens 0; ask for one token and ignore it.
                lock.withLock { echoNeedsOneToken = true }
                oneToken = true
                answer = try await send(completionsURL, echoPayload(single, oneToken: true), as: CompletionAnswer.self)
            } catch let failure as OpenAIHTTPTransport.StatusFailure {
                throw statusError(failure, completionsURL)
            }
        }
        guard let choice = answer.choices.first else { throw echoIgnored() }
        return try echoed(choice, prompt: prompt, oneToken: oneToken)
    }

    func echoIgnored() -> ModelError {
        ModelError("""
            model '\(endpoint.name)': \(completionsURL) ignored echo=true (its answer holds no log-probabilities for the prompt's tokens), \
            so log-likelihoods cannot be computed; refusing rather than scoring at chance. Use a server whose /v1/completions \
            supports echo with logprobs (vLLM does), or only generation tasks
            """)
    }

    /// The echo in one choice, refused when the server ignored `echo`.
    func echoed(_ choice: CompletionAnswer.Choice, prompt: EchoPrompt, oneToken: Bool) throws -> EchoedPrompt {
        guard let logprobs = choice.logprobs, let tokens = logprobs.tokens, let values = logprobs.tokenLogprobs,
              !tokens.isEmpty, values.count == tokens.count else { throw echoIgnored() }
        if case .text(let prompt) = prompt, let text = choice.text, !text.hasPrefix(prompt) { throw echoIgnored() }
        if let offsets = logprobs.textOffset, offsets.count != tokens.count {
            throw ModelError("model '\(endpoint.name)': \(completionsURL) answered \(offsets.count) text offsets for \(tokens.count) tokens")
        }
        return EchoedPrompt(tokens: tokens, logprobs: values, topLogprobs: logprobs.topLogprobs,
                            offsets: logprobs.textOffset, hasGeneratedToken: oneToken)
    }

    /// Whether the server takes `echo_logprobs_from`: its `GET /v1/models` entry for the model says
    /// `"echo_logprobs_from": true` (`eval serve` does). Asked once per run; a server without the
    /// route, or any failure to read it, counts as no (full echoes are then read, as from any server).
    func takesEchoLogprobsFrom() async throws -> Bool {
        if let known = lock.withLock({ echoLogprobsFromKnown }) { return known }
        let accepted: Bool
        do {
            let answer = try await transport.get(modelsURL, as: ModelListAnswer.self)
            accepted = answer.data.first { $0.id == endpoint.model }?.echoLogprobsFrom == true
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            accepted = false
        }
        lock.withLock { echoLogprobsFromKnown = accepted }
        return accepted
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
            throw statusError(failure, tokenizeURL)
        }
    }

    /// The end-of-text token (the beginning-of-text one when there is none), which stands for an
    /// empty context as the local backend does: its text from `GET /tokenizer_info`, its id from
    /// `/tokenize`. Found once per run.
    func emptyContextToken() async throws -> Int {
        if let known = lock.withLock({ emptyContextTokenID }) { return known }
        let info: TokenizerInfoAnswer
        do {
            info = try await transport.get(tokenizerInfoURL, as: TokenizerInfoAnswer.self)
        } catch let failure as OpenAIHTTPTransport.StatusFailure {
            throw ModelError("""
                model '\(endpoint.name)': \(Self.emptyContextProblem); GET \(tokenizerInfoURL) answered HTTP \(failure.status) \
                (vLLM serves it when started with --enable-tokenizer-info-endpoint; or leave acc_pmi out); body: \(failure.excerpt)
                """)
        }
        guard let text = info.eosToken ?? info.bosToken, !text.isEmpty else {
            throw ModelError("model '\(endpoint.name)': \(Self.emptyContextProblem); \(tokenizerInfoURL) names no eos_token or bos_token")
        }
        guard let ids = try await tokenize(text, addSpecialTokens: false), ids.count == 1 else {
            throw ModelError("model '\(endpoint.name)': \(Self.emptyContextProblem); /tokenize does not give the end-of-text token '\(text)' as one token id")
        }
        lock.withLock { emptyContextTokenID = ids[0] }
        return ids[0]
    }

    static let emptyContextProblem = """
        a continuation with an empty context (acc_pmi's unconditional score, say) cannot be scored: the server puts no BOS \
        token before a text, so its first token has no log-probability, and the end-of-text token the local backend \
        conditions on instead could not be found
        """

    /// `tokenize(text).count` with special tokens, asked of the server once per text in a run.
    func tokenizedCount(_ text: String) async throws -> Int? {
        if let known = lock.withLock({ tokenCounts[text] }) { return known }
        guard let count = try await tokenize(text)?.count else { return nil }
        lock.withLock {
            if tokenCounts.count >= Self.tokenCountLimit { tokenCounts.removeAll() }
            tokenCounts[text] = count
        }
        return count
    }
}
