import Backends
import EvalCore
import Foundation
import Testing

/// `/v1/chat/completions`, `/tokenize` and `/tokenizer_info` for a model with a chat template of its
/// own: Gemma 3 270M with `chat_template: gemma` (skipped without the GGUF; docs/chat-templates.md).
@Suite struct ChatTemplateEndpointTests {
    static var gemmaURL: URL {
        FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/evalkit/models/gemma-3-270m-q4_k_m.gguf")
    }
    static var gemmaPresent: Bool { FileManager.default.fileExists(atPath: gemmaURL.path) }

    @Test(.enabled(if: gemmaPresent, "the Gemma 3 270M GGUF is not in the cache (run scripts/fetch-models)"))
    func chatsUseTheModelsTemplateAndAgreeWithTheLocalBackend() async throws {
        let model = try EngineLanguageModel(ggufAt: Self.gemmaURL, name: "gemma", contentHash: "h", chatTemplate: .gemma)
        let server = try await RunningServer(model: model, name: "gemma")
        let messages = [["role": "system", "content": "Answer in one word."], ["role": "user", "content": "What colour is the sky?"]]
        // /tokenize renders the messages with Gemma's template: BOS, <start_of_turn>=105, user=2364, "\n"=107, ...
        let tokenized = try await send("POST", server.baseURL + "/tokenize", json: ["model": "gemma", "messages": messages])
        let ids = try #require(tokenized.json?["tokens"] as? [Int])
        let rendered = try ChatTemplate.gemma.render(messages.map { ChatMessage(role: $0["role"]!, content: $0["content"]!) })
        #expect(ids == model.promptTokens(rendered))
        #expect(Array(ids.prefix(4)) == [2, 105, 2364, 107] && Array(ids.suffix(3)) == [105, 4368, 107])
        let info = try await send("GET", server.baseURL + "/tokenizer_info")
        #expect((info.json?["chat_template"] as? String)?.hasPrefix("{{ bos_token }}") == true)

        let chat = try await send("POST", server.baseURL + "/v1/chat/completions",
                                  json: ["model": "gemma", "messages": messages, "max_tokens": 3, "temperature": 0])
        #expect(chat.status == 200, "\(chat.text)")
        let choice = try #require((chat.json?["choices"] as? [[String: Any]])?.first)
        let content = try #require((choice["message"] as? [String: Any])?["content"] as? String)
        // The same reply as the local backend gives the same chat (both stop at <end_of_turn> or after 3 tokens).
        let local = try await model.generate([GenerationRequest(prompt: .chat(messages.map { ChatMessage(role: $0["role"]!, content: $0["content"]!) }), maxTokens: 3)])
        #expect(content == local[0].text)
        #expect(choice["finish_reason"] as? String == (local[0].finishReason == "stop" ? "stop" : "length"))
        #expect(!content.contains("<end_of_turn>") && !content.contains("User:"))

        let refused = try await send("POST", server.baseURL + "/v1/chat/completions",
                                     json: ["model": "gemma", "messages": [["role": "assistant", "content": "hi"]], "max_tokens": 2])
        #expect(refused.status == 400 && refused.errorParam == "messages")
        #expect(refused.errorMessage?.contains("message 0 has role 'assistant' where 'user' was expected") == true)
        await server.stop()
    }
}
