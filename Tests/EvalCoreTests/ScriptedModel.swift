import EvalCore
import Foundation

/// Test double of a model (tests only): log-likelihoods are a fixed function of the request's
/// text, so any batch size or order gives the same numbers; generation answers "What is A + B?"
/// with "The answer is A+B." and anything else with "I don't know".
struct ScriptedModel: LanguageModel {
    var identity = ModelIdentity(name: "scripted", backend: "test-double", contentHash: "0")
    var capabilities = ModelCapabilities(contextLength: 2048, canScoreLogLikelihoods: true, canGenerate: true, supportsChat: false)
    /// Continuations containing this text get a high log-likelihood (so a test controls the pick).
    var preferred: String? = nil
    let calls = CallLog()

    final class CallLog: @unchecked Sendable {
        private let lock = NSLock()
        private var _batches: [Int] = []
        func record(_ n: Int) { lock.lock(); _batches.append(n); lock.unlock() }
        var batches: [Int] { lock.lock(); defer { lock.unlock() }; return _batches }
    }

    static func stableValue(_ text: String) -> Double {
        // FNV-1a over UTF-8, mapped to [-10, 0).
        var hash: UInt64 = 0xcbf29ce484222325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100000001b3 }
        return -Double(hash % 10_000) / 1000
    }

    func logLikelihoods(_ requests: [LogLikelihoodRequest]) async throws -> [LogLikelihoodResponse] {
        calls.record(requests.count)
        return requests.map { request in
            var value = Self.stableValue(request.context + "\u{0}" + request.continuation)
            if let preferred, request.continuation.contains(preferred) { value = -0.001 }
            return LogLikelihoodResponse(logLikelihood: value, isGreedy: value > -0.01,
                                         tokenCount: max(1, request.continuation.split(separator: " ").count))
        }
    }

    func rollingLogLikelihoods(_ requests: [RollingLogLikelihoodRequest]) async throws -> [RollingLogLikelihoodResponse] {
        calls.record(requests.count)
        return requests.map { request in
            // 0.5 nats per byte.
            RollingLogLikelihoodResponse(logLikelihood: -0.5 * Double(request.text.utf8.count),
                                         tokenCount: request.text.utf8.count, windowCount: 1)
        }
    }

    func generate(_ requests: [GenerationRequest]) async throws -> [GenerationResponse] {
        calls.record(requests.count)
        return requests.map { request in
            guard case .text(let prompt) = request.prompt else { return GenerationResponse(text: "", tokenCount: 0, finishReason: "stop") }
            // Answers the last question in the prompt.
            let pattern = try! NSRegularExpression(pattern: #"What is (\d+) \+ (\d+)\?"#)
            let matches = pattern.matches(in: prompt, range: NSRange(prompt.startIndex..., in: prompt))
            guard let match = matches.last,
                  let a = Int(prompt[Range(match.range(at: 1), in: prompt)!]),
                  let b = Int(prompt[Range(match.range(at: 2), in: prompt)!]) else {
                return GenerationResponse(text: " I don't know", tokenCount: 3, finishReason: "stop")
            }
            // Samples after the first answer one more, so pass@k and maj@k have something to count.
            let answer = request.seed % 3 == 2 ? a + b + 1 : a + b
            return GenerationResponse(text: " The answer is \(answer).\nQuestion: next", tokenCount: 6, finishReason: "length")
        }
    }
}

enum Fixtures {
    static let root = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    /// Error text with the fixtures folder removed, for golden comparisons.
    static func normalized(_ text: String) -> String {
        text.replacingOccurrences(of: root.path + "/", with: "")
    }
}
