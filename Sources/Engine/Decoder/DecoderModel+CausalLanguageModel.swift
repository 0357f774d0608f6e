extension DecoderModel: CausalLanguageModel {
    public var contextLength: Int { configuration.contextLength }
    public var vocabularySize: Int { configuration.vocabularySize }

    public func scoreContinuations(context: [Int], continuations: [[Int]]) throws -> [ContinuationScore] {
        try scoreContinuations(context: context, continuations: continuations, prefixSharing: true)
    }

    /// As `scoreContinuations(context:continuations:)`; with `prefixSharing == false` every
    /// context + continuation runs as its own sequence — the reference the shared path is tested against.
    public func scoreContinuations(context: [Int], continuations: [[Int]], prefixSharing: Bool) throws -> [ContinuationScore] {
        try scoreChecked(context: context, continuations: continuations, prefixSharing: prefixSharing,
                         shared: { scoreShared(context: $0, continuations: $1) }, unshared: { scoreUnshared(context: $0, continuations: $1) })
    }

    /// The context once into a KV cache; then each continuation (all but its last token, which is
    /// never an input) on top of it (`runBranches`: the context and several continuations share a
    /// pass through the blocks when each row's values stay those of its sequence alone). Continuations overwrite each other's
    /// cache rows past the context, which no later step reads. All output projections then share
    /// passes over the vocabulary matrix (`projectLogits`), the context's last row projected once
    /// for every continuation's first token.
    private func scoreShared(context: [Int], continuations: [[Int]]) -> [ContinuationScore] {
        let contextCount = context.count
        let longest = continuations.map(\.count).max() ?? 0
        let cache = DecoderKVCache(configuration: configuration, capacity: contextCount + max(0, longest - 1))
        // The context and the continuations in as few passes as fit (one, for short multiple-choice items).
        let (contextRows, branches) = runBranches(continuations.map { Array($0.dropLast()) }, start: contextCount, cache: cache, trunk: context)
        let contextHidden = FloatBuffer(count: configuration.width)
        contextHidden.pointer.update(from: contextRows.pointer + (contextCount - 1) * configuration.width, count: configuration.width)
        // Group 0: the context's last row, projected once, predicts every continuation's first
        // token; then each continuation's own rows predict the rest of it.
        var groups: [(hidden: FloatBuffer, rows: Int)] = [(contextHidden, 1)]
        var owner: [Int] = [0]
        for (c, continuation) in continuations.enumerated() where continuation.count > 1 {
            groups.append((branches[c], continuation.count - 1))
            owner.append(c)
        }
        let v = configuration.vocabularySize
        var scores = continuations.map { [(Double, Bool)](repeating: (0, false), count: $0.count) }
        projectLogits(groups) { g, i, row in
            if g == 0 {
                for (c, continuation) in continuations.enumerated() where !continuation.isEmpty {
                    scores[c][0] = LogSoftmax.logProbability(of: continuation[0], row: row, v: v)
                }
            } else {
                let c = owner[g]
                scores[c][i + 1] = LogSoftmax.logProbability(of: continuations[c][i + 1], row: row, v: v)
            }
        }
        return continuations.indices.map { c in
            continuations[c].isEmpty ? ContinuationScore(logProbability: 0, isGreedy: true, tokenCount: 0) : Self.total(scores[c])
        }
    }

    /// Every context + continuation as an independent sequence with its own cache.
    private func scoreUnshared(context: [Int], continuations: [[Int]]) -> [ContinuationScore] {
        continuations.map { continuation in
            guard !continuation.isEmpty else { return ContinuationScore(logProbability: 0, isGreedy: true, tokenCount: 0) }
            let sequence = context + continuation.dropLast()
            let cache = DecoderKVCache(configuration: configuration, capacity: sequence.count)
            let hidden = run(tokens: sequence, start: 0, cache: cache, collect: Array((context.count - 1)..<sequence.count))
            return Self.total(logProbabilities([(hidden, continuation)])[0])
        }
    }

    private static func total(_ scores: [(Double, Bool)]) -> ContinuationScore {
        ContinuationScore(logProbability: scores.reduce(0) { $0 + $1.0 }, isGreedy: scores.allSatisfy(\.1), tokenCount: scores.count)
    }

    public func tokenLogProbabilities(tokens: [Int], scoredFrom: Int) throws -> [Double] {
        guard try validateRolling(tokens: tokens, scoredFrom: scoredFrom) else { return [] }
        // The last token is only a target, never an input.
        let inputs = Array(tokens.dropLast())
        let cache = DecoderKVCache(configuration: configuration, capacity: inputs.count)
        let hidden = run(tokens: inputs, start: 0, cache: cache, collect: Array(scoredFrom..<inputs.count))
        return logProbabilities([(hidden, Array(tokens[(scoredFrom + 1)...]))])[0].map(\.0)
    }

    public func generate(prompt: [Int], maxTokens: Int, sampling: SamplingParameters, onToken: (Int) -> Bool) throws -> [Int] {
        guard try validateGeneration(prompt: prompt, maxTokens: maxTokens) else { return [] }
        // Keep the most recent tokens when the prompt alone fills the context.
        let kept = Array(prompt.suffix(contextLength))
        let v = configuration.vocabularySize
        // Room for the prompt and every generated token but the last (which is never an input).
        let cache = DecoderKVCache(configuration: configuration, capacity: min(contextLength, kept.count + maxTokens))
        var sampler = TokenSampler(sampling)
        var nextLogits = logits(hidden: run(tokens: kept, start: 0, cache: cache, collect: [kept.count - 1]))
        var generated: [Int] = []
        var position = kept.count
        while true {
            let id = sampler.pick(UnsafeBufferPointer(start: nextLogits.pointer, count: v))
            generated.append(id)
            guard onToken(id), generated.count < maxTokens, position < cache.capacity else { break }
            nextLogits = logits(hidden: run(tokens: [id], start: position, cache: cache, collect: [0]))
            position += 1
        }
        return generated
    }
}
