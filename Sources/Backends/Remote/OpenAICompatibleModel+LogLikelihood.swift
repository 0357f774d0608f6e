import EvalCore
import Foundation

/// Log-likelihoods over the completions API.
///
/// The text `context + continuation` is sent to `/v1/completions` with `echo: true`, `logprobs: 1`
/// and `max_tokens: 0` (or 1 when the server refuses 0; the generated token is then ignored), so the
/// answer holds every prompt token with its log-probability and its most likely alternative.
/// Up to `endpoint.promptsPerRequest` prompts go in one request, a document's choices together
/// (requests are grouped by context); see `OpenAICompatibleModel+Echo.swift` for the fallbacks.
/// Which of the echoed tokens are the continuation's:
/// - when the server answers vLLM's `POST /tokenize`: the tokens after the first
///   `tokenize(context).count`, as lm-evaluation-harness does (when a merge across the boundary
///   leaves none, the last token, which holds the continuation). Each context is tokenized once per
///   run; the prompt's own token count is the echo's (`tokenize(context + continuation)` only when
///   a generated token must be told from the prompt's);
/// - otherwise from `text_offset`: from the token holding character `len(context)` (counted in
///   Unicode code points, as Python servers count them) to the end of the prompt, so a token that
///   straddles the boundary belongs to the continuation.
/// Trailing white space of a context moves to the start of its continuation first (as the engine
/// and lm-evaluation-harness do). A server that ignores `echo` is refused with an error, never
/// scored at chance. Each answer is reported (`onAnswer`, and so cached) as its request's echo arrives.
/// A server whose `/v1/models` entry offers `echo_logprobs_from` (`eval serve`) is told where each
/// continuation starts, so it computes no log-probabilities for the context.
extension OpenAICompatibleModel {
    /// A request as scored: white space moved, and where it was in the caller's list.
    struct ScoringPrompt: Sendable {
        var index: Int
        var context: String
        var continuation: String
        var text: String { context + continuation }

        init(index: Int, _ request: LogLikelihoodRequest) {
            self.index = index
            context = request.context
            continuation = request.continuation
            // Python's len(context) - len(context.rstrip()): trailing white space joins the continuation.
            let trailing = context.reversed().prefix(while: { $0.isWhitespace }).count
            if trailing > 0 {
                continuation = String(context.suffix(trailing)) + continuation
                context = String(context.dropLast(trailing))
            }
        }
    }

    public func logLikelihoods(_ requests: [LogLikelihoodRequest],
                               onAnswer: @escaping @Sendable (Int, LogLikelihoodResponse) -> Void) async throws -> [LogLikelihoodResponse] {
        try requireCompletionsAPI()
        var responses = [LogLikelihoodResponse?](repeating: nil, count: requests.count)
        var prompts: [ScoringPrompt] = []
        for (index, request) in requests.enumerated() {
            let prompt = ScoringPrompt(index: index, request)
            if prompt.continuation.isEmpty {
                let empty = LogLikelihoodResponse(logLikelihood: 0, isGreedy: true, tokenCount: 0)
                responses[index] = empty
                onAnswer(index, empty)
            } else {
                prompts.append(prompt)
            }
        }
        let batches = Self.batches(groupedByContext: prompts, size: endpoint.promptsPerRequest)
        let answers = try await boundedMap(batches, onAnswer: { _, _ in }) { batch in try await self.score(batch, onAnswer: onAnswer) }
        return try inRequestOrder(responses, batches: batches, answers: answers) { $0.index }
    }

    /// The answers already known with the batches' answers put at their requests' places.
    func inRequestOrder<Item, Response>(_ known: [Response?], batches: [[Item]], answers: [[Response]],
                                        index: (Item) -> Int) throws -> [Response] {
        var responses = known
        for (batch, batchAnswers) in zip(batches, answers) {
            for (item, answer) in zip(batch, batchAnswers) { responses[index(item)] = answer }
        }
        let complete = responses.compactMap { $0 }
        guard complete.count == responses.count else {
            throw ModelError("model '\(endpoint.name)': \(responses.count - complete.count) of \(responses.count) requests were not answered")
        }
        return complete
    }

