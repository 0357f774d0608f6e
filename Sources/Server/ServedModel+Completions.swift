import Engine
import EvalCore
import Foundation
import Tokenizers

/// One completion choice as the routes encode it.
struct ChoiceOutput: Sendable {
    /// The text returned: the echoed prompt (when asked) followed by the completion.
    var text: String
    var finishReason: String
    var promptTokenCount: Int
    var completionTokenCount: Int
    /// Per-token log-probabilities when asked for.
    var logprobs: TokenLogprobs?
}

/// Log-probabilities of the returned tokens (the legacy completions shape, plus what chat needs).
struct TokenLogprobs: Sendable {
    /// Each token's text.
    var tokens: [String]
    /// Each token's log-probability; nil for a token nothing precedes.
    var tokenLogprobs: [Double?]
    /// The most likely tokens at each position, most likely first, the actual token included.
    var topLogprobs: [[(token: String, logprob: Double)]?]
    /// Each token's offset in the returned text, in Unicode code points (as Python counts).
    var textOffset: [Int]
}

/// Settings for one choice of one prompt.
struct ChoiceSettings: Sendable {
    var echo: Bool
    /// Alternatives per token; nil: no log-probabilities.
    var logprobs: Int?
    var maxTokens: Int
    var stop: [String]
    var sampling: SamplingParameters
    /// The field the prompt came from, for errors (`prompt[1]`, `messages`).
    var param: String
}

extension ServedModel {
    /// One choice over the engine: tokens of the prompt, generation on the inference queue, then
    /// (when asked) one scoring pass over prompt + completion for the log-probabilities.
    ///
    /// Without `echo`, a prompt that leaves no room for `maxTokens` is cut from the left and the
    /// completion ends when the context is full, as `eval run` does with the local backend.
    /// With `echo`, the prompt is never cut (the caller indexes into it): one longer than the
    /// context is an error.
    func completeWithEngine(_ prompt: PromptInput, settings: ChoiceSettings,
                            onText: (@Sendable (String) -> Bool)? = nil) async throws -> ChoiceOutput {
        let tokens = try requireTokenLevel(for: settings.param, "this request")
        var ids = try promptIDs(prompt, param: settings.param)
        let window = tokens.causal.contextLength
        if settings.logprobs != nil, tokens.distributions == nil {
            throw APIError.invalid("logprobs", "model '\(name)' does not give token log-probabilities")
        }
        var maxTokens: Int
        if settings.echo {
            guard ids.count <= window else {
                throw APIError.invalid(settings.param, "the prompt has \(ids.count) tokens, more than the model's context length \(window) (with echo the prompt is never truncated)")
            }
            maxTokens = min(settings.maxTokens, window - ids.count)
        } else {
            let room = window - settings.maxTokens
            if ids.count > max(1, room) { ids = Array(ids.suffix(max(1, room))) }
            maxTokens = min(settings.maxTokens, window - ids.count)
        }
        maxTokens = max(0, maxTokens)
        var generated = GeneratedText(ids: [], text: "", finishReason: "length")
        var scored: [TokenDistributionEntry]?
        if maxTokens == 1, settings.sampling.temperature == 0, let topCount = settings.logprobs, onText == nil {
            // One greedy token with log-probabilities (lm-evaluation-harness's scoring request): one
            // batched scoring pass gives both. A placeholder after the prompt makes the pass report the
            // distribution there; its argmax is the token greedy decoding picks, and nothing before it
            // depends on the placeholder (attention is causal).
            let entries = try await queue.distributions([ids + [0]], topCount: max(1, topCount))[0]
            guard let next = entries.last?.top.first else { throw APIError.server(ModelError("the model gave no distribution after the prompt")) }
            var kept = entries.dropLast().map { TokenDistributionEntry(logProbability: $0.logProbability, top: Array($0.top.prefix(topCount))) }
            if tokens.endTokens.contains(next.id) {
                generated.finishReason = "stop"
            } else {
                generated = Self.cut(GeneratedText(ids: [next.id], text: tokens.tokenizer.decode([next.id]), finishReason: "length"), at: settings.stop)
                kept.append(TokenDistributionEntry(logProbability: next.logProbability, top: Array(entries[entries.count - 1].top.prefix(topCount))))
            }
            scored = kept
        } else if maxTokens > 0 {
            let (model, tokenizer, endTokens, prompt, count) = (tokens.causal, tokens.tokenizer, tokens.endTokens, ids, maxTokens)
            generated = try await queue.exclusive {
                try TokenGeneration.run(model: model, tokenizer: tokenizer, endTokens: endTokens, prompt: prompt, maxTokens: count,
                                        stop: settings.stop, sampling: settings.sampling, onText: onText)
            }
        }
        let echoedText: String
        switch prompt {
        case .text(let text) where settings.echo: echoedText = text
        case .tokens where settings.echo: echoedText = tokens.tokenizer.decode(ids)
        default: echoedText = ""
        }
        var logprobs: TokenLogprobs?
        if let topCount = settings.logprobs {
            let sequence = ids + generated.ids
            var entries = scored ?? []
            if scored == nil { entries = try await queue.distributions([sequence], topCount: topCount)[0] }
            let first = settings.echo ? 0 : ids.count
            logprobs = Self.logprobs(of: sequence, from: first, entries: entries, tokenizer: tokens.tokenizer)
        }
        return ChoiceOutput(text: echoedText + generated.text, finishReason: generated.finishReason,
                            promptTokenCount: ids.count, completionTokenCount: generated.ids.count, logprobs: logprobs)
    }

