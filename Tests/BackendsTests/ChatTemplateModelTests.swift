import Backends
import Engine
import EvalCore
import Foundation
import Testing
import Tokenizers

/// A causal model that records the prompt it is given and answers with a fixed list of tokens.
final class RecordingCausalModel: CausalLanguageModel, @unchecked Sendable {
    let contextLength = 64
    let vocabularySize: Int
    let reply: [Int]
    private(set) var prompts: [[Int]] = []

    init(vocabularySize: Int, reply: [Int]) {
        self.vocabularySize = vocabularySize
        self.reply = reply
    }

    func scoreContinuations(context: [Int], continuations: [[Int]]) throws -> [ContinuationScore] {
        continuations.map { ContinuationScore(logProbability: -Double($0.count), isGreedy: false, tokenCount: $0.count) }
    }

    func tokenLogProbabilities(tokens: [Int], scoredFrom: Int) throws -> [Double] {
        Array(repeating: -1, count: tokens.count - 1 - scoredFrom)
    }

    func generate(prompt: [Int], maxTokens: Int, sampling: SamplingParameters, onToken: (Int) -> Bool) throws -> [Int] {
        prompts.append(prompt)
        var generated: [Int] = []
        for token in reply.prefix(maxTokens) {
            generated.append(token)
            if !onToken(token) { break }
        }
        return generated
    }
}

/// Chat prompts through `EngineLanguageModel`: the model's template, its end-of-turn token, the
/// `chat_template` override in models.yaml and model specs, and Gemma's real tokenizer.
@Suite struct ChatTemplateModelTests {
    /// A SentencePiece vocabulary with Gemma's turn markers as control tokens.
    static func gemmaLikeTokenizer() throws -> SentencePieceTokenizer {
        let tokens = ["<pad>", "<eos>", "<bos>", "<start_of_turn>", "<end_of_turn>", "\n", "u", "s", "e", "r", "us", "use", "user",
                      "m", "o", "d", "l", "mo", "mod", "mode", "model", "H", "i", "Hi", "!"]
        let types: [Int32] = [3, 3, 3, 3, 3] + Array(repeating: 1, count: tokens.count - 5)
        return try SentencePieceTokenizer(tokens: tokens, scores: Array(repeating: 0, count: tokens.count), tokenTypes: types,
                                          bosTokenID: 2, eosTokenID: 1, unknownTokenID: nil, addBOS: false, addSpacePrefix: false)
    }

    static func model(reply: [Int], template: ChatTemplate) throws -> (EngineLanguageModel, RecordingCausalModel) {
        let tokenizer = try gemmaLikeTokenizer()
        let causal = RecordingCausalModel(vocabularySize: tokenizer.vocabularySize, reply: reply)
        let model = try EngineLanguageModel(model: causal, tokenizer: tokenizer, identity: ModelIdentity(name: "t", backend: "engine", contentHash: "h"),
                                            prependBOS: true, chatTemplate: template)
        return (model, causal)
    }

    @Test func chatPromptsUseTheTemplateAndStopAtTheEndOfTurn() async throws {
        // Replies "Hi" "!" then <end_of_turn>, then text that must never be reached.
        let (model, causal) = try Self.model(reply: [23, 24, 4, 23, 23], template: .gemma)
        #expect(model.capabilities.supportsChat)
        let responses = try await model.generate([GenerationRequest(prompt: .chat([ChatMessage(role: "user", content: "Hi")]), maxTokens: 10)])
        #expect(responses == [GenerationResponse(text: "Hi!", tokenCount: 2, finishReason: "stop")])
        // BOS, then the rendered turn with <start_of_turn>/<end_of_turn> as single control tokens.
        #expect(causal.prompts == [[2, 3, 12, 5, 23, 4, 5, 3, 20, 5]])
        // A text prompt stops at the end-of-turn token too (as llama.cpp's end-of-generation tokens).
        let text = try await model.generate([GenerationRequest(prompt: .text("Hi"), maxTokens: 10)])
        #expect(text[0].text == "Hi!" && text[0].finishReason == "stop")
        #expect(causal.prompts.last == [2, 23])
    }

    @Test func plainModelsRenderChatsAsTextAndStopAtTheNextTurn() async throws {
        let (model, _) = try Self.model(reply: [23, 4, 23], template: .plain)
        #expect(!model.capabilities.supportsChat)
        // Without a template <end_of_turn> is an ordinary (control) token: generation goes on to max tokens.
        let responses = try await model.generate([GenerationRequest(prompt: .chat([ChatMessage(role: "user", content: "Hi")]), maxTokens: 3)])
        #expect(responses[0].tokenCount == 3 && responses[0].finishReason == "length")
    }

