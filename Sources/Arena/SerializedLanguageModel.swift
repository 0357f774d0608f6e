import EvalCore

/// A `LanguageModel` that lets one call at a time through to the model it wraps, in arrival
/// order. The tournament wraps every model it is given in one of these, so concurrent games may
/// share a model whose implementation is not safe to call concurrently (a local engine with one
/// KV cache). Remote models lose nothing: their games still interleave between moves.
public final class SerializedLanguageModel: LanguageModel {
    public let base: any LanguageModel
    private let gate = AsyncGate()

    public init(_ base: any LanguageModel) { self.base = base }

    public var identity: ModelIdentity { base.identity }
    public var capabilities: ModelCapabilities { base.capabilities }

    public func logLikelihoods(_ requests: [LogLikelihoodRequest]) async throws -> [LogLikelihoodResponse] {
        await gate.enter()
        defer { gate.leave() }
        return try await base.logLikelihoods(requests)
    }

    public func rollingLogLikelihoods(_ requests: [RollingLogLikelihoodRequest]) async throws -> [RollingLogLikelihoodResponse] {
        await gate.enter()
        defer { gate.leave() }
        return try await base.rollingLogLikelihoods(requests)
    }

    public func generate(_ requests: [GenerationRequest]) async throws -> [GenerationResponse] {
        await gate.enter()
        defer { gate.leave() }
        return try await base.generate(requests)
    }

    public func tokenCount(of text: String) async throws -> Int? {
        try await base.tokenCount(of: text)
    }
}

/// A first-come first-served async lock: `enter` suspends until the previous holder `leave`s.
final class AsyncGate: Sendable {
    private let state = Locked<(busy: Bool, waiting: [CheckedContinuation<Void, Never>])>((false, []))

    func enter() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let acquired = state.withLock { state -> Bool in
                if state.busy {
                    state.waiting.append(continuation)
                    return false
                }
                state.busy = true
                return true
            }
            if acquired { continuation.resume() }
        }
    }

    func leave() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiting.isEmpty {
                state.busy = false
                return nil
            }
            return state.waiting.removeFirst()  // ownership passes straight to the next waiter
        }
        next?.resume()
    }
}
