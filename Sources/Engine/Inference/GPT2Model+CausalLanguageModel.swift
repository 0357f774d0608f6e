extension GPT2Model: CausalLanguageModel {
    public var contextLength: Int { configuration.positionCount }
    public var vocabularySize: Int { configuration.vocabularySize }

    public func scoreContinuations(context: [Int], continuations: [[Int]]) throws -> [ContinuationScore] {
        try scoreContinuations(context: context, continuations: continuations, prefixSharing: true)
    }

    /// As `scoreContinuations(context:continuations:)`; with `prefixSharing == false` every
    /// context + continuation runs as its own full sequence (no shared KV cache) — the reference
    /// the shared path is tested and benchmarked against. Both agree within 1e-5 per log-likelihood.
    public func scoreContinuations(context: [Int], continuations: [[Int]], prefixSharing: Bool) throws -> [ContinuationScore] {
        try scoreChecked(context: context, continuations: continuations, prefixSharing: prefixSharing,
                         shared: { scoreShared(context: $0, continuations: $1) }, unshared: { scoreUnshared(context: $0, continuations: $1) })
    }

    /// Context once into a KV cache, then each continuation on top of it.
    ///
    /// Continuations run one at a time (each as one batch of its own rows) rather than stacked
    /// into one matrix: OpenBLAS picks different kernels (small-matrix, direct) by matrix size, and
    /// those sum in different orders, so a stacked batch would make a continuation's score depend
    /// by ~1e-7 on its neighbours. One call per continuation keeps every score a function of
    /// (context, continuation) alone.
    private func scoreShared(context: [Int], continuations: [[Int]]) -> [ContinuationScore] {
        let contextCount = context.count, v = configuration.vocabularySize
        let (cache, contextScratch) = runPrefix(context)
        let lastContextLogits = logits(ofRows: [contextCount - 1], in: contextScratch.x.pointer)
        let first = UnsafePointer(lastContextLogits.pointer)
        return continuations.map { continuation in
            let n = continuation.count
            guard n > 0 else { return ContinuationScore(logProbability: 0, isGreedy: true, tokenCount: 0) }
            var rowLogits: FloatBuffer?
            if n > 1 {
                // The last continuation token is never an input: only rows 0..<n-1 run.
                let scratch = runOnPrefix(Array(continuation.dropLast()), cache: cache, prefixLength: contextCount)
                rowLogits = logits(ofRows: Array(0..<(n - 1)), in: scratch.x.pointer)
            }
            let rest = rowLogits?.pointer
            return score(continuation) { k in
                guard k > 0, let rest else { return first }
                return UnsafePointer(rest + (k - 1) * v)
            }
        }
    }

    /// Runs `tokens` at positions 0..<N into a new KV cache of N rows (the shared context of
    /// `scoreContinuations`, the shared prefix of `tokenDistributions`). Returns the cache and
    /// the scratch whose `x` holds the N hidden rows.
    func runPrefix(_ tokens: [Int]) -> (GPT2KVCache, GPT2InferenceScratch) {
        let count = tokens.count
        let cache = GPT2KVCache(configuration: configuration, capacity: count)
        let scratch = GPT2InferenceScratch(configuration: configuration, rows: count, largestGroup: count, prefixLength: 0)
        runBlocks(scratch: scratch, tokens: tokens.map { Int32($0) }, positions: (0..<count).map { Int32($0) },
                  groups: [AttentionGroup(start: 0, count: count)], cache: cache, prefixLength: 0, storeInCache: true)
        return (cache, scratch)
    }

    /// Runs `tokens` at positions prefixLength..<prefixLength+N on top of a cache filled by
    /// `runPrefix`, as one batch of its own rows (the cache is not written, so every call sees the
    /// prefix alone). Returns the scratch whose `x` holds the N hidden rows.
    func runOnPrefix(_ tokens: [Int], cache: GPT2KVCache, prefixLength: Int) -> GPT2InferenceScratch {
        let n = tokens.count
        let scratch = GPT2InferenceScratch(configuration: configuration, rows: n, largestGroup: n, prefixLength: prefixLength)
        runBlocks(scratch: scratch, tokens: tokens.map { Int32($0) }, positions: (0..<n).map { Int32(prefixLength + $0) },
                  groups: [AttentionGroup(start: 0, count: n)], cache: cache, prefixLength: prefixLength, storeInCache: false)
        return scratch
    }

    /// Every context + continuation as an independent full sequence (no cache).
    private func scoreUnshared(context: [Int], continuations: [[Int]]) -> [ContinuationScore] {
        let v = configuration.vocabularySize
        return continuations.map { continuation in
            guard !continuation.isEmpty else { return ContinuationScore(logProbability: 0, isGreedy: true, tokenCount: 0) }
            let sequence = context + continuation.dropLast()
            let scratch = GPT2InferenceScratch(configuration: configuration, rows: sequence.count, largestGroup: sequence.count, prefixLength: 0)
            runBlocks(scratch: scratch, tokens: sequence.map { Int32($0) }, positions: (0..<sequence.count).map { Int32($0) },
                      groups: [AttentionGroup(start: 0, count: sequence.count)], cache: nil, prefixLength: 0, storeInCache: false)
            let rowLogits = logits(ofRows: Array((context.count - 1)..<sequence.count), in: scratch.x.pointer)
            return score(continuation) { k in UnsafePointer(rowLogits.pointer + k * v) }
        }
    }

    /// Sums log p(continuation[k]) over k, reading the logits row that predicts token k.
    private func score(_ continuation: [Int], logitsRow: (Int) -> UnsafePointer<Float>) -> ContinuationScore {
        var total = 0.0, greedy = true
        for (k, id) in continuation.enumerated() {
            let (logProbability, isArgmax) = LogSoftmax.logProbability(of: id, row: logitsRow(k), v: configuration.vocabularySize)
            total += logProbability
            greedy = greedy && isArgmax
        }
        return ContinuationScore(logProbability: total, isGreedy: greedy, tokenCount: continuation.count)
    }

    public func tokenLogProbabilities(tokens: [Int], scoredFrom: Int) throws -> [Double] {
        guard try validateRolling(tokens: tokens, scoredFrom: scoredFrom) else { return [] }
        let v = configuration.vocabularySize
        let scratch = GPT2InferenceScratch(configuration: configuration, rows: tokens.count, largestGroup: tokens.count, prefixLength: 0)
        runBlocks(scratch: scratch, tokens: tokens.map { Int32($0) }, positions: (0..<tokens.count).map { Int32($0) },
                  groups: [AttentionGroup(start: 0, count: tokens.count)], cache: nil, prefixLength: 0, storeInCache: false)
        let rows = Array(scoredFrom..<(tokens.count - 1))
        let rowLogits = logits(ofRows: rows, in: scratch.x.pointer)
        return rows.enumerated().map { i, row in LogSoftmax.logProbability(of: tokens[row + 1], row: rowLogits.pointer + i * v, v: v).0 }
    }

    public func generate(prompt: [Int], maxTokens: Int, sampling: SamplingParameters, onToken: (Int) -> Bool) throws -> [Int] {
        guard try validateGeneration(prompt: prompt, maxTokens: maxTokens) else { return [] }
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
