import Engine
import Foundation

/// Batches of the queue so far: how many passes ran and how many sequences they scored.
public struct InferenceQueueStatistics: Sendable, Equatable {
    /// Scoring passes run (each one call into the model).
    public var scoringPasses = 0
    /// Sequences scored over all passes.
    public var scoredSequences = 0
    /// Requests (scoring jobs) in the largest pass.
    public var largestPassJobs = 0
    /// Generation (and other exclusive) jobs run.
    public var exclusiveJobs = 0
}

/// Runs every call into the engine model on one worker thread, one at a time: the engine model is
/// not re-entrant, and concurrent HTTP requests must not interleave inside it.
///
/// Scoring jobs (prompt log-probabilities) that queue up while the engine is busy are run together
/// as one batch (one engine call over all their sequences, up to `maxBatchTokens` tokens), where
/// sequences with a common start share its forward pass (the engine's prefix sharing). A
/// sequence's numbers depend on the batch only within float rounding (`NextTokenDistributions`).
/// Other jobs (generation) run alone, in arrival order.
public final class InferenceQueue: @unchecked Sendable {
    public typealias Score = @Sendable (_ sequences: [[Int]], _ contextLengths: [Int?], _ topCount: Int) throws -> [[TokenDistributionEntry]]

    private struct ScoreJob {
        var sequences: [[Int]]
        var contextLengths: [Int?]
        var topCount: Int
        var reply: @Sendable (Result<[[TokenDistributionEntry]], any Error>) -> Void
        var tokenCount: Int { sequences.reduce(0) { $0 + $1.count } }
    }

    private enum Job {
        case score(ScoreJob)
        case exclusive(@Sendable () -> Void)
    }

    private let condition = NSCondition()
    private var jobs: [Job] = []
    private var stopping = false
    private var counts = InferenceQueueStatistics()
    private let score: Score?
    /// Tokens one scoring pass takes at most (a single larger job still runs, alone).
    public let maxBatchTokens: Int

    /// - Parameters:
    ///   - maxBatchTokens: tokens one scoring pass gathers at most.
    ///   - score: the model's batched scoring call; nil when the model has none.
    public init(maxBatchTokens: Int, score: Score?) {
        self.maxBatchTokens = maxBatchTokens
        self.score = score
        let thread = Thread { [self] in loop() }
        thread.name = "evalkit-inference"
        thread.start()
    }

    public var statistics: InferenceQueueStatistics { condition.withLock { counts } }

    /// Jobs waiting for the worker.
    public var pendingCount: Int { condition.withLock { jobs.count } }

    /// Log-probabilities of each sequence's tokens after its context (default: none, every token after
    /// the first), batched with whatever else is waiting (`NextTokenDistributions`).
    public func distributions(_ sequences: [[Int]], contextLengths: [Int?]? = nil, topCount: Int) async throws -> [[TokenDistributionEntry]] {
        let contexts = contextLengths ?? Array(repeating: nil, count: sequences.count)
        return try await withCheckedThrowingContinuation { continuation in
            enqueue(.score(ScoreJob(sequences: sequences, contextLengths: contexts, topCount: topCount) { continuation.resume(with: $0) }))
        }
    }

    /// Runs `work` alone on the worker thread.
    public func exclusive<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            enqueue(.exclusive { continuation.resume(with: Result { try work() }) })
        }
    }

    /// Lets the worker finish what is queued, then end.
    public func shutdown() {
        condition.withLock {
            stopping = true
            condition.signal()
        }
    }

    private func enqueue(_ job: Job) {
        condition.withLock {
            jobs.append(job)
            condition.signal()
        }
    }

    private func loop() {
        while let work = nextWork() {
            switch work {
            case .exclusive(let run): run()
            case .score(let batch): runScoring(batch)
            }
        }
    }

    private enum Work {
        case exclusive(@Sendable () -> Void)
        case score([ScoreJob])
    }

    /// The next job, or the next batch of scoring jobs; nil once stopping and empty.
    private func nextWork() -> Work? {
        condition.lock()
        defer { condition.unlock() }
        while jobs.isEmpty, !stopping { condition.wait() }
        guard !jobs.isEmpty else { return nil }
        switch jobs.removeFirst() {
        case .exclusive(let run):
            counts.exclusiveJobs += 1
            return .exclusive(run)
        case .score(let first):
            var batch = [first]
            var tokens = first.tokenCount
            var index = 0
            while index < jobs.count {
                if case .score(let job) = jobs[index], tokens + job.tokenCount <= maxBatchTokens {
                    batch.append(job)
                    tokens += job.tokenCount
                    jobs.remove(at: index)
                } else {
                    index += 1
                }
            }
            counts.scoringPasses += 1
            counts.scoredSequences += batch.reduce(0) { $0 + $1.sequences.count }
            counts.largestPassJobs = max(counts.largestPassJobs, batch.count)
            return .score(batch)
        }
    }

    /// One call for the whole batch (at the largest `topCount`, trimmed per job); if it fails,
    /// each job runs alone so one bad job cannot fail the others.
    private func runScoring(_ batch: [ScoreJob]) {
        guard let score else {
            for job in batch { job.reply(.failure(APIError.badRequest("this model gives no token log-probabilities"))) }
            return
        }
        let topCount = batch.map(\.topCount).max() ?? 0
        if batch.count > 1, let all = try? score(batch.flatMap(\.sequences), batch.flatMap(\.contextLengths), topCount) {
            var offset = 0
            for job in batch {
                let mine = all[offset..<(offset + job.sequences.count)].map { entries in
                    job.topCount == topCount ? entries : entries.map { TokenDistributionEntry(logProbability: $0.logProbability, top: Array($0.top.prefix(job.topCount))) }
                }
                offset += job.sequences.count
                job.reply(.success(mine))
            }
            return
        }
        for job in batch { job.reply(Result { try score(job.sequences, job.contextLengths, job.topCount) }) }
    }
}
