import Backends
import Engine
import EvalCore
import Foundation
import Server
import Testing

/// Errors, authentication, the tokenizer routes and a model without token-level access.
@Suite struct ProtocolEndpointTests {
    @Test func badRequestsNameTheFieldThatIsWrong() async throws {
        let server = try await RunningServer(model: try TinyCheckpoint.load())
        let url = server.baseURL + "/v1/completions"
        let cases: [([String: Any], Int, String?)] = [
            (["model": "tiny"], 400, "prompt"),
            (["model": "tiny", "prompt": "x", "temperature": "hot"], 400, "temperature"),
            (["model": "tiny", "prompt": "x", "temperature": 3], 400, "temperature"),
            (["model": "tiny", "prompt": "x", "logprobs": 50], 400, "logprobs"),
            (["model": "tiny", "prompt": "x", "max_tokens": -1], 400, "max_tokens"),
            (["model": "tiny", "prompt": "x", "n": 0], 400, "n"),
            (["model": "tiny", "prompt": "x", "stop": [1]], 400, "stop[0]"),
            (["model": "tiny", "prompt": [[1, 2], [3, 99999]]], 400, "prompt[1][1]"),
            (["model": "tiny", "prompt": ["a", 5]], 400, "prompt[1]"),
            (["model": "tiny", "prompt": String(repeating: "fox ", count: 80), "echo": true, "max_tokens": 0], 400, "prompt"),
            (["model": "gpt-4", "prompt": "x"], 404, "model"),
        ]
        for (body, status, param) in cases {
            let answer = try await send("POST", url, json: body)
            #expect(answer.status == status, "\(body): \(answer.text)")
            #expect(answer.errorParam == param, "\(body): \(answer.text)")
            #expect(answer.errorMessage?.isEmpty == false)
        }
        let chat = try await send("POST", server.baseURL + "/v1/chat/completions", json: ["model": "tiny", "messages": [["content": "hi"]]])
        #expect(chat.status == 400 && chat.errorParam == "messages[0].role")
        let malformed = try await send("POST", url, rawBody: "{\"prompt\": ")
        #expect(malformed.status == 400 && malformed.errorMessage?.contains("not valid JSON") == true)
        let unknown = try await send("GET", server.baseURL + "/v2/everything")
        #expect(unknown.status == 404 && (unknown.json?["error"] as? [String: Any])?["type"] as? String == "not_found_error")
        await server.stop()
    }

    @Test func anAPIKeyIsRequiredEverywhereButHealth() async throws {
        let server = try await RunningServer(model: try TinyCheckpoint.load(), apiKey: "s3cret")
        #expect(try await send("GET", server.baseURL + "/v1/models").status == 401)
        #expect(try await send("GET", server.baseURL + "/v1/models", headers: ["Authorization": "Bearer wrong"]).status == 401)
        #expect(try await send("POST", server.baseURL + "/tokenize", json: ["prompt": "x"]).status == 401)
        let models = try await send("GET", server.baseURL + "/v1/models", headers: ["Authorization": "Bearer s3cret"])
        #expect(models.status == 200)
        let entry = try #require((models.json?["data"] as? [[String: Any]])?.first)
        #expect(entry["id"] as? String == "tiny" && entry["max_model_len"] as? Int == 64)
        #expect(try await send("GET", server.baseURL + "/health").status == 200)
        await server.stop()
    }

    @Test func tokenizeDetokenizeAndTokenizerInfo() async throws {
        let local = try TinyCheckpoint.load()
        let server = try await RunningServer(model: try TinyCheckpoint.load())
        let text = "Roses are red, violets are blue."
        let tokenized = try await send("POST", server.baseURL + "/tokenize", json: ["prompt": text, "add_special_tokens": false])
        let ids = try #require(tokenized.json?["tokens"] as? [Int])
        #expect(ids == local.modelTokenizer.encode(text))
        #expect(tokenized.json?["count"] as? Int == ids.count && tokenized.json?["max_model_len"] as? Int == 64)
        let detokenized = try await send("POST", server.baseURL + "/detokenize", json: ["tokens": ids])
        #expect(detokenized.json?["prompt"] as? String == text)
        let bad = try await send("POST", server.baseURL + "/detokenize", json: ["tokens": [1, -3]])
        #expect(bad.status == 400 && bad.errorParam == "tokens[1]")
        let info = try await send("GET", server.baseURL + "/tokenizer_info")
        #expect(info.json?["eos_token"] as? String == "<|endoftext|>")
        // lm-evaluation-harness finds the end-of-text id by tokenizing its text without special tokens.
        let eos = try await send("POST", server.baseURL + "/tokenize", json: ["prompt": "<|endoftext|>", "add_special_tokens": false])
        #expect(eos.json?["tokens"] as? [Int] == [local.modelTokenizer.endOfTextTokenID ?? -1])
        await server.stop()
    }

