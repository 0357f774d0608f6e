import Backends
import EvalCore
import Foundation
import Testing

/// A misbehaving server on 127.0.0.1: every fault is retried as configured, then reported with
/// the endpoint and what went wrong; what was answered stays in the cache.
@Suite struct RemoteFaultTests {
    let prompt = [GenerationRequest(prompt: .text("Say hi"), maxTokens: 4)]

    @Test func connectionRefusedIsRetriedThenNamed() async throws {
        let port = try LoopbackHTTPServer.closedPort()
        let model = try OpenAICompatibleModel(endpoint: testEndpoint("http://127.0.0.1:\(port)/v1", retries: 1, timeout: 0.5))
        let error = try await #require(throws: ModelError.self) { try await model.generate(prompt) }
        #expect(error.message.contains("127.0.0.1:\(port)/v1/completions"))
        #expect(error.message.contains("after 2 attempts"))
    }

    @Test func hungResponseTimesOut() async throws {
        let server = try LoopbackHTTPServer { _, _ in .hang }
        defer { server.stop() }
        let model = try OpenAICompatibleModel(endpoint: testEndpoint(server.baseURL, retries: 1, timeout: 0.3))
        let error = try await #require(throws: ModelError.self) { try await model.generate(prompt) }
        // The client's timeout fired (the server would close the connection only after ~10 s, which
        // reads as a closed connection, not a timeout). No wall-clock bound: a loaded machine may
        // delay the test itself by tens of seconds.
        #expect(error.message.contains("timeout"))
        #expect(server.requests.count == 2)
    }