    @Test func badChatsAndMissingTemplateTokensAreClearErrors() async throws {
        let (model, _) = try Self.model(reply: [23], template: .gemma)
        await #expect { _ = try await model.generate([GenerationRequest(prompt: .chat([ChatMessage(role: "assistant", content: "x")]), maxTokens: 2)]) }
            throws: { "\($0)".contains("model 't': chat template 'gemma': message 0 has role 'assistant'") }
        #expect { _ = try Self.model(reply: [], template: .chatml) } throws: {
            "\($0)".contains("chat template 'chatml' needs '<|im_start|>' to be one special token") && "\($0)".contains("gemma, llama3, llama3.1, chatml, qwen2, qwen2.5, plain")
        }
    }

    @Test func registryAndSpecsChooseTheTemplate() throws {
        let registry = try ModelRegistry.parse("models:\n  - name: it\n    path: it.gguf\n    chat_template: chatml\n  - name: base\n    path: b.gguf\n", file: "/m/models.yaml")
        #expect(registry.file(named: "it")?.chatTemplate == .chatml)
        #expect(registry.file(named: "base")?.chatTemplate == nil)
        #expect { _ = try ModelRegistry.parse("models:\n  - name: it\n    path: it.gguf\n    chat_template: jinja\n", file: "models.yaml") }
            throws: { "\($0)".contains("models.yaml:4: 'chat_template' must be one of gemma, llama3, llama3.1, chatml, qwen2, qwen2.5, plain, got 'jinja'") }
        #expect { _ = try ModelResolver.resolve("/nonexistent/m.gguf,chat_template=gemma") } throws: { "\($0)" == "no GGUF file at '/nonexistent/m.gguf'" }
        #expect { _ = try ModelResolver.resolve("/nonexistent/m.gguf,chat_template=vicuna") } throws: { "\($0)".contains("chat_template must be one of gemma, llama3, llama3.1, chatml, qwen2, qwen2.5, plain, got 'vicuna'") }
        #expect { _ = try ModelResolver.resolve("openai:m@http://127.0.0.1:1/v1,chat_template=gemma") } throws: { _ in true }
    }

    /// Written by scripts/chat-template-reference.py: llama.cpp's tokenizer (llama-cpp-python 0.3.36,
    /// `Llama(vocab_only=True).tokenize(text, add_bos=True, special=True)`) on the Gemma 3 270M GGUF.
    static let gemmaReference: [(messages: [ChatMessage], text: String, ids: [Int])] = [
        ([ChatMessage(role: "system", content: "You are a terse assistant."), ChatMessage(role: "user", content: "  What is 2 + 2?\n"),
          ChatMessage(role: "assistant", content: "4."), ChatMessage(role: "user", content: "And in words? 🙂")],
         "<start_of_turn>user\nYou are a terse assistant.\n\nWhat is 2 + 2?<end_of_turn>\n<start_of_turn>model\n4.<end_of_turn>\n<start_of_turn>user\nAnd in words? 🙂<end_of_turn>\n<start_of_turn>model\n",
         [2, 105, 2364, 107, 3048, 659, 496, 17514, 16326, 236761, 108, 3689, 563, 236743, 236778, 900, 236743, 236778, 236881, 106, 107, 105, 4368,
          107, 236812, 236761, 106, 107, 105, 2364, 107, 3133, 528, 4171, 236881, 57235, 106, 107, 105, 4368, 107]),
        ([ChatMessage(role: "user", content: "Write one line of Python:\nprint('hi')")],
         "<start_of_turn>user\nWrite one line of Python:\nprint('hi')<end_of_turn>\n<start_of_turn>model\n",
         [2, 105, 2364, 107, 6974, 886, 1757, 529, 17856, 236787, 107, 1995, 1033, 2202, 1606, 106, 107, 105, 4368, 107]),
    ]

    @Test(.enabled(if: GGUFModelTests.gemmaPresent, "the Gemma 3 270M GGUF is not in the cache (run scripts/fetch-models)"))
    func gemmaChatsTokenizeAsLlamaCppDoes() throws {
        let model = try EngineLanguageModel(ggufAt: GGUFModelTests.gemmaURL, contentHash: "h", chatTemplate: .gemma)
        #expect(model.capabilities.supportsChat)
        #expect(model.identity.contentHash == "h:chat_template=gemma")
        #expect(model.endOfGenerationTokens == [1, 106])
        for reference in Self.gemmaReference {
            let text = try ChatTemplate.gemma.render(reference.messages)
            #expect(text == reference.text)
            #expect(model.promptTokens(text) == reference.ids)
        }
        // The 270M file has no tokenizer.chat_template: without an override it is a base model.
        let base = try EngineLanguageModel(ggufAt: GGUFModelTests.gemmaURL, contentHash: "h")
        #expect(base.chatTemplate == .plain && !base.capabilities.supportsChat && base.identity.contentHash == "h")
    }
}

/// `--model FOLDER` for a Llama checkpoint in the Hugging Face layout (the fixture of
/// Tests/EngineTests/HuggingFaceLlamaTests.swift, written by scripts/hf-llama-reference.py).
@Suite struct HuggingFaceFolderModelTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("EngineTests/Fixtures/tiny-hf-llama")

    @Test func folderResolvesToTheDecoderWithBOS() async throws {
        let resolved = try ModelResolver.resolve(Self.folder.path)
        #expect(resolved.map(\.name) == ["tiny-hf-llama"])
        let model = try #require(try resolved[0].load() as? EngineLanguageModel)
        #expect(model.prependBOS && model.chatTemplate == .plain && model.capabilities.contextLength == 64)
        #expect(model.promptTokens("Hello world") == [264, 72, 101, 259, 111, 262, 260, 108, 100])
        let rolling = try await model.rollingLogLikelihoods([RollingLogLikelihoodRequest(text: "Hello world")])
        let direct = try model.causalModel.tokenLogProbabilities(tokens: [264, 72, 101, 259, 111, 262, 260, 108, 100], scoredFrom: 0)
        #expect(rolling[0].tokenCount == 8 && rolling[0].logLikelihood == direct.reduce(0, +))
        #expect { _ = try ModelResolver.resolve(Self.folder.path + ",chat_template=chatml")[0].load() } throws: {
            "\($0)".contains("chat template 'chatml' needs '<|im_start|>' to be one special token")
        }
    }
}
