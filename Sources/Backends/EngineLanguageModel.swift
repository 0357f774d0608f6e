import Engine
import EvalCore
import Foundation
import Tokenizers

/// A `LanguageModel` over a model run by the built-in engine.
///
/// Tokenisation follows lm-evaluation-harness so scores compare across harnesses:
/// - trailing spaces of a context move to the start of its continuation;
/// - the continuation's tokens are those of `encode(context + continuation)` after the first
///   `encode(context).count` tokens (so a merge across the boundary is credited to the continuation);
/// - an empty context is replaced by the end-of-text token (GPT-2) or BOS;
/// - a sequence longer than the context window loses tokens from the left of the context; the
///   continuation is always scored whole.
/// Requests sharing a context are scored together: the context runs once (prefix sharing).
public final class EngineLanguageModel: LanguageModel, @unchecked Sendable {
    public let identity: ModelIdentity
    public let capabilities: ModelCapabilities
    let model: any CausalLanguageModel
    let tokenizer: any Tokenizer
    /// Whether every sequence starts with BOS (Gemma and Llama need it; GPT-2 does not use one).
    public let prependBOS: Bool
    /// How chat prompts are rendered (docs/chat-templates.md); `plain` for base models, which then
    /// report `supportsChat: false` so callers send text.
    public let chatTemplate: ChatTemplate
    /// Tokens that end a generation: end-of-text and the chat template's end-of-turn token.
    let endOfGenerationTokenIDs: Set<Int>
    private let lock = NSLock()

    /// - Throws: `ModelError` when a token `chatTemplate` writes (`<start_of_turn>`, `<|im_end|>`, …)
    ///   is not one token of the tokenizer's vocabulary.
    public init(model: any CausalLanguageModel, tokenizer: any Tokenizer, identity: ModelIdentity, prependBOS: Bool,
                chatTemplate: ChatTemplate = .plain) throws {
        self.model = model
        self.tokenizer = tokenizer
        self.identity = identity
        self.prependBOS = prependBOS
        self.chatTemplate = chatTemplate
        var endTokens = Set([tokenizer.endOfTextTokenID].compactMap { $0 })
        for piece in chatTemplate.specialTokens {
            let ids = tokenizer.encode(piece)
            guard ids.count == 1, tokenizer.tokenString(ids[0]) == piece else {
                throw ModelError("model '\(identity.name)': chat template '\(chatTemplate.rawValue)' needs '\(piece)' to be one special token, but the tokenizer encodes it as \(ids.count) token(s) \(ids.prefix(8)); choose another chat_template (\(ChatTemplate.names))")
            }
            if piece == chatTemplate.endOfTurn { endTokens.insert(ids[0]) }
        }
        self.endOfGenerationTokenIDs = endTokens
        self.capabilities = ModelCapabilities(contextLength: model.contextLength, canScoreLogLikelihoods: true,
                                              canGenerate: true, supportsChat: chatTemplate != .plain)
    }

    /// Loads a checkpoint folder in the Hugging Face GPT-2 layout.
    public convenience init(checkpointAt url: URL, name: String) throws {
        let checkpoint: Checkpoint
        do {
            checkpoint = try Checkpoint.load(from: url)
        } catch {
            throw ModelError("cannot load checkpoint \(url.path): \(error)")
        }
        let weights = url.appendingPathComponent("model.safetensors")
        let hash = (try? Data(contentsOf: weights, options: .alwaysMapped)).map(SHA256Hasher.hex) ?? "unknown"
        try self.init(model: checkpoint.model, tokenizer: checkpoint.tokenizer,
                      identity: ModelIdentity(name: name, backend: "engine", contentHash: hash), prependBOS: false)
    }

    /// The token that stands before the first token: BOS when the model uses one, else end-of-text.
    var prefixToken: Int? { prependBOS ? tokenizer.beginningOfTextTokenID : (tokenizer.endOfTextTokenID ?? tokenizer.beginningOfTextTokenID) }

    func encode(_ text: String) -> [Int] {
        let ids = tokenizer.encode(text)
        if prependBOS, let bos = tokenizer.beginningOfTextTokenID { return [bos] + ids }
        return ids
    }

    /// Context and continuation tokens for one request, following lm-evaluation-harness.
    func encodePair(_ request: LogLikelihoodRequest) throws -> (context: [Int], continuation: [Int]) {
        var context = request.context
        var continuation = request.continuation
        // Python's len(context) - len(context.rstrip()): all trailing white space, newlines included.
        let trailing = context.reversed().prefix(while: { $0.isWhitespace }).count
        if trailing > 0 {
            continuation = String(context.suffix(trailing)) + continuation
            context = String(context.dropLast(trailing))
        }
        if context.isEmpty {
            guard let prefix = prefixToken else { throw ModelError("model '\(identity.name)' has no BOS or end-of-text token to stand for an empty context") }
            let continuationTokens = tokenizer.encode(continuation)
            return ([prefix], continuationTokens)
        }
        let whole = encode(context + continuation)
        let contextTokens = encode(context)
        let split = min(contextTokens.count, whole.count)
        return (Array(whole[..<split]), Array(whole[split...]))
    }

    // The engine model is not re-entrant: calls are serialized by `lock`.
    public func logLikelihoods(_ requests: [LogLikelihoodRequest]) async throws -> [LogLikelihoodResponse] {
        try lock.withLock { try scoreLogLikelihoods(requests) }
    }

