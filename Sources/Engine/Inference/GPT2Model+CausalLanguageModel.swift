extension GPT2Model: CausalLanguageModel {
    public var contextLength: Int { configuration.positionCount }
    public var vocabularySize: Int { configuration.vocabularySize }

    /// Throws unless every id is in the vocabulary.
    func validate(_ ids: [Int], what: String) throws {
        let v = configuration.vocabularySize
        if let bad = ids.firstIndex(where: { $0 < 0 || $0 >= v }) {
            throw EngineError.invalidArgument("\(what): token id \(ids[bad]) at index \(bad) is outside the vocabulary 0..<\(v)")
        }
    }

    public func scoreContinuations(context: [Int], continuations: [[Int]]) throws -> [ContinuationScore] {
        try scoreContinuations(context: context, continuations: continuations, prefixSharing: true)
    }

    /// As `scoreContinuations(context:continuations:)`; with `prefixSharing == false` every
    /// context + continuation runs as its own full sequence (no shared KV cache) — the reference
    /// the shared path is tested and benchmarked against. Both agree within 1e-5 per log-likelihood.
    public func scoreContinuations(context: [Int], continuations: [[Int]], prefixSharing: Bool) throws -> [ContinuationScore] {
        guard !context.isEmpty else { throw EngineError.invalidArgument("scoreContinuations: the context is empty") }
        try validate(context, what: "context")
        for (i, continuation) in continuations.enumerated() {
            try validate(continuation, what: "continuation \(i)")
            guard context.count + continuation.count <= contextLength else {
                throw EngineError.invalidArgument("continuation \(i): context (\(context.count)) + continuation (\(continuation.count)) tokens exceed the context length \(contextLength)")
            }
        }
        guard continuations.contains(where: { !$0.isEmpty }) else {
            return continuations.map { _ in ContinuationScore(logProbability: 0, isGreedy: true, tokenCount: 0) }
        }
        return prefixSharing ? scoreShared(context: context, continuations: continuations) : scoreUnshared(context: context, continuations: continuations)
    }

    /// Context once into a KV cache, then all continuations as one batch of rows on top of it.
    private func scoreShared(context: [Int], continuations: [[Int]]) -> [ContinuationScore] {
        let contextCount = context.count, v = configuration.vocabularySize
        let cache = GPT2KVCache(configuration: configuration, capacity: contextCount)
        let contextScratch = GPT2InferenceScratch(configuration: configuration, rows: contextCount, largestGroup: contextCount, prefixLength: 0)
        runBlocks(scratch: contextScratch, tokens: context.map { Int32($0) }, positions: (0..<contextCount).map { Int32($0) },
                  groups: [AttentionGroup(start: 0, count: contextCount)], cache: cache, prefixLength: 0, storeInCache: true)
        let lastContextLogits = logits(ofRows: [contextCount - 1], in: contextScratch.x.pointer)

        var tokens: [Int32] = [], positions: [Int32] = [], groups: [AttentionGroup] = [], neededRows: [Int] = []
        for continuation in continuations where !continuation.isEmpty {
            groups.append(AttentionGroup(start: tokens.count, count: continuation.count))
            neededRows += (tokens.count..<(tokens.count + continuation.count - 1))
            for (k, id) in continuation.enumerated() {
                tokens.append(Int32(id))
                positions.append(Int32(contextCount + k))
            }
        }
        let scratch = GPT2InferenceScratch(configuration: configuration, rows: tokens.count, largestGroup: groups.map(\.count).max() ?? 0, prefixLength: contextCount)
        runBlocks(scratch: scratch, tokens: tokens, positions: positions, groups: groups, cache: cache, prefixLength: contextCount, storeInCache: false)
        let rowLogits = logits(ofRows: neededRows, in: scratch.x.pointer)
        var rowIndex = [Int: Int]()
        for (i, row) in neededRows.enumerated() { rowIndex[row] = i }

        var scores: [ContinuationScore] = []
        var groupIterator = groups.makeIterator()
        for continuation in continuations {
            guard !continuation.isEmpty, let group = groupIterator.next() else {
                scores.append(ContinuationScore(logProbability: 0, isGreedy: true, tokenCount: 0))
                continue
            }
            var total = 0.0, greedy = true
            for (k, id) in continuation.enumerated() {
                let row = k == 0 ? lastContextLogits.pointer : rowLogits.pointer + (rowIndex[group.start + k - 1] ?? 0) * v
                let (logProbability, isArgmax) = Self.logProbability(of: id, row: row, v: v)
                total += logProbability
                greedy = greedy && isArgmax
            }
            scores.append(ContinuationScore(logProbability: total, isGreedy: greedy, tokenCount: continuation.count))
        }
        return scores
    }

    /// Every context + continuation as an independent sequence in one batch of rows.
    private func scoreUnshared(context: [Int], continuations: [[Int]]) -> [ContinuationScore] {
        let v = configuration.vocabularySize
        var tokens: [Int32] = [], positions: [Int32] = [], groups: [AttentionGroup] = [], neededRows: [Int] = []
        for continuation in continuations where !continuation.isEmpty {
            let sequence = context + continuation
            groups.append(AttentionGroup(start: tokens.count, count: sequence.count))
            neededRows += ((tokens.count + context.count - 1)..<(tokens.count + sequence.count - 1))
            tokens += sequence.map { Int32($0) }
            positions += (0..<sequence.count).map { Int32($0) }
        }
        let scratch = GPT2InferenceScratch(configuration: configuration, rows: tokens.count, largestGroup: groups.map(\.count).max() ?? 0, prefixLength: 0)
        runBlocks(scratch: scratch, tokens: tokens, positions: positions, groups: groups, cache: nil, prefixLength: 0, storeInCache: false)
        let rowLogits = logits(ofRows: neededRows, in: scratch.x.pointer)
        var scores: [ContinuationScore] = []
        var next = 0
        for continuation in continuations {
            var total = 0.0, greedy = true
            for id in continuation {
                let (logProbability, isArgmax) = Self.logProbability(of: id, row: rowLogits.pointer + next * v, v: v)
                total += logProbability
                greedy = greedy && isArgmax
                next += 1
            }
            scores.append(ContinuationScore(logProbability: total, isGreedy: greedy, tokenCount: continuation.count))
        }
        return scores
    }

    public func tokenLogProbabilities(tokens: [Int], scoredFrom: Int) throws -> [Double] {
        try validate(tokens, what: "tokenLogProbabilities")
        guard tokens.count <= contextLength else {
            throw EngineError.invalidArgument("tokenLogProbabilities: \(tokens.count) tokens exceed the context length \(contextLength)")
        }
        guard scoredFrom >= 0 else { throw EngineError.invalidArgument("tokenLogProbabilities: scoredFrom \(scoredFrom) is negative") }
        guard tokens.count >= 2, scoredFrom < tokens.count - 1 else { return [] }
        let v = configuration.vocabularySize
        let scratch = GPT2InferenceScratch(configuration: configuration, rows: tokens.count, largestGroup: tokens.count, prefixLength: 0)
        runBlocks(scratch: scratch, tokens: tokens.map { Int32($0) }, positions: (0..<tokens.count).map { Int32($0) },
                  groups: [AttentionGroup(start: 0, count: tokens.count)], cache: nil, prefixLength: 0, storeInCache: false)
        let rows = Array(scoredFrom..<(tokens.count - 1))
        let rowLogits = logits(ofRows: rows, in: scratch.x.pointer)
        return rows.enumerated().map { i, row in Self.logProbability(of: tokens[row + 1], row: rowLogits.pointer + i * v, v: v).0 }
    }

    public func generate(prompt: [Int], maxTokens: Int, sampling: SamplingParameters, onToken: (Int) -> Bool) throws -> [Int] {
        guard !prompt.isEmpty else { throw EngineError.invalidArgument("generate: the prompt is empty") }
        guard maxTokens >= 0 else { throw EngineError.invalidArgument("generate: maxTokens \(maxTokens) is negative") }
        try validate(prompt, what: "prompt")
        guard maxTokens > 0 else { return [] }
        // Keep the most recent tokens when the prompt alone fills the context.
        let kept = Array(prompt.suffix(contextLength))
        let v = configuration.vocabularySize
        let cache = GPT2KVCache(configuration: configuration, capacity: contextLength)
        var sampler = TokenSampler(sampling)
        let promptScratch = GPT2InferenceScratch(configuration: configuration, rows: kept.count, largestGroup: kept.count, prefixLength: 0)
        runBlocks(scratch: promptScratch, tokens: kept.map { Int32($0) }, positions: (0..<kept.count).map { Int32($0) },
                  groups: [AttentionGroup(start: 0, count: kept.count)], cache: cache, prefixLength: 0, storeInCache: true)
        var nextLogits = logits(ofRows: [kept.count - 1], in: promptScratch.x.pointer)
        let stepScratch = GPT2InferenceScratch(configuration: configuration, rows: 1, largestGroup: 1, prefixLength: contextLength)
        var generated: [Int] = []
        var position = kept.count
        while true {
            let id = sampler.pick(UnsafeBufferPointer(start: nextLogits.pointer, count: v))
            generated.append(id)
            guard onToken(id), generated.count < maxTokens, position < contextLength else { break }
            runBlocks(scratch: stepScratch, tokens: [Int32(id)], positions: [Int32(position)], groups: [AttentionGroup(start: 0, count: 1)],
                      cache: cache, prefixLength: position, storeInCache: true)
            nextLogits = logits(ofRows: [0], in: stepScratch.x.pointer)
            position += 1
        }
        return generated
    }
}