    @Test func rateLimitHonoursRetryAfter() async throws {
        let server = try LoopbackHTTPServer { number, request in
            number == 0 ? .respond(status: 429, body: #"{"error":"slow down"}"#, headers: ["Retry-After": "1"]) : FakeOpenAI.answer(request)
        }
        defer { server.stop() }
        let model = try OpenAICompatibleModel(endpoint: testEndpoint(server.baseURL, retries: 1))
        let start = Date()
        let answers = try await model.generate(prompt)
        #expect(answers.first?.text == " HI\nsecond line")
        // Backoff alone would wait ~10 ms; Retry-After asked for 1 s.
        #expect(Date().timeIntervalSince(start) >= 0.95)
        #expect(server.requests.count == 2)
    }

    @Test func serverErrorThenSuccess() async throws {
        let server = try LoopbackHTTPServer { number, request in
            number < 2 ? .respond(status: 500, body: "internal error") : FakeOpenAI.answer(request)
        }
        defer { server.stop() }
        let model = try OpenAICompatibleModel(endpoint: testEndpoint(server.baseURL, retries: 2))
        #expect(try await model.generate(prompt).first?.text == " HI\nsecond line")
        #expect(server.requests.count == 3)
    }

    @Test func persistentServerErrorQuotesStatusAndBody() async throws {
        let server = try LoopbackHTTPServer { _, _ in .respond(status: 503, body: #"{"error":"overloaded"}"#) }
        defer { server.stop() }
        let model = try OpenAICompatibleModel(endpoint: testEndpoint(server.baseURL, retries: 2))
        let error = try await #require(throws: ModelError.self) { try await model.generate(prompt) }
        #expect(error.message.contains("HTTP 503") && error.message.contains("overloaded") && error.message.contains("after 3 attempts"))
        #expect(server.requests.count == 3)
    }

    @Test func malformedJSONIsRetriedThenReported() async throws {
        let server = try LoopbackHTTPServer { _, _ in .respond(status: 200, body: #"{"choices": [ {"text": "#) }
        defer { server.stop() }
        let model = try OpenAICompatibleModel(endpoint: testEndpoint(server.baseURL, retries: 1))
        let error = try await #require(throws: ModelError.self) { try await model.generate(prompt) }
        #expect(error.message.contains("not the expected JSON"))
        #expect(server.requests.count == 2)
    }

    @Test func truncatedBodyIsRetried() async throws {
        let server = try LoopbackHTTPServer { number, request in
            number == 0 ? .truncated(body: #"{"choices": [{"te"#, declaredLength: 400) : FakeOpenAI.answer(request)
        }
        defer { server.stop() }
        let model = try OpenAICompatibleModel(endpoint: testEndpoint(server.baseURL, retries: 1))
        #expect(try await model.generate(prompt).first?.text == " HI\nsecond line")
        #expect(server.requests.count == 2)
    }

    @Test func clientErrorIsNotRetriedAndHidesTheKey() async throws {
        let server = try LoopbackHTTPServer { _, request in
            .respond(status: 401, body: #"{"error":"Incorrect API key provided: \#(request.headers["authorization"] ?? "")"}"#)
        }
        defer { server.stop() }
        let model = try OpenAICompatibleModel(endpoint: testEndpoint(server.baseURL, keyVariable: "FAKE_KEY"),
                                              environment: ["FAKE_KEY": "sk-very-secret"])
        let error = try await #require(throws: ModelError.self) { try await model.generate(prompt) }
        #expect(server.requests.count == 1)
        #expect(server.requests.first?.headers["authorization"] == "Bearer sk-very-secret")
        #expect(error.message.contains("HTTP 401"))
        #expect(!error.message.contains("sk-very-secret"))
        #expect(error.message.contains("***"))
    }

    @Test func answersSurviveAnOutageAndResumeIdentically() async throws {
        let healthy = LockedFlag()
        // Requests for "b" fail while the server is unhealthy; the others succeed.
        let server = try LoopbackHTTPServer { _, request in
            let text = request.json?["prompt"] as? String ?? ""
            if !healthy.value && text.hasSuffix(" b") { return .respond(status: 502, body: "bad gateway") }
            return FakeOpenAI.answer(request)
        }
        defer { server.stop() }
        let requests = ["a", "b", "c", "d"].map { LogLikelihoodRequest(context: "letter", continuation: " \($0)") }
        let folder = try temporaryFolder("outage")
        let file = folder.appendingPathComponent("responses.sqlite")
        // One prompt per request, so "a" is answered on its own before "b" fails.
        let endpoint = testEndpoint(server.baseURL, retries: 1, concurrency: 1, promptsPerRequest: 1)

        let first = CachedLanguageModel(wrapping: try OpenAICompatibleModel(endpoint: endpoint), cache: try ResponseCache(url: file))
        let error = try await #require(throws: ModelError.self) { try await first.logLikelihoods(requests) }
        #expect(error.message.contains("HTTP 502"))
        // "a" was answered before "b" failed, and is committed.
        #expect(try ResponseCache(url: file).count() == 1)

        healthy.set()
        let before = server.requests.count
        let resumed = CachedLanguageModel(wrapping: try OpenAICompatibleModel(endpoint: endpoint), cache: try ResponseCache(url: file))
        let answers = try await resumed.logLikelihoods(requests)
        #expect(resumed.statistics.hits == 1 && resumed.statistics.misses == 3)
        #expect(!server.requests[before...].contains { ($0.json?["prompt"] as? String) == "letter a" })

        // Identical to an uncached run against the healthy server.
        let reference = try await OpenAICompatibleModel(endpoint: endpoint).logLikelihoods(requests)
        #expect(answers == reference)
        // Each single-letter continuation is one 2-code-point token: -0.7, greedy.
        #expect(answers.allSatisfy { abs($0.logLikelihood + 0.7) < 1e-9 && $0.isGreedy })
    }
}

/// Prompt lists and the response cache: one entry per prompt, under the keys single prompts use.
@Suite struct PromptListCacheTests {
    /// Four documents of two choices each.
    let requests = (0..<4).flatMap { document in
        ["yes", "no"].map { LogLikelihoodRequest(context: "Doc \(document) says", continuation: " \($0)") }
    }

    @Test func eachPromptOfAListIsItsOwnEntryUnderTheSingleKey() async throws {
        let server = try LoopbackHTTPServer { _, request in FakeOpenAI.answer(request) }
        defer { server.stop() }
        let file = try temporaryFolder("lists").appendingPathComponent("responses.sqlite")
        let single = CachedLanguageModel(wrapping: try OpenAICompatibleModel(endpoint: testEndpoint(server.baseURL, promptsPerRequest: 1)),
                                         cache: try ResponseCache(url: file))
        let answers = try await single.logLikelihoods(requests)
        #expect(try ResponseCache(url: file).count() == requests.count)
        let completions = { server.requests.filter { $0.path == "/v1/completions" }.count }
        let sent = completions()
        // A client sending lists finds every answer under the same keys: nothing is sent.
        let listing = CachedLanguageModel(wrapping: try OpenAICompatibleModel(endpoint: testEndpoint(server.baseURL, promptsPerRequest: 8)),
                                          cache: try ResponseCache(url: file))
        #expect(try await listing.logLikelihoods(requests) == answers)
        #expect(listing.statistics.hits == requests.count && completions() == sent)

        // And the other way round: answers of lists are stored one per prompt.
        let other = try temporaryFolder("lists-other").appendingPathComponent("responses.sqlite")
        let listFirst = CachedLanguageModel(wrapping: try OpenAICompatibleModel(endpoint: testEndpoint(server.baseURL, promptsPerRequest: 8)),
                                            cache: try ResponseCache(url: other))
        #expect(try await listFirst.logLikelihoods(requests) == answers)
        #expect(try ResponseCache(url: other).count() == requests.count)
        #expect(completions() == sent + 1)
    }

    @Test func listsAnsweredBeforeAFailureStayCached() async throws {
        let server = try LoopbackHTTPServer { _, request in
            let prompts = request.json.map { FakeOpenAI.prompts($0) } ?? []
            if prompts.contains(where: { $0.hasPrefix("Doc 2") }) { return .respond(status: 502, body: "bad gateway") }
            return FakeOpenAI.answer(request)
        }
        defer { server.stop() }
        let file = try temporaryFolder("lists-outage").appendingPathComponent("responses.sqlite")
        let model = CachedLanguageModel(wrapping: try OpenAICompatibleModel(endpoint: testEndpoint(server.baseURL, retries: 0, concurrency: 1, promptsPerRequest: 2)),
                                        cache: try ResponseCache(url: file))
        let error = try await #require(throws: ModelError.self) { try await model.logLikelihoods(requests) }
        #expect(error.message.contains("HTTP 502"))
        // Documents 0 and 1 (one list each) were answered and committed; document 3 was never sent.
        #expect(try ResponseCache(url: file).count() == 4)
        #expect(!server.requests.contains { (request: RecordedRequest) in (request.json.map { FakeOpenAI.prompts($0) } ?? []).contains { $0.hasPrefix("Doc 3") } })
    }
}

final class LockedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    var value: Bool { lock.withLock { flag } }
    func set() { lock.withLock { flag = true } }
}
