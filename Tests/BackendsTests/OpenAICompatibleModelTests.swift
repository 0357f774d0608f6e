import Backends
import EvalCore
import Foundation
import Testing

/// An endpoint on the test server with short delays so every test finishes in seconds.
func testEndpoint(_ baseURL: String, retries: Int = 2, timeout: Double = 2, concurrency: Int = 4,
                  api: OpenAIAPIStyle = .completions, keyVariable: String? = nil, promptsPerRequest: Int = 8) -> OpenAIEndpoint {
    OpenAIEndpoint(name: "fake", baseURL: baseURL, model: "fake-model", api: api, apiKeyEnvironmentVariable: keyVariable,
                   concurrency: concurrency, timeout: timeout, maxRetries: retries, retryBaseDelay: 0.01, maxRetryDelay: 2,
                   promptsPerRequest: promptsPerRequest)
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
        // All four prompts in one request, grouped by context ("Roses are" twice, adjacent).
        #expect(server.requests.filter { $0.path == "/v1/completions" }.count == 1)
        #expect(echo["prompt"] as? [String] == ["The capital of France is Paris", "Roses are red and blue", "Roses are red", "Hello world"])
    }

    @Test func logLikelihoodsFromTokenizeEndpoint() async throws {
        let server = try LoopbackHTTPServer { _, request in FakeOpenAI.answer(request, options: .init(tokenize: true)) }
        defer { server.stop() }
        let model = try OpenAICompatibleModel(endpoint: testEndpoint(server.baseURL))
        expectClose(try await model.logLikelihoods(requests), expected)
        // One /tokenize per distinct context, none for the prompts (the echo gives their length).
        let tokenized = server.requests.filter { $0.path == "/tokenize" }.compactMap { $0.json?["prompt"] as? String }
        #expect(tokenized.sorted() == ["Hello wor", "Roses are", "The capital of France is"])
        // A second pass over the same contexts tokenizes nothing again.
        expectClose(try await model.logLikelihoods(requests), expected)
        #expect(server.requests.filter { $0.path == "/tokenize" }.count == 3)
        #expect(try await model.tokenCount(of: "one two three") == 3)
    }

    @Test func continuationStartsAreSentOnlyToServersOfferingEchoLogprobsFrom() async throws {
        let offering = try LoopbackHTTPServer { _, request in FakeOpenAI.answer(request, options: .init(tokenize: true, echoFrom: true)) }
        defer { offering.stop() }
        let model = try OpenAICompatibleModel(endpoint: testEndpoint(offering.baseURL))
        expectClose(try await model.logLikelihoods(requests), expected)
        expectClose(try await model.logLikelihoods(requests), expected)
        // Each prompt's first continuation token: tokenize(context).count ("Hello wor" is 2 tokens of
        // the 2-token "Hello world": the server caps it at the prompt's last token, as the client reads).
        let echoes = offering.requests.filter { $0.path == "/v1/completions" }.compactMap(\.json)
        #expect(echoes.count == 2 && echoes.allSatisfy { $0["echo_logprobs_from"] as? [Int] == [5, 2, 2, 2] }, "\(echoes.map { $0["echo_logprobs_from"] ?? "none" })")
        #expect(offering.requests.filter { $0.path == "/v1/models" }.count == 1, "asked once per model object")

        // A server that does not offer it (no /v1/models entry saying so) never gets the field.
        let plain = try LoopbackHTTPServer { _, request in FakeOpenAI.answer(request, options: .init(tokenize: true)) }
        defer { plain.stop() }
        let plainModel = try OpenAICompatibleModel(endpoint: testEndpoint(plain.baseURL))
        expectClose(try await plainModel.logLikelihoods(requests), expected)
        #expect(plain.requests.filter { $0.path == "/v1/completions" }.allSatisfy { $0.json?["echo_logprobs_from"] == nil })
        // Without /tokenize the client does not know where continuations start, and sends nothing.
        let offsetsOnly = try LoopbackHTTPServer { _, request in FakeOpenAI.answer(request, options: .init(echoFrom: true)) }
        defer { offsetsOnly.stop() }
        expectClose(try await OpenAICompatibleModel(endpoint: testEndpoint(offsetsOnly.baseURL)).logLikelihoods(requests), expected)
        #expect(offsetsOnly.requests.filter { $0.path == "/v1/completions" }.allSatisfy { $0.json?["echo_logprobs_from"] == nil })
    }

    @Test func fallsBackToOneTokenWhenZeroIsRefused() async throws {
        let server = try LoopbackHTTPServer { _, request in FakeOpenAI.answer(request, options: .init(rejectZeroMaxTokens: true)) }
        defer { server.stop() }
        let model = try OpenAICompatibleModel(endpoint: testEndpoint(server.baseURL, concurrency: 1))
        expectClose(try await model.logLikelihoods(requests), expected)
        let maxTokens = server.requests.compactMap { $0.json?["max_tokens"] as? Int }
        // The list was refused with max_tokens 0 and accepted with 1 (the generated " next" is not scored).
        #expect(maxTokens == [0, 1])
        expectClose(try await model.logLikelihoods(requests), expected)
        #expect(server.requests.compactMap { $0.json?["max_tokens"] as? Int } == [0, 1, 1])
    }

    @Test func oneTokenPerPromptWhenListsAndZeroAreRefused() async throws {
        let server = try LoopbackHTTPServer { _, request in
            FakeOpenAI.answer(request, options: .init(rejectZeroMaxTokens: true, refusePromptLists: true))
        }
        defer { server.stop() }
        let model = try OpenAICompatibleModel(endpoint: testEndpoint(server.baseURL, concurrency: 1))
        expectClose(try await model.logLikelihoods(requests), expected)
        let sent = server.requests.filter { $0.path == "/v1/completions" }.compactMap { request in
            request.json.map { ($0["prompt"] is [Any], $0["max_tokens"] as? Int ?? -1) }
        }
        // List with 0 and 1 refused; the first prompt alone with 0 refused, then 1 for each prompt.
        #expect(sent.map(\.0) == [true, true, false, false, false, false, false])
        #expect(sent.map(\.1) == [0, 1, 0, 1, 1, 1, 1])
    }

    @Test func serverRefusingPromptListsGetsOnePromptPerRequest() async throws {
        let server = try LoopbackHTTPServer { _, request in FakeOpenAI.answer(request, options: .init(refusePromptLists: true)) }
        defer { server.stop() }
        let model = try OpenAICompatibleModel(endpoint: testEndpoint(server.baseURL, concurrency: 2))
        expectClose(try await model.logLikelihoods(requests), expected)
        let lists = { server.requests.filter { $0.json?["prompt"] is [Any] }.count }
        // Found out once (a list with max_tokens 0, then 1), then remembered: the second pass sends no list.
        #expect(lists() == 2)
        expectClose(try await model.logLikelihoods(requests), expected)
        #expect(lists() == 2)
        #expect(server.requests.filter { $0.path == "/v1/completions" && $0.json?["prompt"] is String }.count == 8)
    }

    @Test func listAnsweredForItsFirstPromptOnlyFallsBack() async throws {
        let server = try LoopbackHTTPServer { _, request in FakeOpenAI.answer(request, options: .init(answerFirstPromptOnly: true)) }
        defer { server.stop() }
        let model = try OpenAICompatibleModel(endpoint: testEndpoint(server.baseURL))
        expectClose(try await model.logLikelihoods(requests), expected)
        #expect(server.requests.filter { $0.json?["prompt"] is [Any] }.count == 1)
    }

    @Test func answersDoNotDependOnPromptsPerRequestOrConcurrency() async throws {
        let server = try LoopbackHTTPServer { _, request in FakeOpenAI.answer(request, options: .init(tokenize: true)) }
        defer { server.stop() }
        // 5 documents x 3 choices, and one document with 10 choices (split across requests).
        var many: [LogLikelihoodRequest] = []
        for document in 0..<5 {
            for choice in ["a", "bb", "ccc"] { many.append(LogLikelihoodRequest(context: "Question \(document) answer", continuation: " \(choice)")) }
        }
        for choice in 0..<10 { many.append(LogLikelihoodRequest(context: "Count to", continuation: " \(String(repeating: "x", count: choice + 1))")) }
        let reference = try await OpenAICompatibleModel(endpoint: testEndpoint(server.baseURL, concurrency: 1, promptsPerRequest: 1)).logLikelihoods(many)
        #expect(reference.contains { $0.isGreedy } && reference.contains { !$0.isGreedy })
        for (size, concurrency) in [(2, 1), (4, 3), (8, 2), (64, 4)] {
            let before = server.requests.filter { $0.path == "/v1/completions" }.count
            let model = try OpenAICompatibleModel(endpoint: testEndpoint(server.baseURL, concurrency: concurrency, promptsPerRequest: size))
            #expect(try await model.logLikelihoods(many) == reference, "prompts_per_request \(size)")
            let sent = server.requests.filter { $0.path == "/v1/completions" }.dropFirst(before)
            #expect(sent.allSatisfy { ($0.json?["prompt"] as? [String])?.count ?? 1 <= size })
            #expect(sent.map { ($0.json?["prompt"] as? [String])?.count ?? 1 }.reduce(0, +) == many.count)
        }
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

    @Test func emptyContextWithoutBOSFailsWithAClearMessage() async throws {
        // The fake server adds no BOS: the first token of a text has no log-probability.
        for tokenize in [false, true] {
            let server = try LoopbackHTTPServer { _, request in FakeOpenAI.answer(request, options: .init(tokenize: tokenize)) }
            defer { server.stop() }
            let model = try OpenAICompatibleModel(endpoint: testEndpoint(server.baseURL))
            let error = try await #require(throws: ModelError.self) {
                try await model.logLikelihoods([LogLikelihoodRequest(context: "", continuation: "Paris is")])
            }
            #expect(error.message.contains("empty context") && error.message.contains("end-of-text token"), "\(error.message)")
            // With /tokenize the client looked for the end-of-text token in /tokenizer_info, which this server lacks.
            #expect(error.message.contains(tokenize ? "GET http://127.0.0.1" : "has no /tokenize"), "\(error.message)")
        }
    }

    @Test func echoAnswersAreReadWithEscapesUnknownKeysAndNulls() async throws {
        // Written by hand: string escapes (a surrogate pair too), exponents, nulls and keys the client does not use.
        let body = #"""
            {"id":"x","object":"text_completion","created":1,"model":"m","system_fingerprint":null,"extra":{"a":[1,2.5,{"b":true}],"c":false},
             "choices":[{"index":0,"text":"Say \"hi\"\n\u00e9\ud83d\ude00","logprobs":{"tokens":["Say"," \"hi\"","\n\u00e9\ud83d\ude00"],
             "token_logprobs":[null,-1.5e0,-2.5E-1],"top_logprobs":[null,{" \"hi\"":-1.5},{"x":-0.125}],"text_offset":[0,3,8]},
             "finish_reason":"length","stop_reason":null}],"usage":{"prompt_tokens":3,"completion_tokens":0,"total_tokens":3}}
            """#
        let server = try LoopbackHTTPServer { _, request in
            request.path == "/tokenize" ? .respond(status: 404, body: "{}") : .respond(status: 200, body: body)
        }
        defer { server.stop() }
        let model = try OpenAICompatibleModel(endpoint: testEndpoint(server.baseURL))
        let answer = try await model.logLikelihoods([LogLikelihoodRequest(context: "Say", continuation: " \"hi\"\né😀")])
        // Tokens 1 and 2: -1.5 (the likeliest) and -0.25 (not: "x" is likelier).
        expectClose(answer, [LogLikelihoodResponse(logLikelihood: -1.75, isGreedy: false, tokenCount: 2)])
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
        // Each answer waits until two requests have been in flight at once (a client held to one at a
        // time makes every request wait 10 s and the peak stays 1); a client that ignored the bound
        // would reach a peak above 2.
        let server = try LoopbackHTTPServer { _, request in .afterConcurrency(2, .delayed(0.02, FakeOpenAI.answer(request))) }
        defer { server.stop() }
        let model = try OpenAICompatibleModel(endpoint: testEndpoint(server.baseURL, concurrency: 2))
        let prompts = (0..<8).map { GenerationRequest(prompt: .text("word\($0)"), maxTokens: 2) }
        let answers = try await model.generate(prompts)
        #expect(answers.map(\.text) == (0..<8).map { " WORD\($0)\nsecond line" })
        #expect(server.peakConcurrency == 2)
    }

    @Test func concurrencyAboveEightIsHonoured() async throws {
        // AsyncHTTPClient's shared client pools 8 connections per host; an endpoint asking for 12 gets 12.
        let server = try LoopbackHTTPServer { _, request in .afterConcurrency(12, FakeOpenAI.answer(request)) }
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
