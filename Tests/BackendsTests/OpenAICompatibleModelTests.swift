import Backends
import EvalCore
import Foundation
import Testing

/// An endpoint on the test server with short delays so every test finishes in seconds.
func testEndpoint(_ baseURL: String, retries: Int = 2, timeout: Double = 2, concurrency: Int = 4,
                  api: OpenAIAPIStyle = .completions, keyVariable: String? = nil) -> OpenAIEndpoint {
    OpenAIEndpoint(name: "fake", baseURL: baseURL, model: "fake-model", api: api, apiKeyEnvironmentVariable: keyVariable,
                   concurrency: concurrency, timeout: timeout, maxRetries: retries, retryBaseDelay: 0.01, maxRetryDelay: 2)
}

@Suite struct OpenAICompatibleModelTests {
    let requests = [
        LogLikelihoodRequest(context: "The capital of France is", continuation: " Paris"),
        LogLikelihoodRequest(context: "Roses are", continuation: " red and blue"),
        // Trailing space moves to the continuation: scored as "Roses are" + " red".
        LogLikelihoodRequest(context: "Roses are ", continuation: "red"),
        // "wor" + "ld": the token " world" straddles the boundary and counts for the continuation.
        LogLikelihoodRequest(context: "Hello wor", continuation: "ld"),
    ]
    // By FakeOpenAI's rule (-0.5 - 0.1 per code point; greedy when the length is even):
    // " Paris" (6) → -1.1 greedy; " red" (4) -0.9 + " and" (4) -0.9 + " blue" (5) -1.0 → -2.8, not greedy;
    // " red" → -0.9 greedy; " world" (6) → -1.1 greedy.
    let expected = [
        LogLikelihoodResponse(logLikelihood: -1.1, isGreedy: true, tokenCount: 1),
        LogLikelihoodResponse(logLikelihood: -2.8, isGreedy: false, tokenCount: 3),
        LogLikelihoodResponse(logLikelihood: -0.9, isGreedy: true, tokenCount: 1),
        LogLikelihoodResponse(logLikelihood: -1.1, isGreedy: true, tokenCount: 1),
    ]

    func expectClose(_ actual: [LogLikelihoodResponse], _ expected: [LogLikelihoodResponse]) {
        #expect(actual.count == expected.count)
        for (a, e) in zip(actual, expected) {
            #expect(abs(a.logLikelihood - e.logLikelihood) < 1e-9, "\(a) vs \(e)")
            #expect(a.isGreedy == e.isGreedy && a.tokenCount == e.tokenCount, "\(a) vs \(e)")
        }
    }

    @Test func logLikelihoodsFromTextOffsets() async throws {
        let server = try LoopbackHTTPServer { _, request in FakeOpenAI.answer(request) }
        defer { server.stop() }
        let model = try OpenAICompatibleModel(endpoint: testEndpoint(server.baseURL))
        expectClose(try await model.logLikelihoods(requests), expected)
        let echo = try #require(server.requests.first { $0.path == "/v1/completions" }?.json)
        #expect(echo["echo"] as? Bool == true && echo["logprobs"] as? Int == 1 && echo["max_tokens"] as? Int == 0)
        #expect(echo["model"] as? String == "fake-model")
    }

    @Test func logLikelihoodsFromTokenizeEndpoint() async throws {
        let server = try LoopbackHTTPServer { _, request in FakeOpenAI.answer(request, options: .init(tokenize: true)) }
        defer { server.stop() }
        let model = try OpenAICompatibleModel(endpoint: testEndpoint(server.baseURL))
        expectClose(try await model.logLikelihoods(requests), expected)
        #expect(server.requests.contains { $0.path == "/tokenize" })
        #expect(try await model.tokenCount(of: "one two three") == 3)
    }

    @Test func fallsBackToOneTokenWhenZeroIsRefused() async throws {
        let server = try LoopbackHTTPServer { _, request in FakeOpenAI.answer(request, options: .init(rejectZeroMaxTokens: true)) }
        defer { server.stop() }
        let model = try OpenAICompatibleModel(endpoint: testEndpoint(server.baseURL, concurrency: 1))
        expectClose(try await model.logLikelihoods(requests), expected)
        let maxTokens = server.requests.compactMap { $0.json?["max_tokens"] as? Int }
        // Refused once, then one token for every request (the generated " next" is not scored).
        #expect(maxTokens == [0, 1, 1, 1, 1])
    }

    @Test func rollingLogLikelihoodSkipsTheUnconditionedFirstToken() async throws {
        let server = try LoopbackHTTPServer { _, request in FakeOpenAI.answer(request) }
        defer { server.stop() }
        let model = try OpenAICompatibleModel(endpoint: testEndpoint(server.baseURL))
        let answer = try #require(try await model.rollingLogLikelihoods([RollingLogLikelihoodRequest(text: "One two three")]).first)
        #expect(abs(answer.logLikelihood - (-0.9 + -1.1)) < 1e-9)
        #expect(answer.tokenCount == 2 && answer.windowCount == 1)
    }

