import Backends
import EvalCore
import Foundation
import Testing

@Suite struct ResponseCacheTests {
    let requests = [
        LogLikelihoodRequest(context: "The capital of France is", continuation: " Paris"),
        LogLikelihoodRequest(context: "2 + 2 =", continuation: " 4"),
        LogLikelihoodRequest(context: "The sky is", continuation: " blue"),
        LogLikelihoodRequest(context: "Water boils at", continuation: " 100 degrees"),
    ]

    @Test func countsHitsAndMissesAndKeepsOrder() async throws {
        let folder = try temporaryFolder("hits")
        let cache = try ResponseCache(url: folder.appendingPathComponent("responses.sqlite"))
        let inner = ScriptedLanguageModel()
        let model = CachedLanguageModel(wrapping: inner, cache: cache)

        // Warm two of the four, then ask all four in a different order.
        _ = try await model.logLikelihoods([requests[2], requests[0]])
        let mixed = [requests[3], requests[0], requests[1], requests[2]]
        let answers = try await model.logLikelihoods(mixed)
        #expect(answers == mixed.map(ScriptedLanguageModel.score))
        #expect(model.statistics.hits == 2)
        #expect(model.statistics.misses == 4)
        #expect(model.statistics.stored == 4)
        // The second call sent only the two misses, in one batch.
        #expect(inner.batchCalls == 2)
        #expect(inner.askedRequests.count == 4)
        #expect(try cache.count() == 4)
    }

    @Test func secondRunRecomputesNothingEvenAfterReopening() async throws {
        let folder = try temporaryFolder("reopen")
        let file = folder.appendingPathComponent("responses.sqlite")
        let generation = GenerationRequest(prompt: .text("hello"), maxTokens: 8, stop: ["\n"], temperature: 0.7, seed: 42)
        let first: [LogLikelihoodResponse]
        do {
            let model = CachedLanguageModel(wrapping: ScriptedLanguageModel(), cache: try ResponseCache(url: file))
            first = try await model.logLikelihoods(requests)
            _ = try await model.generate([generation])
            _ = try await model.rollingLogLikelihoods([RollingLogLikelihoodRequest(text: "abc")])
        }
        let inner = ScriptedLanguageModel()
        let reopened = CachedLanguageModel(wrapping: inner, cache: try ResponseCache(url: file))
        #expect(try await reopened.logLikelihoods(requests) == first)
        let text = try await reopened.generate([generation])
        #expect(text.map(\.text) == ["HELLO#42"])
        let rolling = try await reopened.rollingLogLikelihoods([RollingLogLikelihoodRequest(text: "abc")])
        #expect(rolling.first?.logLikelihood == -3)
        #expect(inner.batchCalls == 0)
        #expect(reopened.statistics.hits == requests.count + 2)
        #expect(reopened.statistics.misses == 0)
    }

    @Test func keysSeparateModelsKindsAndParameters() throws {
        let a = ModelIdentity(name: "a", backend: "openai", contentHash: "hash-a")
        let b = ModelIdentity(name: "a", backend: "openai", contentHash: "hash-b")
        let greedy = GenerationRequest(prompt: .text("x"), maxTokens: 4)
        var warm = greedy
        warm.temperature = 0.5
        var otherSeed = warm
        otherSeed.seed = 1
        let keys = try [
            ResponseCache.key(model: a, kind: .generation, request: greedy),
            ResponseCache.key(model: b, kind: .generation, request: greedy),
            ResponseCache.key(model: a, kind: .generation, request: warm),
            ResponseCache.key(model: a, kind: .generation, request: otherSeed),
            ResponseCache.key(model: a, kind: .rollingLogLikelihood, request: RollingLogLikelihoodRequest(text: "x")),
            ResponseCache.key(model: a, kind: .logLikelihood, request: RollingLogLikelihoodRequest(text: "x")),
        ]
        #expect(Set(keys).count == keys.count)
        // Stable: the same request gives the same key, and it is a sha256 hex digest.
        #expect(try ResponseCache.key(model: a, kind: .generation, request: greedy) == keys[0])
        #expect(keys[0].count == 64)
    }

    @Test func partiallyAnsweredBatchKeepsItsAnswers() async throws {
        let folder = try temporaryFolder("partial")
        let file = folder.appendingPathComponent("responses.sqlite")
        let failing = ScriptedLanguageModel()
        failing.failAfter = 2
        let model = CachedLanguageModel(wrapping: failing, cache: try ResponseCache(url: file))
        await #expect(throws: ModelError.self) { try await model.logLikelihoods(requests) }
        #expect(model.statistics.stored == 2)

        // "The server comes back": only the two unanswered requests are sent, results identical.
        let inner = ScriptedLanguageModel()
        let resumed = CachedLanguageModel(wrapping: inner, cache: try ResponseCache(url: file))
        let answers = try await resumed.logLikelihoods(requests)
        #expect(answers == requests.map(ScriptedLanguageModel.score))
        #expect(inner.askedRequests == requests[2...].map { "ll:\($0.context)|\($0.continuation)" })
        #expect(resumed.statistics.hits == 2)
    }

