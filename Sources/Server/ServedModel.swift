import Backends
import Engine
import EvalCore
import Foundation
import Tokenizers

/// The model behind the server: any `LanguageModel`, with token-level access when it is a
/// checkpoint of the built-in engine (`EngineLanguageModel`).
///
/// With token-level access, every request is answered from token ids: prompts may be ids, `echo`
/// and `logprobs` work (when the model conforms to `NextTokenDistributions`), `/tokenize` and
/// `/detokenize` use the checkpoint's tokenizer, and all engine calls go through one
/// `InferenceQueue`. Without it (an `openai:` endpoint served onwards, say), only text prompts
/// and generation are available, through the model's own `generate`.
public final class ServedModel: @unchecked Sendable {
    /// The `model` name clients send and `/v1/models` lists.
    public let name: String
    public let model: any LanguageModel
    let tokenLevel: TokenLevel?
    let queue: InferenceQueue

    /// What the engine path needs.
    struct TokenLevel: @unchecked Sendable {
        var causal: any CausalLanguageModel
        /// nil when the model cannot give prompt log-probabilities.
        var distributions: (any NextTokenDistributions)?
        var tokenizer: any Tokenizer
        var startsWithBOS: Bool
        var emptyPromptToken: Int?
        /// Generation stops at these (end of text, the chat template's end of turn).
        var endTokens: Set<Int>

        /// Token ids of a text prompt as the model is fed it; an empty text is the BOS/end-of-text token.
        func encode(_ text: String, engine: EngineLanguageModel) -> [Int] {
            let ids = engine.promptTokens(text)
            if ids.isEmpty, let token = emptyPromptToken { return [token] }
            return ids
        }
    }

    private let engine: EngineLanguageModel?

    /// - Parameters:
    ///   - name: the model name clients use; defaults to the model's identity name.
    ///   - model: what answers; an `EngineLanguageModel` gets token-level access.
    ///   - maxBatchTokens: tokens one batched scoring pass gathers at most.
    public init(name: String? = nil, model: any LanguageModel, maxBatchTokens: Int = 4096) {
        self.name = name ?? model.identity.name
        self.model = model
        if let engine = model as? EngineLanguageModel {
            let causal = engine.causalModel
            let distributions = causal as? any NextTokenDistributions
            tokenLevel = TokenLevel(causal: causal, distributions: distributions, tokenizer: engine.modelTokenizer,
                                    startsWithBOS: engine.startsWithBOS, emptyPromptToken: engine.emptyPromptToken,
                                    endTokens: engine.endOfGenerationTokens)
            self.engine = engine
            var score: InferenceQueue.Score?
            if let distributions {
                score = { sequences, contextLengths, topCount in
                    try distributions.tokenDistributions(sequences: sequences, contextLengths: contextLengths, topCount: topCount)
                }
            }
            queue = InferenceQueue(maxBatchTokens: maxBatchTokens, score: score)
        } else {
            tokenLevel = nil
            engine = nil
            queue = InferenceQueue(maxBatchTokens: maxBatchTokens, score: nil)
        }
    }

    /// Tokens the model attends to at once.
    public var contextLength: Int { tokenLevel?.causal.contextLength ?? model.capabilities.contextLength }

    /// How the queue has batched so far.
    public var queueStatistics: InferenceQueueStatistics { queue.statistics }

    /// Ends the worker thread once queued work is done.
    public func shutdown() { queue.shutdown() }

    /// The token-level path, or a 400 naming the field that needs it.
    func requireTokenLevel(for param: String, _ what: String) throws -> TokenLevel {
        guard let tokenLevel else {
            throw APIError.invalid(param, "\(what) needs token-level access to the model, which '\(name)' (\(model.identity.backend)) does not give; serve a built-in engine checkpoint for it")
        }
        return tokenLevel
    }

    /// Token ids for a prompt, validated against the vocabulary; `param` names it in errors.
    func promptIDs(_ prompt: PromptInput, param: String) throws -> [Int] {
        let tokens = try requireTokenLevel(for: param, "a prompt of token ids")
        switch prompt {
        case .text(let text):
            guard let engine else { throw APIError.invalid(param, "this model has no tokenizer") }
            return tokens.encode(text, engine: engine)
        case .tokens(let ids):
            let size = tokens.causal.vocabularySize
            if let bad = ids.firstIndex(where: { $0 >= size }) {
                throw APIError.invalid("\(param)[\(bad)]", "token id \(ids[bad]) is outside the vocabulary 0..<\(size)")
            }
            return ids
        }
    }

    /// The engine model's chat template; `plain` for base checkpoints and models without token-level access.
    var chatTemplate: ChatTemplate { engine?.chatTemplate ?? .plain }

    /// A chat as the text prompt the model is given: its own template (docs/chat-templates.md), else the plain one.
    func renderChat(_ messages: [ChatMessage]) throws -> String {
        guard chatTemplate != .plain else { return PlainChatTemplate.render(messages) }
        do { return try chatTemplate.render(messages) } catch { throw APIError.invalid("messages", "\(error)") }
    }

    /// Token ids for `/tokenize`: with `addSpecialTokens`, BOS first when the model uses one.
    func tokenize(_ text: String, addSpecialTokens: Bool) throws -> [Int] {
        let tokens = try requireTokenLevel(for: "prompt", "tokenizing")
        guard addSpecialTokens, let engine else { return tokens.tokenizer.encode(text) }
        return engine.promptTokens(text)
    }
}
