import Engine
import EvalCore
import Foundation
import Hummingbird
import NIOCore

/// `/v1/completions` and `/v1/chat/completions`.
extension OpenAIServer {
    func completions(_ fields: RequestFields) async throws -> Response {
        let request = try CompletionRequest(fields)
        try checkModel(request.model)
        let decoding = request.decoding
        let seeds = ServedModel.choiceSeeds(decoding)
        let n = decoding.n
        let prompts = request.prompts
        let model = self.model
        let settings: @Sendable (_ promptIndex: Int, _ choice: Int, _ echo: Bool) -> ChoiceSettings = { promptIndex, choice, echo in
            ChoiceSettings(echo: echo, logprobs: request.logprobs, maxTokens: decoding.maxTokens, stop: decoding.stop,
                           sampling: SamplingParameters(temperature: decoding.temperature, topP: decoding.topP, seed: seeds[choice]),
                           param: prompts.count == 1 ? "prompt" : "prompt[\(promptIndex)]")
        }
        guard model.tokenLevel != nil else {
            let texts = try prompts.enumerated().map { index, prompt -> GenerationPrompt in
                guard case .text(let text) = prompt else { _ = try model.requireTokenLevel(for: "prompt[\(index)]", "a prompt of token ids"); return .text("") }
                return .text(text)
            }
            if request.echo { _ = try model.requireTokenLevel(for: "echo", "echo") }
            if request.logprobs != nil { _ = try model.requireTokenLevel(for: "logprobs", "logprobs") }
            let outputs = try await model.completeWithLanguageModel(texts, decoding: decoding, seeds: seeds)
            if decoding.stream {
                return stream(choiceCount: outputs.count, choicesPerPrompt: n, includeUsage: decoding.includeUsage, chat: false,
                              start: { _ in nil }, run: { index, _ in outputs[index] })
            }
            return completionResponse(outputs, promptCount: prompts.count, n: n)
        }
        if decoding.stream {
            // Everything that can be refused is refused before the 200 and the first event.
            var echoes: [String] = []
            for (index, prompt) in prompts.enumerated() {
                let ids = try model.promptIDs(prompt, param: settings(index, 0, false).param)
                if request.echo, ids.count > model.contextLength {
                    throw APIError.invalid(settings(index, 0, true).param, "the prompt has \(ids.count) tokens, more than the model's context length \(model.contextLength)")
                }
                if case .text(let text) = prompt { echoes.append(text) } else { echoes.append(model.tokenLevel?.tokenizer.decode(ids) ?? "") }
            }
            let echoTexts = echoes
            return stream(choiceCount: prompts.count * n, choicesPerPrompt: n, includeUsage: decoding.includeUsage, chat: false,
                          start: { index in request.echo ? echoTexts[index / n] : nil },
                          run: { index, onText in
                              var choice = settings(index / n, index % n, false)
                              if request.echo { choice.maxTokens = min(choice.maxTokens, max(0, model.contextLength - (try model.promptIDs(prompts[index / n], param: choice.param)).count)) }
                              return try await model.completeWithEngine(prompts[index / n], settings: choice, onText: onText)
                          })
        }
        if request.echo, let topCount = request.logprobs, decoding.maxTokens == 0 {
            // Scoring only (a log-likelihood client): all prompts in one engine job; the n choices of a prompt are equal.
            let echoes = try await model.echoWithEngine(prompts, topCount: topCount, from: request.echoLogprobsFrom,
                                                        params: prompts.indices.map { settings($0, 0, true).param })
            return completionResponse(echoes.flatMap { Array(repeating: $0, count: n) }, promptCount: prompts.count, n: n)
        }
        let outputs = try await withThrowingTaskGroup(of: (Int, ChoiceOutput).self) { group in
            for (promptIndex, prompt) in prompts.enumerated() {
                for choice in 0..<n {
                    let choiceSettings = settings(promptIndex, choice, request.echo)
                    group.addTask { (promptIndex * n + choice, try await model.completeWithEngine(prompt, settings: choiceSettings)) }
                }
            }
            var outputs = [ChoiceOutput?](repeating: nil, count: prompts.count * n)
            for try await (index, output) in group { outputs[index] = output }
            return outputs.compactMap { $0 }
        }
        return completionResponse(outputs, promptCount: prompts.count, n: n)
    }

