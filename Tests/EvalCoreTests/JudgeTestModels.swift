import EvalCore
import Foundation

/// Test double of an answering model (tests only): replies "<name> answer to: <last user turn>",
/// read from the plain-text transcript (no chat support) or the last chat message.
struct EchoAnswerer: LanguageModel {
    let name: String
    var supportsChat = false
    var identity: ModelIdentity { ModelIdentity(name: name, backend: "test-double", contentHash: name) }
    var capabilities: ModelCapabilities {
        ModelCapabilities(contextLength: 4096, canScoreLogLikelihoods: false, canGenerate: true, supportsChat: supportsChat)
    }

    func logLikelihoods(_ requests: [LogLikelihoodRequest]) async throws -> [LogLikelihoodResponse] { throw ModelError("no") }
    func rollingLogLikelihoods(_ requests: [RollingLogLikelihoodRequest]) async throws -> [RollingLogLikelihoodResponse] { throw ModelError("no") }

    func generate(_ requests: [GenerationRequest]) async throws -> [GenerationResponse] {
        requests.map { request in
            let last: String
            switch request.prompt {
            case .chat(let messages): last = messages.last?.content ?? ""
            case .text(let text):
                let turns = text.components(separatedBy: "User: ")
                last = turns.last?.replacingOccurrences(of: "\n\nAssistant:", with: "") ?? ""
            }
            return GenerationResponse(text: " \(name) answer to: \(last)\n", tokenCount: 8, finishReason: "stop")
        }
    }
}

/// Test double of a judge (tests only): `verdict` maps the judge's user message to its reply.
/// Records every prompt it receives.
final class ScriptedJudge: LanguageModel, @unchecked Sendable {
    let supportsChat: Bool
    let verdict: @Sendable (String) -> String
    private let lock = NSLock()
    private var _prompts: [GenerationPrompt] = []
    var prompts: [GenerationPrompt] { lock.withLock { _prompts } }

    init(supportsChat: Bool, verdict: @escaping @Sendable (String) -> String) {
        self.supportsChat = supportsChat
        self.verdict = verdict
    }

    var identity: ModelIdentity { ModelIdentity(name: "scripted-judge", backend: "test-double", contentHash: "judge") }
    var capabilities: ModelCapabilities {
        ModelCapabilities(contextLength: 4096, canScoreLogLikelihoods: false, canGenerate: true, supportsChat: supportsChat)
    }

    func logLikelihoods(_ requests: [LogLikelihoodRequest]) async throws -> [LogLikelihoodResponse] { throw ModelError("no") }
    func rollingLogLikelihoods(_ requests: [RollingLogLikelihoodRequest]) async throws -> [RollingLogLikelihoodResponse] { throw ModelError("no") }

    func generate(_ requests: [GenerationRequest]) async throws -> [GenerationResponse] {
        lock.withLock { _prompts += requests.map(\.prompt) }
        return requests.map { request in
            let user: String
            switch request.prompt {
            case .chat(let messages): user = messages.last?.content ?? ""
            case .text(let text): user = text
            }
            return GenerationResponse(text: verdict(user), tokenCount: 10, finishReason: "stop")
        }
    }

    /// The text between two markers of a judge prompt (the default templates' headings).
    static func section(_ text: String, from start: String, to end: String) -> String {
        guard let lower = text.range(of: start)?.upperBound else { return "" }
        let rest = text[lower...]
        let upper = rest.range(of: end)?.lowerBound ?? rest.endIndex
        return String(rest[..<upper])
    }
}
