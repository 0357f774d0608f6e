import Foundation

/// How a run selects docs, shots and seeds; everything that changes numbers is recorded in results.
public struct RunOptions: Sendable, Codable, Equatable {
    /// At most this many docs per task (seeded random sample unless `limitFirst`).
    public var limit: Int?
    public var limitFirst: Bool = false
    /// Overrides each task's `fewshot.n`.
    public var fewshot: Int?
    /// Seeds `--limit` sampling, few-shot sampling (unless the task sets fewshot.seed) and bootstraps.
    public var seed: UInt64 = 1234
    /// Requests sent to the model per call. Scores do not depend on it.
    public var batchSize: Int = 32
    public var bootstrapResamples: Int = 1000
    public var quiet: Bool = false

    public init(limit: Int? = nil, limitFirst: Bool = false, fewshot: Int? = nil, seed: UInt64 = 1234,
                batchSize: Int = 32, bootstrapResamples: Int = 1000, quiet: Bool = false) {
        self.limit = limit
        self.limitFirst = limitFirst
        self.fewshot = fewshot
        self.seed = seed
        self.batchSize = batchSize
        self.bootstrapResamples = bootstrapResamples
        self.quiet = quiet
    }
}

/// A task with its docs selected and every request built: everything that can fail on bad input
/// has been checked by the time one exists.
public struct PreparedTask: Sendable {
    public var task: TaskSpec
    public var totalDocs: Int
    public var fewshot: Int
    public var fewshotSeed: UInt64
    public var instances: [DocInstance]
    /// Weight in a group average (1 outside groups).
    public var weight: Double
}

/// The outcome of one task in a run.
public struct TaskRun: Sendable {
    public var prepared: PreparedTask
    public var responses: [DocResponses]
    public var scores: [[DocScore]]
    public var metrics: [MetricResult]
}

/// Runs tasks against a model: builds every request up front, deduplicates identical requests,
/// orders them longest first (same contexts together, so a model can share their prefix), runs
/// them in batches with progress, then filters and scores.
public struct EvaluationRunner: Sendable {
    public let model: any LanguageModel
    public let options: RunOptions

    public init(model: any LanguageModel, options: RunOptions) {
        self.model = model
        self.options = options
    }

    /// Loads docs and builds requests for every task; fails before any model call on bad input or
    /// a capability the model lacks.
    public static func prepare(_ tasks: [(task: TaskSpec, weight: Double)], options: RunOptions) throws -> [PreparedTask] {
        try tasks.map { task, weight in
            let docs = try RequestBuilder.loadDocs(task)
            let count = options.limit ?? task.dataset.limit
            let selection: DocSelection = count.map { options.limitFirst ? .first(count: $0) : .randomSample(count: $0, seed: options.seed) } ?? .all
            let fewshotSeed = task.fewshot.seed
            let builder = RequestBuilder(task: task, fewshotCount: options.fewshot, fewshotSeed: fewshotSeed)
            let instances = try builder.build(docs: docs, selected: selection.indices(total: docs.count))
            return PreparedTask(task: task, totalDocs: docs.count, fewshot: builder.fewshotCount, fewshotSeed: fewshotSeed,
                                instances: instances, weight: weight)
        }
    }

    /// Checks that the model can do what the tasks ask.
    public func checkCapabilities(_ prepared: [PreparedTask]) throws {
        for item in prepared {
            switch item.task.kind {
            case .multipleChoice, .perplexity:
                if !model.capabilities.canScoreLogLikelihoods {
                    throw ModelError("task '\(item.task.name)' (\(item.task.kind.rawValue)) needs log-likelihoods, but model '\(model.identity.name)' cannot score them (chat-only endpoint?); use a generation task or a model that can")
                }
            case .generation:
                if !model.capabilities.canGenerate {
                    throw ModelError("task '\(item.task.name)' needs generation, but model '\(model.identity.name)' cannot generate")
                }
            case .judge:
                throw ModelError("task '\(item.task.name)' is a judge task; it runs through JudgeRunner with a judge model")
            case .chess:
                throw ModelError("task kind chess is played by the arena")
            }
        }
    }