    func completionResponse(_ outputs: [ChoiceOutput], promptCount: Int, n: Int) -> Response {
        let choices = outputs.enumerated().map { index, output in
            CompletionChoiceBody(index: index, text: output.text, logprobs: output.logprobs.map { CompletionLogprobsBody(logprobs: $0) },
                                 finishReason: output.finishReason)
        }
        let body = CompletionBody(id: Self.identifier("cmpl"), created: Self.now, model: model.name, choices: choices,
                                  usage: Self.usage(outputs, n: n))
        return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: body.jsonBytes())))
    }

    /// Prompt tokens counted once per prompt (not per choice), completion tokens per choice.
    static func usage(_ outputs: [ChoiceOutput], n: Int) -> Usage {
        let prompt = stride(from: 0, to: outputs.count, by: max(1, n)).reduce(0) { $0 + outputs[$1].promptTokenCount }
        return Usage(promptTokens: prompt, completionTokens: outputs.reduce(0) { $0 + $1.completionTokenCount })
    }

    func chat(_ fields: RequestFields) async throws -> Response {
        let request = try ChatRequest(fields)
        try checkModel(request.model)
        let model = self.model
        // A model with a chat interface or template of its own gets the messages; base models get the plain template.
        let ownTemplate = model.tokenLevel == nil ? model.model.capabilities.supportsChat : model.chatTemplate != .plain
        var chatDecoding = request.decoding
        if !ownTemplate { chatDecoding.stop += PlainChatTemplate.stopSequences }
        let decoding = chatDecoding
        let seeds = ServedModel.choiceSeeds(decoding)
        let n = decoding.n
        let rendered = try model.renderChat(request.messages)
        let topCount = request.logprobs ? request.topLogprobs : nil
        let outputs: [ChoiceOutput]
        if model.tokenLevel != nil {
            let settings: @Sendable (Int) -> ChoiceSettings = { choice in
                ChoiceSettings(echo: false, logprobs: topCount, maxTokens: decoding.maxTokens, stop: decoding.stop,
                               sampling: SamplingParameters(temperature: decoding.temperature, topP: decoding.topP, seed: seeds[choice]),
                               param: "messages")
            }
            _ = try model.promptIDs(.text(rendered), param: "messages")
            if decoding.stream {
                return stream(choiceCount: n, includeUsage: decoding.includeUsage, chat: true, start: { _ in "" }, run: { index, onText in
                    var trimmer = LeadingWhitespaceTrimmer()
                    let trimmed: (@Sendable (String) -> Bool)? = onText.map { send in
                        let state = Locked(trimmer)
                        return { delta in
                            let kept = state.withLock { $0.pass(delta) }
                            return kept.isEmpty ? true : send(kept)
                        }
                    }
                    var output = try await model.completeWithEngine(.text(rendered), settings: settings(index), onText: trimmed)
                    output.text = trimmer.pass(output.text)
                    return output
                })
            }
            outputs = try await withThrowingTaskGroup(of: (Int, ChoiceOutput).self) { group in
                for choice in 0..<n {
                    group.addTask { (choice, try await model.completeWithEngine(.text(rendered), settings: settings(choice))) }
                }
                var outputs = [ChoiceOutput?](repeating: nil, count: n)
                for try await (index, output) in group { outputs[index] = output }
                return outputs.compactMap { $0 }
            }
        } else {
            if request.logprobs { _ = try model.requireTokenLevel(for: "logprobs", "logprobs") }
            let prompt: GenerationPrompt = ownTemplate ? .chat(request.messages) : .text(rendered)
            outputs = try await model.completeWithLanguageModel([prompt], decoding: decoding, seeds: seeds)
            if decoding.stream {
                return stream(choiceCount: n, includeUsage: decoding.includeUsage, chat: true, start: { _ in "" }, run: { index, _ in outputs[index] })
            }
        }
        let choices = outputs.enumerated().map { index, output in
            var trimmer = LeadingWhitespaceTrimmer()
            return ChatChoiceBody(index: index, message: ChatMessageBody(role: "assistant", content: ownTemplate ? output.text : trimmer.pass(output.text)),
                                  isDelta: false, logprobs: topCount.flatMap { count in output.logprobs.map { ChatLogprobsBody($0, topCount: count) } },
                                  finishReason: output.finishReason)
        }
        return JSONBody.response(ChatBody(id: Self.identifier("chatcmpl"), object: "chat.completion", created: Self.now, model: model.name,
                                          choices: choices, usage: Self.usage(outputs, n: n)))
    }
}

/// Drops white space at the start of a reply, across however many pieces it arrives in.
struct LeadingWhitespaceTrimmer: Sendable {
    private var started = false
    mutating func pass(_ text: String) -> String {
        if started { return text }
        let kept = text.drop(while: \.isWhitespace)
        if !kept.isEmpty { started = true }
        return String(kept)
    }
}

/// A value behind a lock, for state a `@Sendable` callback mutates.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func withLock<T>(_ body: (inout Value) -> T) -> T { lock.withLock { body(&value) } }
}
