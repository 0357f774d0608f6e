import Backends
import EvalCore
import Foundation
import Testing

/// EvalKit's own OpenAI client scoring through `eval serve` gives what the local backend gives.
@Suite struct ClientInteropTests {
    let requests = [
        LogLikelihoodRequest(context: "The quick brown fox", continuation: " jumps over the lazy dog"),
        LogLikelihoodRequest(context: "The quick brown fox", continuation: " sleeps in the sun"),
        LogLikelihoodRequest(context: "Roses are red, violets are", continuation: " blue"),
        // Trailing white space moves to the continuation on both sides.
        LogLikelihoodRequest(context: "the capital of France is ", continuation: "Paris"),
        // A token merged across the boundary counts for the continuation.
        LogLikelihoodRequest(context: "Evaluation harn", continuation: "esses score"),
        LogLikelihoodRequest(context: "A small model learns", continuation: " small things: counting, copying"),
    ]

    @Test func logLikelihoodsAndGreedyGenerationsMatchTheLocalBackend() async throws {
        let local = try TinyCheckpoint.load()
        let server = try await RunningServer(model: try TinyCheckpoint.load())
        let client = try OpenAICompatibleModel(endpoint: OpenAIEndpoint(
            name: "tiny", baseURL: server.baseURL + "/v1", model: "tiny", concurrency: 4, timeout: 60, maxRetries: 0, contextLength: 64))

        let expected = try await local.logLikelihoods(requests)
        let actual = try await client.logLikelihoods(requests)
        #expect(actual.count == expected.count)
        for (index, (a, e)) in zip(actual, expected).enumerated() {
            #expect(abs(a.logLikelihood - e.logLikelihood) < 1e-4, "request \(index): served \(a.logLikelihood), local \(e.logLikelihood)")
            #expect(a.tokenCount == e.tokenCount, "request \(index)")
            #expect(a.isGreedy == e.isGreedy, "request \(index)")
        }
        // Some continuation is greedy and some is not, so isGreedy was really compared.
        #expect(Set(expected.map(\.isGreedy)).count == 2 || expected.contains { $0.logLikelihood < -1 })

        let generations = [
            GenerationRequest(prompt: .text("The quick brown"), maxTokens: 12),
            GenerationRequest(prompt: .text("Roses are red,"), maxTokens: 20, stop: ["."]),
            GenerationRequest(prompt: .text("A small model"), maxTokens: 8, stop: [","]),
            // Longer than the room left in the context: cut from the left on both sides.
            GenerationRequest(prompt: .text(String(repeating: "the dog sleeps ", count: 12)), maxTokens: 10),
        ]
        let localTexts = try await local.generate(generations)
        let servedTexts = try await client.generate(generations)
        #expect(servedTexts.map(\.text) == localTexts.map(\.text))
        #expect(localTexts.contains { !$0.text.isEmpty })
        #expect(try await client.tokenCount(of: "The quick brown fox") == local.tokenCount(of: "The quick brown fox"))
        await server.stop()
    }

