import EvalCore
import Foundation

/// Hits, misses and stores of a `CachedLanguageModel` since it was made.
public struct CacheStatistics: Hashable, Sendable {
    /// Requests answered from the cache.
    public var hits = 0
    /// Requests sent to the wrapped model.
    public var misses = 0
    /// Responses written to the cache.
    public var stored = 0
    /// Requests deliberately not cached (sampled generations with `cacheSampledGenerations` off).
    public var uncached = 0
    public init() {}
}

/// Any `LanguageModel` behind a `ResponseCache`: each request is looked up, only the misses go to
/// the wrapped model (in one batch call), answers are stored as they arrive and returned in order.
///
/// What is cached: every log-likelihood and rolling log-likelihood request, and generations.
/// Sampling (temperature > 0) without an explicit seed would not be reproducible and must not be
/// cached, but `GenerationRequest.seed` is always set, so a sampled generation is cached under its
/// seed: the same seed gives the cached text. Set `cacheSampledGenerations` to false to send every
/// sampled generation to the model anyway (for a server that ignores seeds).
///
/// A wrapped model that conforms to `IncrementalLanguageModel` (the OpenAI client does) has each
/// answer committed as it arrives; any other model has its batch's answers committed when the batch
/// call returns.
public final class CachedLanguageModel: LanguageModel, @unchecked Sendable {
    public let wrapped: any LanguageModel
    public let cache: ResponseCache
    /// Whether generations with temperature > 0 are cached (under their seed).
    public let cacheSampledGenerations: Bool
    private let lock = NSLock()
    private var counts = CacheStatistics()

    public var identity: ModelIdentity { wrapped.identity }
    public var capabilities: ModelCapabilities { wrapped.capabilities }

    /// The counts so far.
    public var statistics: CacheStatistics { lock.withLock { counts } }

    public init(wrapping model: any LanguageModel, cache: ResponseCache, cacheSampledGenerations: Bool = true) {
        self.wrapped = model
        self.cache = cache
        self.cacheSampledGenerations = cacheSampledGenerations
    }

    public func logLikelihoods(_ requests: [LogLikelihoodRequest]) async throws -> [LogLikelihoodResponse] {
        try await answer(requests, kind: .logLikelihood, cacheable: { _ in true }) { misses, onAnswer in
            if let incremental = self.wrapped as? any IncrementalLanguageModel {
                return try await incremental.logLikelihoods(misses, onAnswer: onAnswer)
            }
            return try await self.wrapped.logLikelihoods(misses)
        }
    }

    public func rollingLogLikelihoods(_ requests: [RollingLogLikelihoodRequest]) async throws -> [RollingLogLikelihoodResponse] {
        try await answer(requests, kind: .rollingLogLikelihood, cacheable: { _ in true }) { misses, onAnswer in
            if let incremental = self.wrapped as? any IncrementalLanguageModel {
                return try await incremental.rollingLogLikelihoods(misses, onAnswer: onAnswer)
            }
            return try await self.wrapped.rollingLogLikelihoods(misses)
        }
    }

    public func generate(_ requests: [GenerationRequest]) async throws -> [GenerationResponse] {
        let sampledToo = cacheSampledGenerations
        return try await answer(requests, kind: .generation, cacheable: { sampledToo || $0.temperature <= 0 }) { misses, onAnswer in
            if let incremental = self.wrapped as? any IncrementalLanguageModel {
                return try await incremental.generate(misses, onAnswer: onAnswer)
            }
            return try await self.wrapped.generate(misses)
        }
    }

    public func tokenCount(of text: String) async throws -> Int? {
        try await wrapped.tokenCount(of: text)
    }

    /// Looks up every request, sends the misses in one call, stores each answer once (as it arrives
    /// when the wrapped model reports them), and returns all answers in request order.
    private func answer<Request: Codable & Sendable, Response: Codable & Sendable>(
        _ requests: [Request], kind: ResponseCache.Kind, cacheable: (Request) -> Bool,
        call: (_ misses: [Request], _ onAnswer: @escaping @Sendable (Int, Response) -> Void) async throws -> [Response]
    ) async throws -> [Response] {
        let model = identity
        var answers = [Response?](repeating: nil, count: requests.count)
        var missIndices: [Int] = []
        var missKeys: [String?] = []
        for (index, request) in requests.enumerated() {
            guard cacheable(request) else {
                missIndices.append(index); missKeys.append(nil)
                continue
            }
            let key = try ResponseCache.key(model: model, kind: kind, request: request)
            if let hit = try cache.response(forKey: key, as: Response.self) {
                answers[index] = hit
            } else {
                missIndices.append(index); missKeys.append(key)
            }
        }
        let uncachedCount = missKeys.filter { $0 == nil }.count
        lock.withLock {
            counts.hits += requests.count - missIndices.count
            counts.misses += missIndices.count
            counts.uncached += uncachedCount
        }
        guard !missIndices.isEmpty else { return answers.compactMap { $0 } }

        // Answers reported early are committed at once; `committed` stops a second write at the end.
        let committed = CommittedSet(count: missIndices.count)
        let keys = missKeys
        let cache = self.cache
        let storeFailure = FirstError()
        let onAnswer: @Sendable (Int, Response) -> Void = { [weak self] missIndex, response in
            guard keys.indices.contains(missIndex), let key = keys[missIndex], committed.insert(missIndex) else { return }
            do {
                try cache.store(response, forKey: key, kind: kind, model: model)
                self?.lock.withLock { self?.counts.stored += 1 }
            } catch {
                storeFailure.record(error)
            }
        }
        let misses = missIndices.map { requests[$0] }
        let responses = try await call(misses, onAnswer)
        guard responses.count == misses.count else {
            throw ModelError("model '\(model.name)' returned \(responses.count) responses for \(misses.count) requests")
        }
        for (missIndex, response) in responses.enumerated() {
            onAnswer(missIndex, response)
            answers[missIndices[missIndex]] = response
        }
        if let error = storeFailure.error { throw error }
        return answers.compactMap { $0 }
    }
}

/// Indices already committed, shared between the answer callback's tasks.
private final class CommittedSet: @unchecked Sendable {
    private let lock = NSLock()
    private var done: [Bool]
    init(count: Int) { done = [Bool](repeating: false, count: count) }
    /// True when `index` was not yet in the set.
    func insert(_ index: Int) -> Bool {
        lock.withLock {
            guard done.indices.contains(index), !done[index] else { return false }
            done[index] = true
            return true
        }
    }
}

/// The first error recorded from a callback that cannot throw.
private final class FirstError: @unchecked Sendable {
    private let lock = NSLock()
    private var first: (any Error)?
    func record(_ error: any Error) { lock.withLock { if first == nil { first = error } } }
    var error: (any Error)? { lock.withLock { first } }
}