    /// Prompts echoed with log-probabilities and nothing generated (`echo`, `logprobs`,
    /// `max_tokens: 0`: what log-likelihood clients send, often as a prompt list): one scoring job
    /// for all the prompts, so a list runs as one batch of the engine, and the choices are what
    /// `completeWithEngine` gives for each prompt alone.
    /// - Parameters:
    ///   - from: per prompt, the first token given a log-probability (`echo_logprobs_from`, capped at
    ///     the prompt's last token); the rows before it are not projected. nil: every token.
    ///   - params: the field each prompt came from, for errors (`prompt`, `prompt[2]`).
    func echoWithEngine(_ prompts: [PromptInput], topCount: Int, from: [Int]? = nil, params: [String]) async throws -> [ChoiceOutput] {
        let tokens = try requireTokenLevel(for: params.first ?? "prompt", "this request")
        guard tokens.distributions != nil else {
            throw APIError.invalid("logprobs", "model '\(name)' does not give token log-probabilities")
        }
        let window = tokens.causal.contextLength
        var sequences: [[Int]] = []
        for (prompt, param) in zip(prompts, params) {
            let ids = try promptIDs(prompt, param: param)
            guard ids.count <= window else {
                throw APIError.invalid(param, "the prompt has \(ids.count) tokens, more than the model's context length \(window) (with echo the prompt is never truncated)")
            }
            sequences.append(ids)
        }
        // The tokens before `from` are the prompt's context: not projected, and shared only with
        // prompts of the same context, as the local backend runs a context and its continuations.
        let contexts: [Int?] = sequences.indices.map { i in from.map { max(1, min($0[i], sequences[i].count - 1)) } }
        let firstScored = contexts.map { $0 ?? 1 }
        let entries = try await queue.distributions(sequences, contextLengths: contexts, topCount: topCount)
        return prompts.indices.map { index in
            let (prompt, ids, entries) = (prompts[index], sequences[index], entries[index])
            let text: String
            switch prompt {
            case .text(let prompt): text = prompt
            case .tokens: text = tokens.tokenizer.decode(ids)
            }
            return ChoiceOutput(text: text, finishReason: "length", promptTokenCount: ids.count, completionTokenCount: 0,
                                logprobs: Self.logprobs(of: ids, from: 0, scoredFrom: firstScored[index], entries: entries, tokenizer: tokens.tokenizer))
        }
    }

    /// The text cut before the first stop sequence (finish reason `stop` when there is one).
    static func cut(_ generated: GeneratedText, at stop: [String]) -> GeneratedText {
        guard let cut = stop.compactMap({ generated.text.range(of: $0)?.lowerBound }).min() else { return generated }
        var result = generated
        result.text = String(generated.text[..<cut])
        result.finishReason = "stop"
        return result
    }

    /// The log-probability block for `sequence[first...]`; `entries[k]` is about `sequence[scoredFrom + k]`
    /// and the tokens before `scoredFrom` have none.
    static func logprobs(of sequence: [Int], from first: Int, scoredFrom: Int = 1, entries: [TokenDistributionEntry], tokenizer: any Tokenizer) -> TokenLogprobs {
        var result = TokenLogprobs(tokens: [], tokenLogprobs: [], topLogprobs: [], textOffset: [])
        var offset = 0
        for position in first..<sequence.count {
            let id = sequence[position]
            let text = tokenizer.decode([id])
            result.tokens.append(text)
            result.textOffset.append(offset)
            offset += text.unicodeScalars.count
            guard position >= max(1, scoredFrom) else {
                result.tokenLogprobs.append(nil)
                result.topLogprobs.append(nil)
                continue
            }
            let entry = entries[position - max(1, scoredFrom)]
            result.tokenLogprobs.append(entry.logProbability)
            // As vLLM: the actual token is listed with the alternatives even when not among them.
            var top = entry.top.map { (token: tokenizer.decode([$0.id]), logprob: $0.logProbability) }
            if !entry.top.contains(where: { $0.id == id }) { top.append((token: text, logprob: entry.logProbability)) }
            result.topLogprobs.append(top)
        }
        return result
    }

    /// Choices for requests a model without token-level access can answer: text prompts, no
    /// echo, no log-probabilities; one batched `generate` call.
    func completeWithLanguageModel(_ prompts: [GenerationPrompt], decoding: DecodingSettings, seeds: [UInt64]) async throws -> [ChoiceOutput] {
        var requests: [GenerationRequest] = []
        for prompt in prompts {
            for choice in 0..<decoding.n {
                requests.append(GenerationRequest(prompt: prompt, maxTokens: decoding.maxTokens, stop: decoding.stop,
                                                  temperature: decoding.temperature, topP: decoding.topP, seed: seeds[choice]))
            }
        }
        let responses = try await model.generate(requests)
        var outputs: [ChoiceOutput] = []
        for (index, response) in responses.enumerated() {
            var promptCount = 0
            if case .text(let text) = requests[index].prompt { promptCount = (try? await model.tokenCount(of: text)).flatMap { $0 } ?? 0 }
            outputs.append(ChoiceOutput(text: response.text, finishReason: response.finishReason == "stop" ? "stop" : "length",
                                        promptTokenCount: promptCount, completionTokenCount: response.tokenCount, logprobs: nil))
        }
        return outputs
    }

    /// Seeds for the `n` choices: the request's seed plus the choice index, or fresh ones.
    static func choiceSeeds(_ decoding: DecodingSettings) -> [UInt64] {
        let base = decoding.seed ?? UInt64.random(in: 0...UInt64.max)
        return (0..<decoding.n).map { base &+ UInt64($0) }
    }
}