    public func rollingLogLikelihoods(_ requests: [RollingLogLikelihoodRequest]) async throws -> [RollingLogLikelihoodResponse] {
        try lock.withLock { try scoreRolling(requests) }
    }

    public func generate(_ requests: [GenerationRequest]) async throws -> [GenerationResponse] {
        try lock.withLock { try generateTexts(requests) }
    }

    func scoreLogLikelihoods(_ requests: [LogLikelihoodRequest]) throws -> [LogLikelihoodResponse] {
        let window = model.contextLength
        // Encode, truncate from the left, and group by (truncated) context.
        var groups: [[Int]: [(index: Int, continuation: [Int])]] = [:]
        var order: [[Int]] = []
        for (index, request) in requests.enumerated() {
            var (context, continuation) = try encodePair(request)
            if continuation.isEmpty { throw ModelError("the continuation '\(request.continuation)' encodes to no tokens") }
            if continuation.count >= window {
                // Keep the tail of the continuation; one context token stays to condition on.
                continuation = Array(continuation.suffix(window - 1))
                context = Array(context.suffix(1))
            } else if context.count + continuation.count > window {
                context = Array(context.suffix(window - continuation.count))
            }
            if groups[context] == nil { order.append(context) }
            groups[context, default: []].append((index, continuation))
        }
        var responses = [LogLikelihoodResponse?](repeating: nil, count: requests.count)
        for context in order {
            let members = groups[context]!
            let scores = try model.scoreContinuations(context: context, continuations: members.map(\.continuation))
            for (member, score) in zip(members, scores) {
                responses[member.index] = LogLikelihoodResponse(logLikelihood: score.logProbability, isGreedy: score.isGreedy,
                                                                tokenCount: score.tokenCount)
            }
        }
        return responses.map { $0! }
    }

    func scoreRolling(_ requests: [RollingLogLikelihoodRequest]) throws -> [RollingLogLikelihoodResponse] {
        try requests.map { request in
            let tokens = tokenizer.encode(request.text)
            guard !tokens.isEmpty else { return RollingLogLikelihoodResponse(logLikelihood: 0, tokenCount: 0, windowCount: 0) }
            guard let prefix = prefixToken else { throw ModelError("model '\(identity.name)' has no BOS or end-of-text token") }
            // all[0] is the prefix token; all[j + 1] is tokens[j]. Windows of at most `window` tokens
            // score disjoint spans of targets, each with as much preceding context as fits.
            let all = [prefix] + tokens
            let window = model.contextLength
            var total = 0.0
            var windows = 0
            var firstTarget = 1
            while firstTarget < all.count {
                let end = min(all.count, firstTarget + window - 1)   // targets all[firstTarget..<end]
                let start = max(0, end - window)
                let slice = Array(all[start..<end])
                let logProbabilities = try model.tokenLogProbabilities(tokens: slice, scoredFrom: firstTarget - 1 - start)
                total += logProbabilities.reduce(0, +)
                windows += 1
                firstTarget = end
            }
            return RollingLogLikelihoodResponse(logLikelihood: total, tokenCount: tokens.count, windowCount: windows)
        }
    }

    /// The text a prompt is fed as and the stop sequences it adds: chats rendered with the chat template.
    func promptText(_ prompt: GenerationPrompt) throws -> (text: String, stop: [String]) {
        switch prompt {
        case .text(let text):
            return (text, [])
        case .chat(let messages):
            do {
                return (try chatTemplate.render(messages), chatTemplate.stopSequences)
            } catch {
                throw ModelError("model '\(identity.name)': \(error)")
            }
        }
    }

    func generateTexts(_ requests: [GenerationRequest]) throws -> [GenerationResponse] {
        try requests.map { request in
            let (prompt, templateStops) = try promptText(request.prompt)
            var request = request
            request.stop += templateStops
            var promptTokens = encode(prompt)
            if promptTokens.isEmpty, let prefix = prefixToken { promptTokens = [prefix] }
            let room = model.contextLength - request.maxTokens
            var truncated = false
            if promptTokens.count > max(1, room) {
                promptTokens = Array(promptTokens.suffix(max(1, room)))
                truncated = true
            }
            let maxTokens = min(request.maxTokens, model.contextLength - promptTokens.count)
            var generated: [Int] = []
            var stoppedBySequence = false
            var hitEndOfText = false
            let sampling = SamplingParameters(temperature: request.temperature, topK: nil, topP: request.topP, seed: request.seed)
            _ = try model.generate(prompt: promptTokens, maxTokens: maxTokens, sampling: sampling) { token in
                if endOfGenerationTokenIDs.contains(token) { hitEndOfText = true; return false }
                generated.append(token)
                if !request.stop.isEmpty {
                    let text = tokenizer.decode(generated)
                    if request.stop.contains(where: { text.contains($0) }) { stoppedBySequence = true; return false }
                }
                return true
            }
            var text = tokenizer.decode(generated)
            if let cut = request.stop.compactMap({ text.range(of: $0)?.lowerBound }).min() {
                text = String(text[..<cut])
            }
            let reason = stoppedBySequence || hitEndOfText ? "stop" : (maxTokens < request.maxTokens ? "context" : "length")
            return GenerationResponse(text: text, tokenCount: generated.count, finishReason: reason, promptTruncated: truncated)
        }
    }

    public func tokenCount(of text: String) async throws -> Int? { tokenizer.encode(text).count }
}