    /// Batches of at most `size` prompts: prompts sharing a context are adjacent, and a context's
    /// prompts are split between batches only when there are more than `size` of them. Empty
    /// contexts get batches of their own (they may go as token ids, which a list cannot mix with texts).
    static func batches(groupedByContext prompts: [ScoringPrompt], size: Int) -> [[ScoringPrompt]] {
        var groups: [String: [ScoringPrompt]] = [:]
        var order: [String] = []
        for prompt in prompts {
            if groups[prompt.context] == nil { order.append(prompt.context) }
            groups[prompt.context, default: []].append(prompt)
        }
        var batches: [[ScoringPrompt]] = []
        var current: [ScoringPrompt] = []
        for context in order {
            var group = groups[context] ?? []
            if current.count + group.count > size || context.isEmpty || current.first?.context.isEmpty == true, !current.isEmpty {
                batches.append(current)
                current = []
            }
            while group.count > size {
                batches.append(Array(group.prefix(size)))
                group.removeFirst(size)
            }
            current += group
        }
        if !current.isEmpty { batches.append(current) }
        return batches
    }

    /// Each text is echoed whole (one window): a text longer than the server's context fails with
    /// the server's error rather than being split. A first token with no log-probability (nothing
    /// precedes it) is not scored; with a BOS-prepending server every text token is scored.
    public func rollingLogLikelihoods(_ requests: [RollingLogLikelihoodRequest],
                                      onAnswer: @escaping @Sendable (Int, RollingLogLikelihoodResponse) -> Void) async throws -> [RollingLogLikelihoodResponse] {
        try requireCompletionsAPI()
        var responses = [RollingLogLikelihoodResponse?](repeating: nil, count: requests.count)
        var texts: [(index: Int, text: String)] = []
        for (index, request) in requests.enumerated() {
            if request.text.isEmpty {
                let empty = RollingLogLikelihoodResponse(logLikelihood: 0, tokenCount: 0, windowCount: 1)
                responses[index] = empty
                onAnswer(index, empty)
            } else {
                texts.append((index, request.text))
            }
        }
        let size = endpoint.promptsPerRequest
        let batches = stride(from: 0, to: texts.count, by: size).map { Array(texts[$0..<min($0 + size, texts.count)]) }
        let answers = try await boundedMap(batches, onAnswer: { _, _ in }) { batch in
            var answers: [RollingLogLikelihoodResponse] = []
            try await self.echo(batch.map { .text($0.text) }) { position, echoed in
                answers.append(try await self.scoreRolling(echoed, text: batch[position].text))
                onAnswer(batch[position].index, answers[position])
            }
            return answers
        }
        return try inRequestOrder(responses, batches: batches, answers: answers) { $0.index }
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

    /// Where the prompt's tokens end in the echo: all of them, less a generated token (found with
    /// `/tokenize` of the prompt, else `text_offset`). `knownCount`: the prompt's token count when the
    /// prompt was sent as token ids.
    func promptEnd(_ echoed: EchoedPrompt, prompt: String, knownCount: Int? = nil) async throws -> Int {
        guard echoed.hasGeneratedToken else { return echoed.tokens.count }
        var count = knownCount
        if count == nil { count = try await tokenize(prompt)?.count }
        if let count {
            guard count <= echoed.tokens.count else {
                throw ModelError("model '\(endpoint.name)': /tokenize gives \(count) tokens but the echo holds \(echoed.tokens.count)")
            }
            return count
        }
        if let offsets = echoed.offsets {
            let length = prompt.unicodeScalars.count
            return offsets.firstIndex { $0 >= length } ?? offsets.count
        }
        throw ModelError("model '\(endpoint.name)': the server gives neither /tokenize nor text_offset, so the generated token cannot be told from the prompt")
    }

    /// First token of the continuation from text offsets: the token holding character `contextLength`.
    static func continuationStart(offsets: [Int], contextLength: Int, promptEnd: Int) -> Int {
        var start = offsets[..<promptEnd].firstIndex { $0 >= contextLength } ?? promptEnd
        if start > 0, start == promptEnd || offsets[start] > contextLength, offsets[start - 1] < contextLength {
            start -= 1
        }
        return start
    }

    /// One request of prompts: the contexts' token counts (once per run each), then the echoes.
    ///
    /// An empty context on a server that puts nothing before a text (`tokenize("")` is empty) would
    /// leave the continuation's first token without a log-probability; the prompt is then sent as
    /// token ids, the end-of-text token followed by the continuation's, as the local backend scores it.
    func score(_ batch: [ScoringPrompt], onAnswer: @escaping @Sendable (Int, LogLikelihoodResponse) -> Void) async throws -> [LogLikelihoodResponse] {
        var contextTokenCounts: [String: Int]? = [:]
        for context in Set(batch.map(\.context)).sorted() {
            guard let count = try await tokenizedCount(context) else { contextTokenCounts = nil; break }
            contextTokenCounts?[context] = count
        }
        var prompts: [EchoPrompt] = []
        var tokenPromptCounts: [Int?] = []
        var from: [Int] = []
        for prompt in batch {
            if prompt.context.isEmpty, let counts = contextTokenCounts, counts[""] == 0 {
                let prefix = try await emptyContextToken()
                let ids = try await tokenize(prompt.continuation, addSpecialTokens: false) ?? []
                prompts.append(.tokens([prefix] + ids))
                tokenPromptCounts.append(1 + ids.count)
                from.append(1)
            } else {
                prompts.append(.text(prompt.text))
                tokenPromptCounts.append(nil)
                from.append(contextTokenCounts?[prompt.context] ?? 0)
            }
        }
        // Only the continuation's log-probabilities are read: a server that takes `echo_logprobs_from`
        // skips the context's (the boundary is the one `score` reads from, capped by the server at
        // the prompt's last token as `score` caps it).
        var scoredFrom: [Int]?
        if contextTokenCounts != nil, try await takesEchoLogprobsFrom() { scoredFrom = from }
        var answers: [LogLikelihoodResponse] = []
        try await echo(prompts, from: scoredFrom) { position, echoed in
            let prompt = batch[position]
            let known = tokenPromptCounts[position]
            let answer = try await self.score(echoed, prompt, contextTokenCount: known == nil ? contextTokenCounts?[prompt.context] : 1,
                                              promptTokenCount: known)
            answers.append(answer)
            onAnswer(prompt.index, answer)
        }
        return answers
    }

    func score(_ echoed: EchoedPrompt, _ prompt: ScoringPrompt, contextTokenCount: Int?, promptTokenCount: Int? = nil) async throws -> LogLikelihoodResponse {
        let end = try await promptEnd(echoed, prompt: prompt.text, knownCount: promptTokenCount)
        let range: Range<Int>
        if let contextTokenCount {
            // A merge across the boundary can leave tokenize(context) as long as the whole; the
            // last token then holds the continuation's text and is credited to it.
            range = min(contextTokenCount, max(0, end - 1))..<end
        } else if let offsets = echoed.offsets {
            range = Self.continuationStart(offsets: offsets, contextLength: prompt.context.unicodeScalars.count, promptEnd: end)..<end
        } else {
            throw ModelError("model '\(endpoint.name)': the server gives neither /tokenize nor text_offset, so the continuation's tokens cannot be found")
        }
        guard !range.isEmpty else {
            throw ModelError("model '\(endpoint.name)': no echoed token belongs to the continuation '\(prompt.continuation.prefix(40))'")
        }
        var total = 0.0
        var greedy = true
        for index in range {
            guard let value = echoed.logprobs[index] else {
                if prompt.context.isEmpty {
                    throw ModelError("model '\(endpoint.name)': \(Self.emptyContextProblem) (the server has no /tokenize). Leave acc_pmi out, or use a server with /tokenize and /tokenizer_info (vLLM, eval serve)")
                }
                throw ModelError("model '\(endpoint.name)': token \(index) of the continuation '\(prompt.continuation.prefix(40))' has no log-probability")
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

    func scoreRolling(_ echoed: EchoedPrompt, text: String) async throws -> RollingLogLikelihoodResponse {
        let end = try await promptEnd(echoed, prompt: text)
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
