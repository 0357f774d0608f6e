import Backends
import Engine
import EvalCore
import Foundation
import Server
import Testing

/// `/v1/completions` and `/v1/chat/completions` over the tiny checkpoint, as raw HTTP.
@Suite struct CompletionEndpointTests {
    @Test func echoWithLogprobsGivesEveryPromptTokensLogProbability() async throws {
        let local = try TinyCheckpoint.load()
        let server = try await RunningServer(model: try TinyCheckpoint.load())
        let prompt = "The quick brown fox jumps"
        let answer = try await send("POST", server.baseURL + "/v1/completions",
                                    json: ["model": "tiny", "prompt": prompt, "echo": true, "logprobs": 3, "max_tokens": 0])
        #expect(answer.status == 200, "\(answer.text)")
        let choice = try #require((answer.json?["choices"] as? [[String: Any]])?.first)
        #expect(choice["text"] as? String == prompt)
        let logprobs = try #require(choice["logprobs"] as? [String: Any])
        let tokens = try #require(logprobs["tokens"] as? [String])
        let values = try #require(logprobs["token_logprobs"] as? [Any])
        let top = try #require(logprobs["top_logprobs"] as? [Any])
        let offsets = try #require(logprobs["text_offset"] as? [Int])
        let ids = local.modelTokenizer.encode(prompt)
        #expect(tokens.count == ids.count && values.count == ids.count && top.count == ids.count && offsets.count == ids.count)
        #expect(tokens.joined() == prompt)
        #expect(values.first is NSNull && top.first is NSNull)
        #expect(offsets == tokens.indices.map { tokens[..<$0].joined().unicodeScalars.count })
        // The same numbers as the engine's own per-token log-probabilities.
        let reference = try local.causalModel.tokenLogProbabilities(tokens: ids, scoredFrom: 0)
        for position in 1..<ids.count {
            let value = try #require(values[position] as? Double)
            #expect(abs(value - reference[position - 1]) < 1e-4)
            let alternatives = try #require(top[position] as? [String: Double])
            // Three alternatives, plus the actual token when it is not among them.
            #expect(alternatives.count == 3 || alternatives.count == 4)
            #expect(alternatives[tokens[position]] == value)
            #expect(alternatives.values.allSatisfy { $0 <= 0 })
        }
        await server.stop()
    }