    @Test func eachAnswerIsCommittedBeforeTheBatchEnds() async throws {
        let folder = try temporaryFolder("commit")
        let file = folder.appendingPathComponent("responses.sqlite")
        let seen = CountLog()
        let inner = ScriptedLanguageModel()
        // Another connection (as another process would) counts the rows after every answer.
        inner.afterAnswer = { _ in seen.append((try? ResponseCache(url: file).count()) ?? -1) }
        let model = CachedLanguageModel(wrapping: inner, cache: try ResponseCache(url: file))
        _ = try await model.logLikelihoods(requests)
        #expect(seen.values == [1, 2, 3, 4])
    }

    @Test func plainModelIsStoredWhenItsBatchReturns() async throws {
        let folder = try temporaryFolder("plain")
        let cache = try ResponseCache(url: folder.appendingPathComponent("responses.sqlite"))
        await #expect(throws: ModelError.self) {
            try await CachedLanguageModel(wrapping: PlainLanguageModel(fail: true), cache: cache).logLikelihoods(requests)
        }
        #expect(try cache.count() == 0)
        let answers = try await CachedLanguageModel(wrapping: PlainLanguageModel(fail: false), cache: cache).logLikelihoods(requests)
        #expect(answers == requests.map(ScriptedLanguageModel.score))
        #expect(try cache.count() == requests.count)
    }

    @Test func sampledGenerationsCanBeLeftUncached() async throws {
        let folder = try temporaryFolder("sampled")
        let cache = try ResponseCache(url: folder.appendingPathComponent("responses.sqlite"))
        let inner = ScriptedLanguageModel()
        let model = CachedLanguageModel(wrapping: inner, cache: cache, cacheSampledGenerations: false)
        let sampled = GenerationRequest(prompt: .text("a"), maxTokens: 4, temperature: 0.8, seed: 3)
        let greedy = GenerationRequest(prompt: .text("b"), maxTokens: 4)
        _ = try await model.generate([sampled, greedy])
        _ = try await model.generate([sampled, greedy])
        #expect(inner.askedRequests.filter { $0.hasPrefix("gen:text(\"a\")") }.count == 2)
        #expect(inner.askedRequests.filter { $0.hasPrefix("gen:text(\"b\")") }.count == 1)
        #expect(model.statistics.uncached == 2)
        #expect(try cache.count() == 1)
    }

    @Test func concurrentCallersShareOneCache() async throws {
        let folder = try temporaryFolder("concurrent")
        let cache = try ResponseCache(url: folder.appendingPathComponent("responses.sqlite"))
        let model = CachedLanguageModel(wrapping: ScriptedLanguageModel(), cache: cache)
        let batches = (0..<8).map { batch in (0..<25).map { LogLikelihoodRequest(context: "c\(batch)-\($0)", continuation: " x") } }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for batch in batches {
                group.addTask {
                    let answers = try await model.logLikelihoods(batch)
                    guard answers == batch.map(ScriptedLanguageModel.score) else { throw ModelError("answers out of order") }
                }
            }
            try await group.waitForAll()
        }
        #expect(try cache.count() == 200)
    }

    @Test func corruptFileIsNamedInTheError() throws {
        let folder = try temporaryFolder("corrupt")
        let file = folder.appendingPathComponent("responses.sqlite")
        try Data(repeating: 0x5a, count: 4096).write(to: file)
        let error = try #require(throws: ResponseCacheError.self) { try ResponseCache(url: file) }
        #expect(error.description.contains(file.path))
        #expect(error.description.contains("corrupt or not an SQLite database"))
    }

    @Test func defaultPathFollowsEnvironment() {
        #expect(ResponseCache.defaultURL(environment: ["EVALKIT_CACHE": "/tmp/ek"]).path == "/tmp/ek/responses.sqlite")
        #expect(ResponseCache.defaultURL(environment: [:]).path.hasSuffix("/.cache/evalkit/responses.sqlite"))
    }
}

final class CountLog: @unchecked Sendable {
    private let lock = NSLock()
    private var log: [Int] = []
    func append(_ value: Int) { lock.withLock { log.append(value) } }
    var values: [Int] { lock.withLock { log } }
}