    @Test func serverIgnoringEchoIsRefused() async throws {
        let server = try LoopbackHTTPServer { _, request in FakeOpenAI.answer(request, options: .init(ignoreEcho: true)) }
        defer { server.stop() }
        let model = try OpenAICompatibleModel(endpoint: testEndpoint(server.baseURL))
        let error = try await #require(throws: ModelError.self) { try await model.logLikelihoods(Array(requests.prefix(1))) }
        #expect(error.message.contains("ignored echo=true"))
        #expect(error.message.contains(server.baseURL))
    }

    @Test func chatStyleCannotScoreAndGeneratesThroughChat() async throws {
        let server = try LoopbackHTTPServer { _, request in FakeOpenAI.answer(request) }
        defer { server.stop() }
        let model = try OpenAICompatibleModel(endpoint: testEndpoint(server.baseURL, api: .chat))
        #expect(model.capabilities.canScoreLogLikelihoods == false)
        #expect(model.capabilities.supportsChat)
        await #expect(throws: ModelError.self) { try await model.logLikelihoods(requests) }
        let answers = try await model.generate([GenerationRequest(prompt: .text("Hi"), maxTokens: 5)])
        #expect(answers.map(\.text) == ["chat: Hi"])
        #expect(server.requests.map(\.path) == ["/v1/chat/completions"])
    }

    @Test func generationSendsParametersAndCutsAtStop() async throws {
        let server = try LoopbackHTTPServer { _, request in FakeOpenAI.answer(request) }
        defer { server.stop() }
        let model = try OpenAICompatibleModel(endpoint: testEndpoint(server.baseURL))
        let requests = [
            GenerationRequest(prompt: .text("Say yes"), maxTokens: 7, stop: ["\n"], temperature: 0.5, topP: 0.9, seed: 11),
            GenerationRequest(prompt: .text("Say no"), maxTokens: 7),
            GenerationRequest(prompt: .chat([ChatMessage(role: "user", content: "Hello")]), maxTokens: 3),
        ]
        let answers = try await model.generate(requests)
        #expect(answers[0] == GenerationResponse(text: " YES", tokenCount: 3, finishReason: "stop"))
        #expect(answers[1] == GenerationResponse(text: " NO\nsecond line", tokenCount: 3, finishReason: "length"))
        #expect(answers[2].text == "chat: Hello")
        let sent = try #require(server.requests.first { ($0.json?["prompt"] as? String) == "Say yes" }?.json)
        #expect(sent["max_tokens"] as? Int == 7 && sent["seed"] as? Int == 11 && sent["n"] as? Int == 1)
        #expect(sent["temperature"] as? Double == 0.5 && sent["top_p"] as? Double == 0.9)
        #expect(sent["stop"] as? [String] == ["\n"])
    }

    @Test func concurrencyIsBounded() async throws {
        let server = try LoopbackHTTPServer { _, request in .delayed(0.05, FakeOpenAI.answer(request)) }
        defer { server.stop() }
        let model = try OpenAICompatibleModel(endpoint: testEndpoint(server.baseURL, concurrency: 2))
        let prompts = (0..<8).map { GenerationRequest(prompt: .text("word\($0)"), maxTokens: 2) }
        let answers = try await model.generate(prompts)
        #expect(answers.map(\.text) == (0..<8).map { " WORD\($0)\nsecond line" })
        #expect(server.peakConcurrency == 2)
    }

    @Test func concurrencyAboveEightIsHonoured() async throws {
        // AsyncHTTPClient's shared client pools 8 connections per host; an endpoint asking for 12 gets 12.
        let server = try LoopbackHTTPServer { _, request in .delayed(0.5, FakeOpenAI.answer(request)) }
        defer { server.stop() }
        let model = try OpenAICompatibleModel(endpoint: testEndpoint(server.baseURL, timeout: 30, concurrency: 12))
        let prompts = (0..<12).map { GenerationRequest(prompt: .text("word\($0)"), maxTokens: 2) }
        _ = try await model.generate(prompts)
        #expect(server.peakConcurrency == 12)
    }

    @Test func identityHashesEndpointNotKey() throws {
        let environment = ["FAKE_KEY": "sk-secret-123"]
        let a = try OpenAICompatibleModel(endpoint: testEndpoint("http://127.0.0.1:9/v1", keyVariable: "FAKE_KEY"), environment: environment)
        let b = try OpenAICompatibleModel(endpoint: testEndpoint("http://127.0.0.1:9/v1"), environment: environment)
        let c = try OpenAICompatibleModel(endpoint: testEndpoint("http://127.0.0.1:9/v1", api: .chat), environment: environment)
        #expect(a.identity.contentHash == b.identity.contentHash)
        #expect(a.identity.contentHash != c.identity.contentHash)
        #expect(a.identity.backend == "openai")
        #expect(!"\(a.identity)".contains("sk-secret"))
        #expect(throws: ModelError.self) {
            try OpenAICompatibleModel(endpoint: testEndpoint("http://127.0.0.1:9/v1", keyVariable: "MISSING_KEY"), environment: [:])
        }
    }
}