    @Test func promptListForScoringIsOneEnginePassWithEachPromptsOwnAnswer() async throws {
        let server = try await RunningServer(model: try TinyCheckpoint.load())
        let prompts = ["The quick brown fox jumps", "The quick brown fox sleeps", "Roses are red", ""]
        func echo(_ prompt: Any) async throws -> [[String: Any]] {
            let answer = try await send("POST", server.baseURL + "/v1/completions",
                                        json: ["model": "tiny", "prompt": prompt, "echo": true, "logprobs": 1, "max_tokens": 0])
            #expect(answer.status == 200, "\(answer.text)")
            return try #require(answer.json?["choices"] as? [[String: Any]])
        }
        let listed = try await echo(prompts)
        let statistics = server.served.queueStatistics
        #expect(statistics.scoringPasses == 1 && statistics.scoredSequences == prompts.count)
        #expect(listed.map { $0["index"] as? Int } == [0, 1, 2, 3])
        #expect(listed.map { $0["text"] as? String } == prompts)
        for (prompt, choice) in zip(prompts, listed) {
            let alone = try #require(try await echo(prompt).first)
            let values = (choice["logprobs"] as? [String: Any])?["token_logprobs"] as? [Any]
            let aloneValues = (alone["logprobs"] as? [String: Any])?["token_logprobs"] as? [Any]
            #expect(values?.count == aloneValues?.count && (values?.count ?? 0) >= 1, "\(prompt)")
            // The two fox prompts share a prefix, which runs once; the same numbers within float rounding.
            let numbers = values?.map { $0 as? Double }, aloneNumbers = aloneValues?.map { $0 as? Double }
            #expect(numbers?.map { $0 == nil } == aloneNumbers?.map { $0 == nil }, "\(prompt)")
            for (a, b) in zip(numbers ?? [], aloneNumbers ?? []) { #expect(abs((a ?? 0) - (b ?? 0)) < 1e-5, "\(prompt): \(String(describing: a)) vs \(String(describing: b))") }
        }
        await server.stop()
    }

    @Test func echoLogprobsFromLeavesTheTokensBeforeItNullAndTheRestUnchanged() async throws {
        let server = try await RunningServer(model: try TinyCheckpoint.load())
        let prompts = ["The quick brown fox jumps", "The quick brown fox sleeps", "Roses are red"]
        func echo(_ extra: [String: Any]) async throws -> (status: Int, choices: [[String: Any]], text: String) {
            let answer = try await send("POST", server.baseURL + "/v1/completions",
                                        json: ["model": "tiny", "prompt": prompts, "echo": true, "logprobs": 2, "max_tokens": 0].merging(extra) { $1 })
            return (answer.status, answer.json?["choices"] as? [[String: Any]] ?? [], answer.text)
        }
        func column(_ choice: [String: Any], _ key: String) -> [Any] { (choice["logprobs"] as? [String: Any])?[key] as? [Any] ?? [] }
        let models = try await send("GET", server.baseURL + "/v1/models")
        #expect((models.json?["data"] as? [[String: Any]])?.first?["echo_logprobs_from"] as? Bool == true)
        let full = try await echo([:])
        // 3 for the first prompt, past the end for the second (capped at its last token), 0 for the third.
        let from = [3, 99, 0]
        let partial = try await echo(["echo_logprobs_from": from])
        #expect(partial.status == 200, "\(partial.text)")
        for (index, (a, b)) in zip(full.choices, partial.choices).enumerated() {
            #expect(a["text"] as? String == b["text"] as? String)
            #expect(column(a, "tokens") as? [String] == column(b, "tokens") as? [String])
            #expect(column(a, "text_offset") as? [Int] == column(b, "text_offset") as? [Int])
            let count = column(a, "tokens").count
            let first = max(1, min(from[index], count - 1))
            for position in 0..<count {
                let value = column(b, "token_logprobs")[position] as? Double, top = column(b, "top_logprobs")[position] as? [String: Double]
                if position < first {
                    #expect(value == nil && top == nil, "prompt \(index) token \(position) is before \(first)")
                } else {
                    // The same numbers as the full echo (the rows are the same; only fewer are projected).
                    let fullValue = try #require(column(a, "token_logprobs")[position] as? Double)
                    #expect(abs((value ?? 0) - fullValue) < 1e-5, "prompt \(index) token \(position)")
                    #expect(top?.keys.sorted() == (column(a, "top_logprobs")[position] as? [String: Double])?.keys.sorted())
                }
            }
        }
        // Refused with the field named: a wrong count, a negative index, a request that generates.
        for (extra, message) in [(["echo_logprobs_from": [1, 2]], "2 values for 3 prompts"),
                                 (["echo_logprobs_from": [1, -2, 0]], "echo_logprobs_from[1]"),
                                 (["echo_logprobs_from": 2, "max_tokens": 1], "only to scoring requests")] as [([String: Any], String)] {
            let refused = try await echo(extra)
            #expect(refused.status == 400 && refused.text.contains(message), "\(refused.text)")
        }
        await server.stop()
    }

    @Test func echoedTextWithQuotesControlCharactersAndUnicodeSurvivesTheJSON() async throws {
        let server = try await RunningServer(model: try TinyCheckpoint.load())
        let prompt = "He said \"hi\" \\ /path\n\ttab \u{01}\u{1f} café 🙂"
        let answer = try await send("POST", server.baseURL + "/v1/completions",
                                    json: ["model": "tiny", "prompt": [prompt, "plain"], "echo": true, "logprobs": 2, "max_tokens": 0])
        #expect(answer.status == 200, "\(answer.text)")
        let choices = try #require(answer.json?["choices"] as? [[String: Any]])
        #expect(choices.map { $0["text"] as? String } == [prompt, "plain"])
        let logprobs = try #require(choices.first?["logprobs"] as? [String: Any])
        let values = try #require(logprobs["token_logprobs"] as? [Any])
        #expect(values.dropFirst().allSatisfy { ($0 as? Double).map { $0 <= 0 } ?? false })
        #expect((logprobs["top_logprobs"] as? [Any])?.count == values.count)
        await server.stop()
    }

    @Test func tokenPromptsInABatchAsLmEvaluationHarnessSendsThem() async throws {
        let local = try TinyCheckpoint.load()
        let server = try await RunningServer(model: try TinyCheckpoint.load())
        let first = local.modelTokenizer.encode("Roses are red, violets")
        let second = local.modelTokenizer.encode("The dog sleeps")
        let answer = try await send("POST", server.baseURL + "/v1/completions", json: [
            "model": "tiny", "prompt": [first, second], "echo": true, "logprobs": 1, "max_tokens": 1, "temperature": 0, "seed": 1234,
        ])
        #expect(answer.status == 200, "\(answer.text)")
        let choices = try #require(answer.json?["choices"] as? [[String: Any]])
        #expect(choices.map { $0["index"] as? Int } == [0, 1])
        for (choice, ids) in zip(choices, [first, second]) {
            let logprobs = try #require(choice["logprobs"] as? [String: Any])
            let values = try #require(logprobs["token_logprobs"] as? [Any])
            let top = try #require(logprobs["top_logprobs"] as? [Any])
            // The prompt's tokens, then the one generated token, which greedy decoding makes the likeliest.
            #expect(values.count == ids.count + 1)
            let last = try #require(values.last as? Double)
            let lastTop = try #require(top.last as? [String: Double])
            #expect(last == lastTop.values.max())
        }
        let usage = try #require(answer.json?["usage"] as? [String: Int])
        #expect(usage["prompt_tokens"] == first.count + second.count && usage["completion_tokens"] == 2)
        // The one token comes from the scoring pass; generating it gives the same token.
        let generated = try await send("POST", server.baseURL + "/v1/completions", json: [
            "model": "tiny", "prompt": [first, second], "max_tokens": 1, "temperature": 0,
        ])
        let texts = (generated.json?["choices"] as? [[String: Any]])?.compactMap { $0["text"] as? String }
        let echoedTexts = choices.compactMap { ($0["logprobs"] as? [String: Any])?["tokens"] as? [String] }.compactMap(\.last)
        #expect(texts == echoedTexts && texts?.count == 2)
        await server.stop()
    }

    @Test func seededSamplingIsReproducibleAndChoicesDiffer() async throws {
        let server = try await RunningServer(model: try TinyCheckpoint.load())
        let body: [String: Any] = ["model": "tiny", "prompt": "The", "max_tokens": 12, "temperature": 1.0, "n": 3, "seed": 5]
        let once = try await send("POST", server.baseURL + "/v1/completions", json: body)
        let again = try await send("POST", server.baseURL + "/v1/completions", json: body)
        let texts = (once.json?["choices"] as? [[String: Any]])?.compactMap { $0["text"] as? String } ?? []
        #expect(texts.count == 3)
        #expect(texts == (again.json?["choices"] as? [[String: Any]])?.compactMap { $0["text"] as? String })
        #expect(Set(texts).count > 1)
        await server.stop()
    }

    @Test func streamedCompletionEqualsTheWholeOne() async throws {
        let server = try await RunningServer(model: try TinyCheckpoint.load())
        let body: [String: Any] = ["model": "tiny", "prompt": "Roses are", "max_tokens": 16, "temperature": 0, "stop": ["."]]
        let whole = try await send("POST", server.baseURL + "/v1/completions", json: body)
        var streamedBody = body
        streamedBody["stream"] = true
        streamedBody["stream_options"] = ["include_usage": true]
        let streamed = try await send("POST", server.baseURL + "/v1/completions", json: streamedBody)
        #expect(streamed.contentType?.hasPrefix("text/event-stream") == true)
        let (objects, done) = events(streamed)
        #expect(done)
        let choices = objects.compactMap { ($0["choices"] as? [[String: Any]])?.first }
        let text = choices.compactMap { $0["text"] as? String }.joined()
        let wholeChoice = try #require((whole.json?["choices"] as? [[String: Any]])?.first)
        #expect(text == wholeChoice["text"] as? String)
        #expect(choices.last?["finish_reason"] as? String == wholeChoice["finish_reason"] as? String)
        #expect(choices.dropLast().allSatisfy { $0["finish_reason"] is NSNull })
        #expect((objects.last?["usage"] as? [String: Int])?["completion_tokens"] != nil)
        await server.stop()
    }

    @Test func chatUsesThePlainTemplateAndStreamsTheSameReply() async throws {
        let server = try await RunningServer(model: try TinyCheckpoint.load())
        let messages = [["role": "system", "content": "Be brief."], ["role": "user", "content": "Roses are red,"]]
        let chat = try await send("POST", server.baseURL + "/v1/chat/completions",
                                  json: ["model": "tiny", "messages": messages, "max_tokens": 12, "temperature": 0])
        #expect(chat.status == 200, "\(chat.text)")
        let message = try #require(((chat.json?["choices"] as? [[String: Any]])?.first)?["message"] as? [String: Any])
        #expect(message["role"] as? String == "assistant")
        let content = try #require(message["content"] as? String)
        // The same as a completion of the rendered template with its stop sequences, less leading space.
        let rendered = "System: Be brief.\n\nUser: Roses are red,\n\nAssistant:"
        let completion = try await send("POST", server.baseURL + "/v1/completions", json: [
            "model": "tiny", "prompt": rendered, "max_tokens": 12, "temperature": 0, "stop": ["\nUser:", "\nSystem:"],
        ])
        let text = try #require(((completion.json?["choices"] as? [[String: Any]])?.first)?["text"] as? String)
        #expect(content == String(text.drop(while: \.isWhitespace)))

        let streamed = try await send("POST", server.baseURL + "/v1/chat/completions",
                                      json: ["model": "tiny", "messages": messages, "max_tokens": 12, "temperature": 0, "stream": true])
        let (objects, done) = events(streamed)
        #expect(done)
        #expect(objects.allSatisfy { $0["object"] as? String == "chat.completion.chunk" })
        let deltas = objects.compactMap { (($0["choices"] as? [[String: Any]])?.first)?["delta"] as? [String: Any] }
        #expect(deltas.first?["role"] as? String == "assistant")
        #expect(deltas.compactMap { $0["content"] as? String }.joined() == content)
        await server.stop()
    }

    @Test func chatLogprobsListTheGeneratedTokens() async throws {
        let server = try await RunningServer(model: try TinyCheckpoint.load())
        let chat = try await send("POST", server.baseURL + "/v1/chat/completions", json: [
            "model": "tiny", "messages": [["role": "user", "content": "The quick brown"]], "max_tokens": 5, "temperature": 0,
            "logprobs": true, "top_logprobs": 2,
        ])
        let choice = try #require((chat.json?["choices"] as? [[String: Any]])?.first)
        let content = try #require((choice["logprobs"] as? [String: Any])?["content"] as? [[String: Any]])
        #expect(!content.isEmpty)
        for entry in content {
            let value = try #require(entry["logprob"] as? Double)
            let top = try #require(entry["top_logprobs"] as? [[String: Any]])
            #expect(top.count == 2)
            // Greedy decoding: each generated token is the likeliest.
            #expect(value >= (top.first?["logprob"] as? Double ?? 1) - 1e-5)
        }
        await server.stop()
    }
}