    public func run(_ prepared: [PreparedTask]) async throws -> [TaskRun] {
        try checkCapabilities(prepared)

        // Unique requests across all tasks.
        var logLikelihood = Set<LogLikelihoodRequest>()
        var rolling = Set<RollingLogLikelihoodRequest>()
        var generation = Set<GenerationRequest>()
        for item in prepared {
            for instance in item.instances {
                logLikelihood.formUnion(instance.logLikelihoodRequests)
                logLikelihood.formUnion(instance.unconditionalRequests)
                if let r = instance.rollingRequest { rolling.insert(r) }
                generation.formUnion(instance.generationRequests)
            }
        }
        let total = logLikelihood.count + rolling.count + generation.count
        let progress = ProgressReporter(label: model.identity.name, total: total, quiet: options.quiet)

        let llAnswers = try await execute(Self.ordered(logLikelihood), progress: progress) { try await model.logLikelihoods($0) }
        let rollingAnswers = try await execute(rolling.sorted { ($0.text.utf8.count, $0.text) > ($1.text.utf8.count, $1.text) },
                                               progress: progress) { try await model.rollingLogLikelihoods($0) }
        let generationAnswers = try await execute(Self.ordered(generation), progress: progress) { try await model.generate($0) }
        progress.finish()

        return try prepared.map { item in
            var responses: [DocResponses] = []
            var scores: [[DocScore]] = []
            for instance in item.instances {
                var docResponses = DocResponses()
                docResponses.logLikelihoods = try instance.logLikelihoodRequests.map { try lookup(llAnswers, $0) }
                docResponses.unconditional = try instance.unconditionalRequests.map { try lookup(llAnswers, $0) }
                docResponses.rolling = try instance.rollingRequest.map { try lookup(rollingAnswers, $0) }
                docResponses.generations = try instance.generationRequests.map { try lookup(generationAnswers, $0) }
                responses.append(docResponses)
                scores.append(try DocScorer.score(task: item.task, instance: instance, responses: docResponses))
            }
            let metrics = Aggregator.aggregate(task: item.task, scores: scores, bootstrapResamples: options.bootstrapResamples,
                                               seed: options.seed)
            return TaskRun(prepared: item, responses: responses, scores: scores, metrics: metrics)
        }
    }

    private func lookup<Request: Hashable, Response>(_ table: [Request: Response], _ request: Request) throws -> Response {
        guard let response = table[request] else { throw ModelError("internal: no response recorded for a request") }
        return response
    }

    /// Longest context first, requests sharing a context adjacent, then longest continuation first.
    static func ordered(_ requests: Set<LogLikelihoodRequest>) -> [LogLikelihoodRequest] {
        requests.sorted { a, b in
            let la = a.context.utf8.count, lb = b.context.utf8.count
            if la != lb { return la > lb }
            if a.context != b.context { return a.context < b.context }
            let ca = a.continuation.utf8.count, cb = b.continuation.utf8.count
            if ca != cb { return ca > cb }
            return a.continuation < b.continuation
        }
    }

    static func ordered(_ requests: Set<GenerationRequest>) -> [GenerationRequest] {
        func key(_ r: GenerationRequest) -> String {
            switch r.prompt {
            case .text(let t): return t
            case .chat(let messages): return messages.map { $0.role + ":" + $0.content }.joined(separator: "\n")
            }
        }
        return requests.sorted { a, b in
            let ka = key(a), kb = key(b)
            if ka.utf8.count != kb.utf8.count { return ka.utf8.count > kb.utf8.count }
            if ka != kb { return ka < kb }
            return a.seed < b.seed
        }
    }

    /// Sends `requests` in batches of `options.batchSize`, in order, advancing `progress`.
    func execute<Request: Hashable & Sendable, Response: Sendable>(
        _ requests: [Request], progress: ProgressReporter,
        call: @Sendable ([Request]) async throws -> [Response]
    ) async throws -> [Request: Response] {
        var table: [Request: Response] = [:]
        table.reserveCapacity(requests.count)
        let size = max(1, options.batchSize)
        var start = 0
        while start < requests.count {
            let batch = Array(requests[start..<min(start + size, requests.count)])
            let responses = try await call(batch)
            guard responses.count == batch.count else {
                throw ModelError("model '\(model.identity.name)' returned \(responses.count) responses for \(batch.count) requests")
            }
            for (request, response) in zip(batch, responses) { table[request] = response }
            progress.advance(by: batch.count)
            start += size
        }
        return table
    }
}
