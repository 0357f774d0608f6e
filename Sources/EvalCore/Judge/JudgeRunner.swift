import Foundation

/// One model's conversation on one question: a request and a response per turn. Turn k's
/// request holds the question's turns 1…k and the model's own answers to turns 1…k−1.
public struct Conversation: Sendable, Codable {
    public var requests: [GenerationRequest]
    public var responses: [GenerationResponse]

    /// The answers as later turns and the judge see them (surrounding white space removed).
    public var answers: [String] { responses.map { $0.text.trimmingCharacters(in: .whitespacesAndNewlines) } }
}

/// One model's answers to every question of the judge tasks.
public struct JudgeAnswers: Sendable {
    public var model: ModelIdentity
    public var capabilities: ModelCapabilities
    /// Per task name: one conversation per prepared instance, in the same order.
    public var conversations: [String: [Conversation]]
}

/// One judge call: the prompt as sent, the judgement as written, the verdict as read.
public struct JudgeCall: Sendable {
    public var request: GenerationRequest
    public var judgement: String
    public var reading: VerdictReading
}

/// Runs judge tasks in two phases, so answering models need not be loaded together: each model
/// answers every question turn by turn (`answer`), then the judge grades the answers (`judge`).
/// Requests are deduplicated and sent in batches of `options.batchSize`, as by `EvaluationRunner`.
public enum JudgeRunner {
    /// The judge tasks among prepared tasks.
    public static func judgeTasks(_ prepared: [PreparedTask]) -> [PreparedTask] {
        prepared.filter { $0.task.kind == .judge && $0.task.judge != nil }
    }

    /// Has `model` answer every question, one turn per round: round k sends turn k of every
    /// question that has one, with the model's own earlier answers in the conversation.
    public static func answer(_ prepared: [PreparedTask], model: any LanguageModel, options: RunOptions) async throws -> JudgeAnswers {
        guard model.capabilities.canGenerate else {
            throw ModelError("judge tasks need generation, but model '\(model.identity.name)' cannot generate")
        }
        let tasks = judgeTasks(prepared)
        var conversations = tasks.map { item in
            item.instances.map { _ in Conversation(requests: [], responses: []) }
        }
        let rounds = tasks.flatMap { $0.instances.map { $0.judge?.turns.count ?? 0 } }.max() ?? 0
        let total = tasks.flatMap { $0.instances.map { $0.judge?.turns.count ?? 0 } }.reduce(0, +)
        let progress = ProgressReporter(label: "\(model.identity.name) answers", total: total, quiet: options.quiet)
        for round in 0..<rounds {
            var pending: [(task: Int, instance: Int, request: GenerationRequest)] = []
            for (t, item) in tasks.enumerated() {
                let generation = item.task.generation
                for (i, instance) in item.instances.enumerated() {
                    guard let question = instance.judge, question.turns.count > round else { continue }
                    var messages: [ChatMessage] = []
                    for turn in 0..<round {
                        messages.append(ChatMessage(role: "user", content: question.turns[turn]))
                        messages.append(ChatMessage(role: "assistant", content: conversations[t][i].answers[turn]))
                    }
                    messages.append(ChatMessage(role: "user", content: question.turns[round]))
                    let request = GenerationRequest(
                        prompt: ChatTranscript.prompt(messages, supportsChat: model.capabilities.supportsChat),
                        maxTokens: generation.maxTokens, stop: generation.stop, temperature: generation.temperature,
                        topP: generation.topP, seed: generation.seed)
                    pending.append((t, i, request))
                }
            }
            let table = try await execute(Set(pending.map(\.request)), on: model, options: options, progress: progress)
            for item in pending {
                guard let response = table[item.request] else { throw ModelError("internal: no response recorded for a request") }
                conversations[item.task][item.instance].requests.append(item.request)
                conversations[item.task][item.instance].responses.append(response)
            }
        }
        progress.finish()
        return JudgeAnswers(model: model.identity, capabilities: model.capabilities,
                            conversations: Dictionary(uniqueKeysWithValues: zip(tasks.map(\.task.name), conversations)))
    }