    @Test func aModelWithoutTokenAccessServesTextGenerationOnly() async throws {
        let server = try await RunningServer(model: EchoingModel(), name: "echoing")
        let url = server.baseURL + "/v1/completions"
        let answer = try await send("POST", url, json: ["model": "echoing", "prompt": ["abc", "hello"], "max_tokens": 3])
        let texts = (answer.json?["choices"] as? [[String: Any]])?.compactMap { $0["text"] as? String }
        #expect(texts == ["cba", "oll"])
        let echo = try await send("POST", url, json: ["prompt": "abc", "echo": true])
        #expect(echo.status == 400 && echo.errorParam == "echo")
        let ids = try await send("POST", url, json: ["prompt": [1, 2, 3]])
        #expect(ids.status == 400 && ids.errorParam == "prompt[0]")
        let chat = try await send("POST", server.baseURL + "/v1/chat/completions",
                                  json: ["messages": [["role": "user", "content": "hi"]], "max_tokens": 100, "stream": true])
        let (objects, done) = events(chat)
        #expect(done)
        let content = objects.compactMap { (($0["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any])?["content"] as? String }.joined()
        // The plain template rendered, reversed by the test double, then trimmed of leading space.
        #expect(content == String(String(PlainChatTemplate.render([ChatMessage(role: "user", content: "hi")]).reversed()).drop(while: \.isWhitespace)))
        await server.stop()
    }

    @Test func queuedScoringJobsRunAsOneBatch() async throws {
        let calls = PassSizes()
        let queue = InferenceQueue(maxBatchTokens: 100) { sequences, contextLengths, topCount in
            calls.append(sequences.count)
            return zip(sequences, contextLengths).map { sequence, context in sequence.dropFirst(context ?? 1).map { TokenDistributionEntry(logProbability: -Double($0), top: []) } }
        }
        // Hold the worker so the scoring jobs queue up behind it.
        let gate = DispatchSemaphore(value: 0), started = DispatchSemaphore(value: 0)
        async let held: Void = queue.exclusive {
            started.signal()
            gate.wait()
        }
        while started.wait(timeout: .now()) == .timedOut { try await Task.sleep(nanoseconds: 2_000_000) }
        async let a = queue.distributions([[1, 2, 3]], topCount: 0)
        async let b = queue.distributions([[4, 5], [6, 7, 8]], contextLengths: [nil, 2], topCount: 0)
        async let c = queue.distributions([[9, 10]], topCount: 0)
        while queue.pendingCount < 3 { try await Task.sleep(nanoseconds: 5_000_000) }
        gate.signal()
        _ = try await held
        let (first, second, third) = try await (a, b, c)
        #expect(first.map { $0.map(\.logProbability) } == [[-2, -3]])
        #expect(second.map { $0.map(\.logProbability) } == [[-5], [-8]])
        #expect(third.map { $0.map(\.logProbability) } == [[-10]])
        #expect(calls.values == [4])
        #expect(queue.statistics.scoringPasses == 1 && queue.statistics.largestPassJobs == 3)
        queue.shutdown()
    }
}

/// Sequences per scoring pass, as the queue's worker reports them.
final class PassSizes: @unchecked Sendable {
    private let lock = NSLock()
    private var sizes: [Int] = []
    func append(_ size: Int) { lock.withLock { sizes.append(size) } }
    var values: [Int] { lock.withLock { sizes } }
}

/// A test double without token-level access: answers each prompt reversed, cut to max tokens characters.
struct EchoingModel: LanguageModel {
    var identity: ModelIdentity { ModelIdentity(name: "echoing", backend: "test-double", contentHash: "0") }
    var capabilities: ModelCapabilities { ModelCapabilities(contextLength: 128, canScoreLogLikelihoods: false, canGenerate: true, supportsChat: false) }
    func logLikelihoods(_ requests: [LogLikelihoodRequest]) async throws -> [LogLikelihoodResponse] { throw ModelError("not supported") }
    func rollingLogLikelihoods(_ requests: [RollingLogLikelihoodRequest]) async throws -> [RollingLogLikelihoodResponse] { throw ModelError("not supported") }
    func generate(_ requests: [GenerationRequest]) async throws -> [GenerationResponse] {
        requests.map { request in
            guard case .text(let text) = request.prompt else { return GenerationResponse(text: "", tokenCount: 0, finishReason: "stop") }
            let reversed = String(text.reversed().prefix(request.maxTokens))
            return GenerationResponse(text: reversed, tokenCount: reversed.count, finishReason: "length")
        }
    }
}