    /// Gemma 3 through `eval serve`: the client sends where each continuation starts
    /// (`echo_logprobs_from`), the server runs each context and its continuations in the local
    /// backend's passes, and every log-likelihood is the local one bit for bit — a context longer
    /// than one 32-row pass, choices sharing their first token, a short context and an empty one.
    @Test(.enabled(if: ChatTemplateEndpointTests.gemmaPresent, "the Gemma 3 270M GGUF is not in the cache (run scripts/fetch-models)"))
    func gemmaLogLikelihoodsAreTheLocalOnesBitForBit() async throws {
        let url = ChatTemplateEndpointTests.gemmaURL
        let local = try EngineLanguageModel(ggufAt: url, name: "gemma", contentHash: "h")
        let server = try await RunningServer(model: try EngineLanguageModel(ggufAt: url, name: "gemma", contentHash: "h"), name: "gemma")
        let client = try OpenAICompatibleModel(endpoint: OpenAIEndpoint(
            name: "gemma", baseURL: server.baseURL + "/v1", model: "gemma", concurrency: 2, timeout: 120, maxRetries: 0, contextLength: 8192))
        let passage = """
            Pray, set it down and rest you: when this burns,
            'Twill weep for having wearied you. My father
            Is hard at study; pray, now, rest yourself:
            He's safe for these three hours.
            """
        let choices = ["I'll fetch them, sir.", "Holy Gonzalo, honourable man,", "O most dear mistress,", "A love-song, a love-song."]
        let requests = choices.map { LogLikelihoodRequest(context: passage, continuation: "\n" + $0) }
            + [LogLikelihoodRequest(context: "The capital of France is", continuation: " Paris"),
               LogLikelihoodRequest(context: "The capital of France is", continuation: " Rome"),
               LogLikelihoodRequest(context: "", continuation: "Paris is")]
        let expected = try await local.logLikelihoods(requests)
        let actual = try await client.logLikelihoods(requests)
        #expect(try await client.tokenCount(of: passage) ?? 0 > 32, "the passage is longer than one row-independent pass")
        for (index, (a, e)) in zip(actual, expected).enumerated() {
            #expect(a.logLikelihood == e.logLikelihood, "request \(index): served \(a.logLikelihood), local \(e.logLikelihood)")
            #expect(a.tokenCount == e.tokenCount && a.isGreedy == e.isGreedy, "request \(index)")
        }
        #expect(actual.count == requests.count)
        await server.stop()
    }

    @Test func emptyContextsAreScoredAfterTheEndOfTextTokenAsLocally() async throws {
        // acc_pmi's unconditional requests: the GPT-2 style model has no BOS, so the client sends
        // the end-of-text token id (from /tokenizer_info and /tokenize) followed by the continuation's ids.
        let local = try TinyCheckpoint.load()
        let server = try await RunningServer(model: try TinyCheckpoint.load())
        let unconditional = [
            LogLikelihoodRequest(context: "", continuation: "The quick brown fox"),
            LogLikelihoodRequest(context: "", continuation: " jumps over the lazy dog"),
            // White space alone moves to the continuation, leaving the context empty.
            LogLikelihoodRequest(context: " ", continuation: "Roses are red"),
        ] + requests
        let expected = try await local.logLikelihoods(unconditional)
        for size in [1, 8] {
            let client = try OpenAICompatibleModel(endpoint: OpenAIEndpoint(
                name: "tiny", baseURL: server.baseURL + "/v1", model: "tiny", concurrency: 2, timeout: 60, maxRetries: 0, promptsPerRequest: size))
            let actual = try await client.logLikelihoods(unconditional)
            for (index, (a, e)) in zip(actual, expected).enumerated() {
                #expect(abs(a.logLikelihood - e.logLikelihood) < 1e-4, "request \(index), \(size) per request: served \(a.logLikelihood), local \(e.logLikelihood)")
                #expect(a.tokenCount == e.tokenCount && a.isGreedy == e.isGreedy, "request \(index)")
            }
        }
        await server.stop()
    }

    @Test func concurrentClientsGetTheSameAnswersAsOneClient() async throws {
        let local = try TinyCheckpoint.load()
        let server = try await RunningServer(model: try TinyCheckpoint.load())
        let expected = try await local.logLikelihoods(requests)
        // Eight clients at once, each with its own concurrency, all scoring the same requests.
        let results = try await withThrowingTaskGroup(of: [LogLikelihoodResponse].self) { group in
            for client in 0..<8 {
                group.addTask {
                    let model = try OpenAICompatibleModel(endpoint: OpenAIEndpoint(
                        name: "tiny-\(client)", baseURL: server.baseURL + "/v1", model: "tiny", concurrency: 3, timeout: 60, maxRetries: 0))
                    return try await model.logLikelihoods(requests)
                }
            }
            var all: [[LogLikelihoodResponse]] = []
            for try await result in group { all.append(result) }
            return all
        }
        #expect(results.count == 8)
        for result in results {
            for (a, e) in zip(result, expected) { #expect(abs(a.logLikelihood - e.logLikelihood) < 1e-4) }
        }
        let statistics = server.served.queueStatistics
        // Every echo request was scored exactly once, whatever batches they were grouped in.
        #expect(statistics.scoredSequences == 8 * requests.count)
        await server.stop()
    }
}