    /// Grades the answers with the judge: every graded turn of every model (`single`,
    /// `reference`), or every pair of models in both orders (`pairwise`). The judge decodes
    /// greedily (temperature 0).
    /// - Throws: `ModelError` when a pairwise task has fewer than two models, or model names repeat.
    public static func judge(_ prepared: [PreparedTask], answers: [JudgeAnswers], judge: any LanguageModel,
                             options: RunOptions) async throws -> [JudgeTaskRun] {
        guard judge.capabilities.canGenerate else {
            throw ModelError("judge model '\(judge.identity.name)' cannot generate")
        }
        let names = answers.map(\.model.name)
        if let repeated = names.first(where: { name in names.filter { $0 == name }.count > 1 }) {
            throw ModelError("two answering models are both named '\(repeated)'; names must differ to tell their results apart")
        }
        let tasks = judgeTasks(prepared)
        var plans: [JudgePlan] = []
        for item in tasks {
            plans.append(try JudgePlan(task: item, answers: answers, supportsChat: judge.capabilities.supportsChat))
        }
        let requests = Set(plans.flatMap { $0.jobs.map(\.request) })
        let progress = ProgressReporter(label: "\(judge.identity.name) judging", total: requests.count, quiet: options.quiet)
        let table = try await execute(requests, on: judge, options: options, progress: progress)
        progress.finish()
        return try plans.map { plan in
            let calls = try plan.jobs.map { job -> JudgeCall in
                guard let response = table[job.request] else { throw ModelError("internal: no judgement recorded for a request") }
                let spec = plan.spec
                let reading = spec.mode == .pairwise
                    ? VerdictParser.choice(response.text, pattern: spec.verdictPattern)
                    : VerdictParser.score(response.text, pattern: spec.verdictPattern, scaleMin: spec.scaleMin, scaleMax: spec.scaleMax)
                return JudgeCall(request: job.request, judgement: response.text, reading: reading)
            }
            return JudgeTaskRun(plan: plan, calls: calls, judge: judge.identity, options: options)
        }
    }

    static func execute(_ requests: Set<GenerationRequest>, on model: any LanguageModel, options: RunOptions,
                        progress: ProgressReporter) async throws -> [GenerationRequest: GenerationResponse] {
        try await EvaluationRunner(model: model, options: options)
            .execute(EvaluationRunner.ordered(requests), progress: progress) { try await model.generate($0) }
    }
}

/// Every judge request of one task, with what each grades.
struct JudgePlan: Sendable {
    struct Job: Sendable {
        var instance: Int
        var turn: Int
        /// Single: the model graded. Pairwise: the model shown as A.
        var model: Int
        /// Pairwise: the model shown as B.
        var opponent: Int?
        var request: GenerationRequest
    }

    let prepared: PreparedTask
    let spec: JudgeSpec
    let answers: [JudgeAnswers]
    let conversations: [[Conversation]]
    var jobs: [Job] = []

    init(task prepared: PreparedTask, answers: [JudgeAnswers], supportsChat: Bool) throws {
        guard let spec = prepared.task.judge else { throw ModelError("internal: task '\(prepared.task.name)' has no judge settings") }
        self.prepared = prepared
        self.spec = spec
        self.answers = answers
        conversations = try answers.map { model in
            guard let found = model.conversations[prepared.task.name], found.count == prepared.instances.count else {
                throw ModelError("internal: model '\(model.model.name)' has no answers for task '\(prepared.task.name)'")
            }
            return found
        }
        if spec.mode == .pairwise && answers.count < 2 {
            throw ModelError("pairwise task '\(prepared.task.name)' compares models: give at least two with --model (a training run folder gives one per checkpoint)")
        }
        let request: ([ChatMessage]) -> GenerationRequest = { messages in
            GenerationRequest(prompt: ChatTranscript.prompt(messages, supportsChat: supportsChat), maxTokens: spec.maxTokens,
                              stop: [], temperature: 0, topP: nil, seed: 0)
        }
        for (i, instance) in prepared.instances.enumerated() {
            guard let question = instance.judge else { continue }
            for turn in spec.gradedTurns.indices(turnCount: question.turns.count) {
                if spec.mode == .pairwise {
                    for first in answers.indices {
                        for second in answers.indices where second > first {
                            for (a, b) in [(first, second), (second, first)] {
                                let context = JudgeContext.pairwise(doc: instance.doc, question: question, turn: turn,
                                                                    answersA: conversations[a][i].answers,
                                                                    answersB: conversations[b][i].answers, spec: spec)
                                jobs.append(Job(instance: i, turn: turn, model: a, opponent: b,
                                                request: request(try JudgeContext.messages(context, spec: spec))))
                            }
                        }
                    }
                } else {
                    for model in answers.indices {
                        let context = JudgeContext.single(doc: instance.doc, question: question, turn: turn,
                                                          answers: conversations[model][i].answers, spec: spec)
                        jobs.append(Job(instance: i, turn: turn, model: model, opponent: nil,
                                        request: request(try JudgeContext.messages(context, spec: spec))))
                    }
                }
            }
        }
    }
}
