import Backends
import EvalCore
import Foundation

/// Test double: answers are pure functions of the request (so a recomputation would give the
/// same values), every request it is asked is recorded, and it can fail after a set number of
/// answers to stand for an endpoint that dies mid-batch.
final class ScriptedLanguageModel: IncrementalLanguageModel, @unchecked Sendable {
    let identity: ModelIdentity
    let capabilities = ModelCapabilities(contextLength: 1024, canScoreLogLikelihoods: true, canGenerate: true, supportsChat: false)
    private let lock = NSLock()
    private var asked: [String] = []
    private var calls = 0
    /// When set, the call fails after this many answers (reported through `onAnswer`).
    var failAfter: Int?
    /// Called after each answer has been reported (with the number reported so far).
    var afterAnswer: (@Sendable (Int) -> Void)?

    init(hash: String = "scripted-v1") {
        identity = ModelIdentity(name: "scripted", backend: "test-double", contentHash: hash)
    }

    var askedRequests: [String] { lock.withLock { asked } }
    var batchCalls: Int { lock.withLock { calls } }

    static func score(_ request: LogLikelihoodRequest) -> LogLikelihoodResponse {
        LogLikelihoodResponse(logLikelihood: -Double(request.context.count + 2 * request.continuation.count) / 10,
                              isGreedy: request.continuation.count < 3, tokenCount: request.continuation.count)
    }

    private func run<Request, Response>(_ requests: [Request], describe: (Request) -> String, answer: (Request) -> Response,
                                        onAnswer: (Int, Response) -> Void) throws -> [Response] {
        lock.withLock { calls += 1 }
        var out: [Response] = []
        for (index, request) in requests.enumerated() {
            if let limit = failAfter, index >= limit { throw ModelError("scripted failure after \(limit) answers") }
            lock.withLock { asked.append(describe(request)) }
            let response = answer(request)
            onAnswer(index, response)
            out.append(response)
            afterAnswer?(out.count)
        }
        return out
    }

    func logLikelihoods(_ requests: [LogLikelihoodRequest], onAnswer: @escaping @Sendable (Int, LogLikelihoodResponse) -> Void) async throws -> [LogLikelihoodResponse] {
        try run(requests, describe: { "ll:\($0.context)|\($0.continuation)" }, answer: Self.score, onAnswer: onAnswer)
    }

    func rollingLogLikelihoods(_ requests: [RollingLogLikelihoodRequest], onAnswer: @escaping @Sendable (Int, RollingLogLikelihoodResponse) -> Void) async throws -> [RollingLogLikelihoodResponse] {
        try run(requests, describe: { "roll:\($0.text)" },
                answer: { RollingLogLikelihoodResponse(logLikelihood: -Double($0.text.count), tokenCount: $0.text.count, windowCount: 1) },
                onAnswer: onAnswer)
    }

    func generate(_ requests: [GenerationRequest], onAnswer: @escaping @Sendable (Int, GenerationResponse) -> Void) async throws -> [GenerationResponse] {
        try run(requests, describe: { "gen:\($0.prompt)|\($0.temperature)|\($0.seed)" },
                answer: { request in
                    guard case .text(let prompt) = request.prompt else { return GenerationResponse(text: "chat", tokenCount: 1, finishReason: "stop") }
                    return GenerationResponse(text: "\(prompt.uppercased())#\(request.seed)", tokenCount: 2, finishReason: "stop")
                }, onAnswer: onAnswer)
    }
}

/// A plain (non-incremental) model: its answers can only be stored when its batch returns.
final class PlainLanguageModel: LanguageModel, @unchecked Sendable {
    let identity = ModelIdentity(name: "plain", backend: "test-double", contentHash: "plain-v1")
    let capabilities = ModelCapabilities(contextLength: 1024, canScoreLogLikelihoods: true, canGenerate: true, supportsChat: false)
    let fail: Bool
    init(fail: Bool) { self.fail = fail }
    func logLikelihoods(_ requests: [LogLikelihoodRequest]) async throws -> [LogLikelihoodResponse] {
        if fail { throw ModelError("plain failure") }
        return requests.map(ScriptedLanguageModel.score)
    }
    func rollingLogLikelihoods(_ requests: [RollingLogLikelihoodRequest]) async throws -> [RollingLogLikelihoodResponse] {
        throw ModelError("not used")
    }
    func generate(_ requests: [GenerationRequest]) async throws -> [GenerationResponse] {
        throw ModelError("not used")
    }
}

/// A fresh folder under the temporary directory for one test.
func temporaryFolder(_ label: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("evalkit-backends-\(label)-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
